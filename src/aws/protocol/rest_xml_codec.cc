#include "aws/protocol/rest_xml_codec.h"

#include <boost/json.hpp>

#include "aws/protocol/xml_writer.h"

namespace sagetrail::aws {
namespace json = boost::json;

Result<const Operation*, AwsError> RestXmlCodec::ResolveOperation(const ServiceModel&,
                                                                  const http::Request&) const {
  return AwsError::NotImplemented("sagetrail does not serve S3 requests yet");
}

Result<json::value, AwsError> RestXmlCodec::ParseInput(const ServiceModel&, const Operation& op,
                                                       const http::Request&) const {
  return AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet");
}

http::Response RestXmlCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                             const json::value&,
                                             std::string_view request_id) const {
  return SerializeError(
      &model, AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet"),
      request_id);
}

http::Response RestXmlCodec::SerializeError(const ServiceModel*, const AwsError& error,
                                            std::string_view request_id) const {
  http::Response r;
  r.status = error.http_status;
  r.headers.push_back({"x-amz-request-id", std::string(request_id)});
  r.headers.push_back({"Content-Type", "application/xml"});
  std::string& b = r.body;
  b = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>";
  AppendXmlElement("Code", error.code, &b);
  AppendXmlElement("Message", error.message, &b);
  for (const auto& [name, value] : error.extra) AppendXmlElement(name, value, &b);
  AppendXmlElement("RequestId", request_id, &b);
  b += "</Error>";
  return r;
}

}  // namespace sagetrail::aws
