// Fuzz target: the rest-json codec's input side for SageMaker Runtime: routing by method and
// request-URI template (with an endpoint path prefix), ParseInput, the generic Validator, and
// the error document. Input layout: see codec_fuzz_driver.h.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aws/protocol/rest_json_codec.h"
#include "codec_fuzz_driver.h"
#include "fuzz_support.h"

namespace {

const sagetrail::aws::ModelRegistry* registry = nullptr;
std::vector<const sagetrail::aws::ServiceModel*> models;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = sagetrail::fuzz::LoadModels({"sagemaker-runtime"}).release();
  for (const auto& m : registry->models()) models.push_back(m.get());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sagetrail::aws::RestJsonCodec codec;
  sagetrail::fuzz::RunCodecInput(codec, models, data, size);
  return 0;
}
