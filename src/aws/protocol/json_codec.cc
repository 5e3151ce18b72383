#include "aws/protocol/json_codec.h"

#include <boost/json.hpp>
#include <cmath>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/json_writer.h"
#include "common/time_format.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

std::string ContentType(const ServiceModel* model) {
  std::string version = model && !model->metadata().json_version.empty()
                            ? model->metadata().json_version
                            : std::string("1.1");
  return "application/x-amz-json-" + version;
}

void WriteValue(const ServiceModel& model, ShapeId id, const json::value& v, JsonWriter& w) {
  if (v.is_null()) {
    w.Null();
    return;
  }
  const Shape& s = model.shape(id);
  switch (s.type) {
    case ShapeType::kStructure: {
      if (!v.is_object() || s.is_document) {
        w.Value(v);
        return;
      }
      const json::object& o = v.get_object();
      w.BeginObject();
      for (const Member& m : s.members) {
        auto it = o.find(m.name);
        if (it == o.end() || it->value().is_null()) continue;
        w.Key(m.name);
        WriteValue(model, m.shape, it->value(), w);
      }
      w.EndObject();
      return;
    }
    case ShapeType::kList: {
      if (!v.is_array()) {
        w.Value(v);
        return;
      }
      w.BeginArray();
      for (const auto& e : v.get_array()) WriteValue(model, s.member_shape, e, w);
      w.EndArray();
      return;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) {
        w.Value(v);
        return;
      }
      w.BeginObject();
      for (const auto& kv : v.get_object()) {
        w.Key(kv.key());
        WriteValue(model, s.value_shape, kv.value(), w);
      }
      w.EndObject();
      return;
    }
    case ShapeType::kTimestamp: {
      if (auto t = ToTimePoint(v)) {
        w.Raw(FormatEpochSeconds(*t));
      } else {
        w.Null();
      }
      return;
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (v.is_number()) {
        w.Double(v.to_number<double>());
        return;
      }
      w.Value(v);
      return;
    default:
      w.Value(v);
      return;
  }
}

// Boost.JSON reads a number too large for a double (1e400) as infinity, which JSON cannot write
// back; the query codec refuses such numbers too.
bool HasNonFiniteNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      for (const json::value& e : v.get_array()) {
        if (HasNonFiniteNumber(e)) return true;
      }
      return false;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (HasNonFiniteNumber(kv.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

void JsonCodec::WriteShape(const ServiceModel& model, ShapeId id, const json::value& value,
                           std::string* out) {
  JsonWriter w(out);
  WriteValue(model, id, value, w);
}

Result<const Operation*, AwsError> JsonCodec::ResolveOperation(const ServiceModel& model,
                                                               const http::Request& request) const {
  std::string_view target = request.HeaderOr("x-amz-target");
  size_t dot = target.rfind('.');
  std::string_view prefix = dot == std::string_view::npos ? "" : target.substr(0, dot);
  std::string_view name = dot == std::string_view::npos ? target : target.substr(dot + 1);
  const Operation* op =
      prefix == model.metadata().target_prefix ? model.FindOperation(name) : nullptr;
  if (op == nullptr) {
    return AwsError::UnknownOperation(target.empty() ? std::string("Missing X-Amz-Target header")
                                                     : "Unknown operation " + std::string(target) +
                                                           " for " + model.metadata().service_id);
  }
  return op;
}

Result<json::value, AwsError> JsonCodec::ParseInput(const ServiceModel&, const Operation&,
                                                    const http::Request& request) const {
  std::string_view body = request.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return json::value(json::object());
  json::parse_options opts;
  opts.max_depth = 64;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) {
    return AwsError::Serialization("Could not parse request body into json: " + ec.message());
  }
  if (!v.is_object()) {
    return AwsError::Serialization(v.is_array() ? "Start of list found where not expected."
                                                : "Expected a JSON object as the request body.");
  }
  if (HasNonFiniteNumber(v)) {
    return AwsError::Serialization("Could not parse request body into json: number out of range");
  }
  return v;
}

http::Response JsonCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                          const json::value& output,
                                          std::string_view request_id) const {
  http::Response r;
  r.status = 200;
  r.headers.push_back({"x-amzn-RequestId", std::string(request_id)});
  r.headers.push_back({"Content-Type", ContentType(&model)});
  if (op.output == kNoShape) {
    r.body = "{}";
  } else {
    r.body.reserve(256);
    WriteShape(model, op.output, output.is_object() ? output : json::value(json::object()),
               &r.body);
  }
  return r;
}

http::Response JsonCodec::SerializeError(const ServiceModel* model, const AwsError& error,
                                         std::string_view request_id) const {
  http::Response r;
  r.status = error.http_status;
  r.headers.push_back({"x-amzn-RequestId", std::string(request_id)});
  r.headers.push_back({"x-amzn-ErrorType", error.code});
  r.headers.push_back({"Content-Type", ContentType(model)});
  JsonWriter w(&r.body);
  w.BeginObject();
  w.Key("__type");
  w.String(error.code);
  w.Key("message");
  w.String(error.message);
  w.EndObject();
  return r;
}

}  // namespace sagetrail::aws
