// Fuzz target: the rest-xml codec for S3: routing (path-style and virtual-hosted, query keys,
// required headers, x-id), ParseInput (uri, header, query-string and prefixed-header members, XML
// payloads through XmlReader), the generic Validator, and the <Error> document. Input layout: see
// codec_fuzz_driver.h.
//
// Checks of its own: the bucket and key in the generic form are the ones ParseS3Address reads;
// a streaming payload never enters the generic form; StreamsRequestBody agrees with routing; and
// SerializeOutput, given the parsed input as the operation's output (members missing, wrong
// types), writes XML that XmlReader reads whenever the strings in it are text XML can hold.
#include <fuzzer/FuzzedDataProvider.h>

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/rest_xml_codec.h"
#include "aws/protocol/s3_address.h"
#include "aws/protocol/xml_reader.h"
#include "codec_fuzz_driver.h"
#include "fuzz_support.h"

namespace {

namespace aws = sagetrail::aws;
using sagetrail::fuzz::Check;

const aws::ModelRegistry* registry = nullptr;
std::vector<const aws::ServiceModel*> models;

// Whether every string in `v` (object keys too) is text XML can hold: UTF-8 without C0 controls
// other than tab, LF and CR, and without U+FFFE or U+FFFF. The writer escapes the others as
// numeric references, as S3 does, which an XML reader refuses.
bool XmlText(const boost::json::value& v) {
  auto ok = [](std::string_view s) {
    if (!sagetrail::fuzz::IsValidUtf8(s)) return false;
    for (unsigned char c : s) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    }
    return s.find("\xEF\xBF\xBE") == std::string_view::npos &&
           s.find("\xEF\xBF\xBF") == std::string_view::npos;
  };
  switch (v.kind()) {
    case boost::json::kind::string:
      return ok(v.get_string());
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) {
        if (!XmlText(e)) return false;
      }
      return true;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (!ok(kv.key()) || !XmlText(kv.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

void CheckParsed(const aws::RestXmlCodec& codec, const sagetrail::http::Request& request,
                 const aws::ServiceModel& model, const aws::Operation& op,
                 const boost::json::value& input) {
  Check(input.is_object(), "ParseInput made something other than an object");
  const aws::S3Address address = aws::ParseS3Address(request);
  if (op.input != aws::kNoShape) {
    for (const aws::Member& m : model.shape(op.input).members) {
      if (m.location != aws::Location::kUri) continue;
      auto v = aws::StringField(input, m.name);
      if (!v) continue;
      Check(*v == (m.name == "Key" ? address.Key() : address.bucket),
            "a uri member differs from what ParseS3Address reads");
    }
  }
  if (const aws::Member* s = aws::RestXmlCodec::StreamingInputMember(model, op)) {
    Check(aws::Field(input, s->name) == nullptr, "a streaming payload entered the generic form");
  }

  sagetrail::http::Response r = codec.SerializeOutput(model, op, input, "fuzz-request-id");
  const std::string* type = r.FindHeader("Content-Type");
  if (type != nullptr && *type == "application/xml" && XmlText(input)) {
    aws::XmlLimits limits;
    limits.max_depth = 200;
    limits.max_bytes = r.body.size() + 1;
    auto doc = aws::XmlReader::Parse(r.body, limits);
    Check(doc.ok(), "SerializeOutput wrote XML that does not read");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = sagetrail::fuzz::LoadModels({"s3"}).release();
  for (const auto& m : registry->models()) models.push_back(m.get());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const aws::RestXmlCodec codec;
  // The request as RunCodecInput reads it (same layout), for the checks above.
  FuzzedDataProvider fdp(data, size);
  fdp.ConsumeIntegral<uint8_t>();
  fdp.ConsumeIntegral<uint16_t>();
  const sagetrail::http::Request request =
      sagetrail::fuzz::ParseRequestText(fdp.ConsumeRemainingBytesAsString());

  const aws::ServiceModel& model = *models.front();
  auto resolved = codec.ResolveOperation(model, request);
  Check(codec.StreamsRequestBody(model, request) ==
            (resolved.ok() && aws::RestXmlCodec::StreamingInputMember(model, **resolved)),
        "StreamsRequestBody disagrees with ResolveOperation");
  if (!resolved.ok()) {
    Check(resolved.error().code == "MethodNotAllowed" && resolved.error().http_status == 405,
          "routing failed with something other than MethodNotAllowed");
  }

  sagetrail::fuzz::RunCodecInput(
      codec, models, data, size,
      [&](const aws::ServiceModel& m, const aws::Operation& op, const boost::json::value& input) {
        CheckParsed(codec, request, m, op, input);
      });
  return 0;
}
