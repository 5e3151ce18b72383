// Fuzz target: the awsJson codec's input side (X-Amz-Target routing, the JSON body) for the JSON
// services we serve (SageMaker, CloudTrail, CloudWatch Logs), the generic Validator on what it
// parsed, and the codec's JSON writer on the parsed value: what it writes must parse as JSON.
// Input layout: see codec_fuzz_driver.h.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aws/protocol/json_codec.h"
#include "codec_fuzz_driver.h"
#include "fuzz_support.h"

namespace {

const sagetrail::aws::ModelRegistry* registry = nullptr;
std::vector<const sagetrail::aws::ServiceModel*> models;

// What the codec writes for `value` as shape `id` must be JSON text.
void CheckWritesJson(const sagetrail::aws::ServiceModel& model, sagetrail::aws::ShapeId id,
                     const boost::json::value& value) {
  if (id == sagetrail::aws::kNoShape) return;
  std::string out;
  sagetrail::aws::JsonCodec::WriteShape(model, id, value, &out);
  boost::system::error_code ec;
  boost::json::parse(out, ec);
  sagetrail::fuzz::Check(!ec, "JsonCodec wrote text that is not JSON");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = sagetrail::fuzz::LoadModels({"sagemaker", "cloudtrail", "logs"}).release();
  for (const auto& m : registry->models()) models.push_back(m.get());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sagetrail::aws::JsonCodec codec;
  sagetrail::fuzz::RunCodecInput(
      codec, models, data, size,
      [](const sagetrail::aws::ServiceModel& model, const sagetrail::aws::Operation& op,
         const boost::json::value& input) {
        CheckWritesJson(model, op.input, input);
        // The output writer on a value it was not made for (members missing, wrong types).
        CheckWritesJson(model, op.output, input);
      });
  return 0;
}
