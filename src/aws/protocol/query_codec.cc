#include "aws/protocol/query_codec.h"

#include <boost/json.hpp>

#include "aws/protocol/xml_writer.h"
#include "common/strings.h"

namespace sagetrail::aws {
namespace json = boost::json;

std::vector<std::pair<std::string, std::string>> QueryCodec::FormParams(
    const http::Request& request) {
  std::string_view source = request.query();
  std::string_view content_type = request.HeaderOr("content-type");
  if (content_type.find("application/x-www-form-urlencoded") != std::string_view::npos ||
      (source.empty() && !request.body.empty())) {
    source = request.body;
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view part : Split(source, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = UriDecode(part.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : UriDecode(part.substr(eq + 1), true);
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

Result<const Operation*, AwsError> QueryCodec::ResolveOperation(
    const ServiceModel& model, const http::Request& request) const {
  std::string action, version;
  for (auto& [k, v] : FormParams(request)) {
    if (k == "Action") action = v;
    if (k == "Version") version = v;
  }
  const Operation* op = model.FindOperation(action);
  if (op == nullptr) {
    return AwsError{"InvalidAction",
                    "Could not find operation " + action + " for version " +
                        (version.empty() ? model.metadata().api_version : version),
                    400, true};
  }
  return op;
}

Result<json::value, AwsError> QueryCodec::ParseInput(const ServiceModel&, const Operation& op,
                                                     const http::Request&) const {
  return AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet");
}

http::Response QueryCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                           const json::value&, std::string_view request_id) const {
  AwsError e = AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet");
  return SerializeError(&model, e, request_id);
}

http::Response QueryCodec::SerializeError(const ServiceModel* model, const AwsError& error,
                                          std::string_view request_id) const {
  http::Response r;
  r.status = error.http_status;
  r.headers.push_back({"x-amzn-RequestId", std::string(request_id)});
  r.headers.push_back({"Content-Type", "text/xml"});
  std::string& b = r.body;
  b = "<ErrorResponse";
  if (model != nullptr && !model->metadata().xml_namespace.empty()) {
    b += " xmlns=\"";
    AppendXmlEscaped(model->metadata().xml_namespace, &b);
    b += "\"";
  }
  b += ">\n  <Error>\n    ";
  AppendXmlElement("Type", error.sender_fault ? "Sender" : "Receiver", &b);
  b += "\n    ";
  AppendXmlElement("Code", error.code, &b);
  b += "\n    ";
  AppendXmlElement("Message", error.message, &b);
  b += "\n  </Error>\n  ";
  AppendXmlElement("RequestId", request_id, &b);
  b += "\n</ErrorResponse>\n";
  return r;
}

}  // namespace sagetrail::aws
