#include "codec_fuzz_driver.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <string>

#include "aws/protocol/validator.h"
#include "fuzz_support.h"

namespace sagetrail::fuzz {

void RunCodecInput(const aws::ProtocolCodec& codec,
                   const std::vector<const aws::ServiceModel*>& models, const uint8_t* data,
                   size_t size, const ParsedInputCheck& check) {
  FuzzedDataProvider fdp(data, size);
  const aws::ServiceModel& model = *models[fdp.ConsumeIntegral<uint8_t>() % models.size()];
  const uint16_t fallback_op = fdp.ConsumeIntegral<uint16_t>();
  const http::Request request = ParseRequestText(fdp.ConsumeRemainingBytesAsString());
  Check(model.protocol() == codec.protocol(), "model and codec speak different protocols");

  auto respond_error = [&](const aws::AwsError& error) {
    http::Response r = codec.SerializeError(&model, error, "fuzz-request-id");
    Check(r.status == error.http_status, "error response lost the error's status");
  };

  const aws::Operation* op = nullptr;
  auto resolved = codec.ResolveOperation(model, request);
  if (resolved.ok()) {
    op = *resolved;
    Check(op != nullptr && model.FindOperation(op->name) == op,
          "resolved an operation the model does not have");
  } else {
    respond_error(resolved.error());
    const auto& ops = model.operations();
    if (ops.empty()) return;
    op = ops[fallback_op % ops.size()];
  }

  auto input = codec.ParseInput(model, *op, request);
  if (!input.ok()) {
    respond_error(input.error());
    return;
  }
  if (auto invalid = aws::Validator(model).Validate(op->input, *input)) {
    Check(invalid->code == "ValidationException" || invalid->code == "SerializationException",
          "the validator answered with an unexpected error code");
    respond_error(*invalid);
  }
  if (check) check(model, *op, *input);
}

}  // namespace sagetrail::fuzz
