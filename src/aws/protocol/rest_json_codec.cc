#include "aws/protocol/rest_json_codec.h"

#include <boost/json.hpp>

#include "aws/protocol/json_writer.h"
#include "common/strings.h"

namespace sagetrail::aws {
namespace json = boost::json;

bool RestJsonCodec::PathMatches(std::string_view request_uri, std::string_view path) {
  std::string_view uri = request_uri.substr(0, request_uri.find('?'));
  auto tpl = Split(uri, '/');
  auto segs = Split(path, '/');
  // Both start with '/'. Drop that empty first segment so the template's tail lines up with the
  // path's tail (otherwise "" would be compared with the first segment of a prefix).
  if (!tpl.empty() && tpl.front().empty()) tpl.erase(tpl.begin());
  if (!segs.empty() && segs.front().empty()) segs.erase(segs.begin());
  if (segs.size() < tpl.size()) return false;
  size_t offset = segs.size() - tpl.size();  // allow a path prefix from the endpoint URL
  for (size_t i = 0; i < tpl.size(); ++i) {
    std::string_view t = tpl[i], s = segs[offset + i];
    if (!t.empty() && t.front() == '{' && t.back() == '}') {
      if (s.empty()) return false;
      continue;
    }
    if (t != s) return false;
  }
  return true;
}

Result<const Operation*, AwsError> RestJsonCodec::ResolveOperation(
    const ServiceModel& model, const http::Request& request) const {
  for (const Operation* op : model.operations()) {
    if (op->http_method == request.method && PathMatches(op->request_uri, request.path())) {
      return op;
    }
  }
  return AwsError{"UnknownOperationException",
                  "No operation matches " + request.method + " " + std::string(request.path()), 404,
                  true};
}

Result<json::value, AwsError> RestJsonCodec::ParseInput(const ServiceModel&, const Operation& op,
                                                        const http::Request&) const {
  return AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet");
}

http::Response RestJsonCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                              const json::value&,
                                              std::string_view request_id) const {
  return SerializeError(
      &model, AwsError::NotImplemented("sagetrail does not implement " + op.name + " yet"),
      request_id);
}

http::Response RestJsonCodec::SerializeError(const ServiceModel*, const AwsError& error,
                                             std::string_view request_id) const {
  http::Response r;
  r.status = error.http_status;
  r.headers.push_back({"x-amzn-RequestId", std::string(request_id)});
  r.headers.push_back({"x-amzn-ErrorType", error.code});
  r.headers.push_back({"Content-Type", "application/json"});
  JsonWriter w(&r.body);
  w.BeginObject();
  w.Key("message");
  w.String(error.message);
  w.EndObject();
  return r;
}

}  // namespace sagetrail::aws
