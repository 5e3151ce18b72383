// Fuzz target: the query codec's input side (Action routing, form parameters from the body or
// the query string walked over the input shape: nested structures, lists, maps, scalars) for the
// query services we serve (STS, IAM, SNS), the generic Validator on what it parsed, and the XML
// output writer on the parsed value. Input layout: see codec_fuzz_driver.h.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aws/protocol/query_codec.h"
#include "codec_fuzz_driver.h"
#include "fuzz_support.h"

namespace {

const sagetrail::aws::ModelRegistry* registry = nullptr;
std::vector<const sagetrail::aws::ServiceModel*> models;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = sagetrail::fuzz::LoadModels({"sts", "iam", "sns"}).release();
  for (const auto& m : registry->models()) models.push_back(m.get());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sagetrail::aws::QueryCodec codec;
  sagetrail::fuzz::RunCodecInput(
      codec, models, data, size,
      [](const sagetrail::aws::ServiceModel& model, const sagetrail::aws::Operation& op,
         const boost::json::value& input) {
        sagetrail::http::Response r = codec.SerializeOutput(model, op, input, "fuzz-request-id");
        sagetrail::fuzz::Check(r.status == 200 && !r.body.empty(), "no XML document written");
      });
  return 0;
}
