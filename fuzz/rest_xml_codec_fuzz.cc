// Fuzz target: the rest-xml codec's input side for S3 (routing, ParseInput, the generic
// Validator) and its <Error> document. Input layout: see codec_fuzz_driver.h.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "aws/protocol/rest_xml_codec.h"
#include "codec_fuzz_driver.h"
#include "fuzz_support.h"

namespace {

const sagetrail::aws::ModelRegistry* registry = nullptr;
std::vector<const sagetrail::aws::ServiceModel*> models;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = sagetrail::fuzz::LoadModels({"s3"}).release();
  for (const auto& m : registry->models()) models.push_back(m.get());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sagetrail::aws::RestXmlCodec codec;
  sagetrail::fuzz::RunCodecInput(codec, models, data, size);
  return 0;
}
