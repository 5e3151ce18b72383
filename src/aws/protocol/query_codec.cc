#include "aws/protocol/query_codec.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/xml_writer.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

// Deeper nesting than any model has; keys below it are ignored rather than walked.
constexpr int kMaxDepth = 64;

// A member's own timestampFormat wins over its shape's.
TimestampFormat EffectiveFormat(TimestampFormat member, const Shape& shape) {
  return member != TimestampFormat::kDefault ? member : shape.timestamp_format;
}

// ---------------------------------------------------------------------------------------------
// Input: form parameters -> generic form.

AwsError BadValue(std::string_view key, std::string_view value, std::string_view expected) {
  return AwsError{"InvalidParameterValue",
                  "Value '" + std::string(value) + "' for parameter " + std::string(key) +
                      " is invalid. Expected " + std::string(expected) + ".",
                  400, true};
}

std::optional<int64_t> ParseInt(std::string_view s, int64_t lo, int64_t hi) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

class FormReader {
 public:
  FormReader(const ServiceModel& model, std::map<std::string, std::string, std::less<>> params)
      : model_(model), params_(std::move(params)) {}

  // The value at `key` for shape `id`, or null when the request does not carry it.
  Result<json::value, AwsError> Read(ShapeId id, const std::string& key, const Member* ref,
                                     int depth) const {
    const Shape& s = model_.shape(id);
    if (depth > kMaxDepth) return json::value();
    switch (s.type) {
      case ShapeType::kStructure:
        return ReadStructure(s, key, depth);
      case ShapeType::kList:
        return ReadList(s, key, ref != nullptr && ref->flattened, depth);
      case ShapeType::kMap:
        return ReadMap(s, key, ref != nullptr && ref->flattened, depth);
      default:
        break;
    }
    auto it = params_.find(key);
    if (it == params_.end()) return json::value();
    return ReadScalar(s, ref != nullptr ? ref->timestamp_format : TimestampFormat::kDefault, key,
                      it->second);
  }

  Result<json::value, AwsError> ReadStructure(const Shape& s, const std::string& key,
                                              int depth) const {
    if (!key.empty() && !HasKeyOrChildren(key)) return json::value();
    json::object out;
    for (const Member& m : s.members) {
      const std::string& wire = m.location_name.empty() ? m.name : m.location_name;
      auto v = Read(m.shape, key.empty() ? wire : key + "." + wire, &m, depth + 1);
      if (!v.ok()) return std::move(v).error();
      if (!v->is_null()) out.emplace(m.name, std::move(*v));
    }
    return json::value(std::move(out));
  }

  Result<json::value, AwsError> ReadList(const Shape& s, const std::string& key, bool flattened,
                                         int depth) const {
    std::string items;
    if (flattened || s.flattened) {
      items = key;
      if (!s.member_location_name.empty()) {
        // A flattened list with a member name repeats that name in place of its own.
        size_t dot = key.rfind('.');
        items = (dot == std::string::npos ? std::string() : key.substr(0, dot + 1)) +
                s.member_location_name;
      }
    } else {
      items = key + "." + (s.member_location_name.empty() ? "member" : s.member_location_name);
    }
    std::set<uint32_t> indices = Indices(items);
    if (indices.empty()) {
      // botocore sends an empty list as the bare key ("Tags=").
      return params_.contains(key) ? json::value(json::array()) : json::value();
    }
    json::array out;
    out.reserve(indices.size());
    for (uint32_t i : indices) {
      auto v = Read(s.member_shape, items + "." + std::to_string(i), nullptr, depth + 1);
      if (!v.ok()) return std::move(v).error();
      if (!v->is_null()) out.push_back(std::move(*v));
    }
    return json::value(std::move(out));
  }

  Result<json::value, AwsError> ReadMap(const Shape& s, const std::string& key, bool flattened,
                                        int depth) const {
    std::string entries = flattened || s.flattened ? key : key + ".entry";
    std::set<uint32_t> indices = Indices(entries);
    if (indices.empty()) return params_.contains(key) ? json::value(json::object()) : json::value();
    const std::string& key_name = s.key_location_name.empty() ? "key" : s.key_location_name;
    const std::string& value_name = s.value_location_name.empty() ? "value" : s.value_location_name;
    const bool value_is_structure = model_.shape(s.value_shape).type == ShapeType::kStructure;
    json::object out;
    for (uint32_t i : indices) {
      std::string entry = entries + "." + std::to_string(i) + ".";
      auto k = params_.find(entry + key_name);
      if (k == params_.end()) continue;
      auto v = Read(s.value_shape, entry + value_name, nullptr, depth + 1);
      if (!v.ok()) return std::move(v).error();
      if (v->is_null()) {
        if (!value_is_structure) continue;
        *v = json::object();
      }
      out.insert_or_assign(k->second, std::move(*v));
    }
    return json::value(std::move(out));
  }

  static Result<json::value, AwsError> ReadScalar(const Shape& s, TimestampFormat member_format,
                                                  const std::string& key, const std::string& text) {
    switch (s.type) {
      case ShapeType::kInteger: {
        auto v = ParseInt(text, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max());
        if (!v) return BadValue(key, text, "an integer");
        return json::value(*v);
      }
      case ShapeType::kLong:
      case ShapeType::kBigInteger: {
        auto v = ParseInt(text, std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max());
        if (!v) return BadValue(key, text, "an integer");
        return json::value(*v);
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kBigDecimal: {
        auto v = ParseDouble(text);
        if (!v) return BadValue(key, text, "a number");
        return json::value(*v);
      }
      case ShapeType::kBoolean:
        if (EqualsIgnoreCase(text, "true")) return json::value(true);
        if (EqualsIgnoreCase(text, "false")) return json::value(false);
        return BadValue(key, text, "true or false");
      case ShapeType::kTimestamp: {
        std::optional<TimePoint> t;
        if (EffectiveFormat(member_format, s) == TimestampFormat::kRfc822) t = ParseHttpDate(text);
        if (!t) t = ToTimePoint(json::value(text));
        if (!t) return BadValue(key, text, "an ISO 8601 timestamp");
        return TimestampValue(*t);
      }
      case ShapeType::kBlob:
        if (!text.empty() && !Base64Decode(text)) return BadValue(key, text, "base64 data");
        return json::value(text);
      default:
        return json::value(text);
    }
  }

 private:
  // Whether the request carries `key` itself or anything below it ("key.…").
  bool HasKeyOrChildren(const std::string& key) const {
    auto it = params_.lower_bound(key);
    if (it == params_.end()) return false;
    if (it->first == key) return true;
    it = params_.lower_bound(key + ".");
    return it != params_.end() && it->first.size() > key.size() &&
           it->first.compare(0, key.size(), key) == 0 && it->first[key.size()] == '.';
  }

  // The positions N (1-based) for which "prefix.N" or "prefix.N.…" is present.
  std::set<uint32_t> Indices(const std::string& prefix) const {
    std::set<uint32_t> out;
    std::string start = prefix + ".";
    for (auto it = params_.lower_bound(start);
         it != params_.end() && it->first.compare(0, start.size(), start) == 0; ++it) {
      std::string_view rest = std::string_view(it->first).substr(start.size());
      size_t end = std::min(rest.find('.'), rest.size());
      uint32_t n = 0;
      auto r = std::from_chars(rest.data(), rest.data() + end, n);
      if (r.ec == std::errc() && r.ptr == rest.data() + end && n >= 1) out.insert(n);
    }
    return out;
  }

  const ServiceModel& model_;
  std::map<std::string, std::string, std::less<>> params_;
};

// ---------------------------------------------------------------------------------------------
// Output: generic form -> XML, indented by two spaces per level.

class XmlOut {
 public:
  XmlOut(const ServiceModel& model, std::string* out) : model_(model), out_(out) {}

  void Open(std::string_view name, int depth, std::string_view xmlns = {}) {
    Indent(depth);
    out_->push_back('<');
    out_->append(name);
    if (!xmlns.empty()) {
      out_->append(" xmlns=\"");
      AppendXmlEscaped(xmlns, out_);
      out_->push_back('"');
    }
    out_->append(">\n");
  }
  void Close(std::string_view name, int depth) {
    Indent(depth);
    out_->append("</");
    out_->append(name);
    out_->append(">\n");
  }
  void Empty(std::string_view name, int depth) {
    Indent(depth);
    out_->push_back('<');
    out_->append(name);
    out_->append("/>\n");
  }
  void Leaf(std::string_view name, std::string_view text, int depth) {
    Indent(depth);
    AppendXmlElement(name, text, out_);
    out_->push_back('\n');
  }

  // The members of structure `s` present in `o`, in model order.
  void Members(const Shape& s, const json::object& o, int depth) {
    for (const Member& m : s.members) {
      auto it = o.find(m.name);
      if (it == o.end() || it->value().is_null()) continue;
      WriteMember(m, it->value(), depth);
    }
  }

  static bool HasMembers(const Shape& s, const json::object& o) {
    return std::any_of(s.members.begin(), s.members.end(), [&](const Member& m) {
      auto it = o.find(m.name);
      return it != o.end() && !it->value().is_null();
    });
  }

 private:
  void Indent(int depth) { out_->append(static_cast<size_t>(depth) * 2, ' '); }

  void WriteMember(const Member& m, const json::value& v, int depth) {
    const Shape& s = model_.shape(m.shape);
    const std::string& name = m.location_name.empty() ? m.name : m.location_name;
    const bool flattened = m.flattened || s.flattened;
    if (flattened && s.type == ShapeType::kList && v.is_array()) {
      // <Name>a</Name><Name>b</Name>, or the member's own name when it has one.
      const std::string& item = s.member_location_name.empty() ? name : s.member_location_name;
      for (const auto& e : v.get_array()) {
        if (!e.is_null()) WriteElement(s.member_shape, TimestampFormat::kDefault, item, e, depth);
      }
      return;
    }
    if (flattened && s.type == ShapeType::kMap && v.is_object()) {
      for (const auto& kv : v.get_object()) {
        if (kv.value().is_null()) continue;
        Open(name, depth);
        WriteEntry(s, kv.key(), kv.value(), depth + 1);
        Close(name, depth);
      }
      return;
    }
    WriteElement(m.shape, m.timestamp_format, name, v, depth);
  }

  void WriteEntry(const Shape& map, std::string_view key, const json::value& v, int depth) {
    Leaf(map.key_location_name.empty() ? "key" : map.key_location_name, key, depth);
    WriteElement(map.value_shape, TimestampFormat::kDefault,
                 map.value_location_name.empty() ? "value" : map.value_location_name, v, depth);
  }

  void WriteElement(ShapeId id, TimestampFormat member_format, std::string_view name,
                    const json::value& v, int depth) {
    if (v.is_null() || depth > kMaxDepth) return;
    const Shape& s = model_.shape(id);
    switch (s.type) {
      case ShapeType::kStructure: {
        if (!v.is_object()) return;
        if (!HasMembers(s, v.get_object())) {
          Empty(name, depth);
          return;
        }
        Open(name, depth);
        Members(s, v.get_object(), depth + 1);
        Close(name, depth);
        return;
      }
      case ShapeType::kList: {
        if (!v.is_array()) return;
        const json::array& a = v.get_array();
        if (std::all_of(a.begin(), a.end(), [](const json::value& e) { return e.is_null(); })) {
          Empty(name, depth);
          return;
        }
        const std::string& item =
            s.member_location_name.empty() ? "member" : s.member_location_name;
        Open(name, depth);
        for (const auto& e : a) {
          WriteElement(s.member_shape, TimestampFormat::kDefault, item, e, depth + 1);
        }
        Close(name, depth);
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return;
        const json::object& o = v.get_object();
        if (std::all_of(o.begin(), o.end(), [](const auto& kv) { return kv.value().is_null(); })) {
          Empty(name, depth);
          return;
        }
        Open(name, depth);
        for (const auto& kv : o) {
          if (kv.value().is_null()) continue;
          Open("entry", depth + 1);
          WriteEntry(s, kv.key(), kv.value(), depth + 2);
          Close("entry", depth + 1);
        }
        Close(name, depth);
        return;
      }
      default:
        if (auto text = ScalarText(s, member_format, v)) Leaf(name, *text, depth);
        return;
    }
  }

  static std::optional<std::string> ScalarText(const Shape& s, TimestampFormat member_format,
                                               const json::value& v) {
    switch (s.type) {
      case ShapeType::kTimestamp: {
        auto t = ToTimePoint(v);
        if (!t) return std::nullopt;
        switch (EffectiveFormat(member_format, s)) {
          case TimestampFormat::kUnixTimestamp:
            return FormatEpochSeconds(*t);
          case TimestampFormat::kRfc822:
            return FormatHttpDate(*t);
          default:
            // IAM and STS write whole seconds ("2026-11-22T10:00:00Z"); keep milliseconds only
            // when the instant has them.
            return ToUnixMillis(*t) % 1000 == 0 ? FormatIso8601(*t) : FormatIso8601Millis(*t);
        }
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kBigDecimal:
        if (v.is_double()) return DoubleText(v.get_double());
        if (v.is_int64()) return DoubleText(static_cast<double>(v.get_int64()));
        if (v.is_uint64()) return DoubleText(static_cast<double>(v.get_uint64()));
        break;
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kBigInteger:
        if (v.is_double() && std::isfinite(v.get_double())) {
          return std::to_string(std::llround(v.get_double()));
        }
        break;
      default:
        break;
    }
    switch (v.kind()) {
      case json::kind::string:
        return std::string(v.get_string());
      case json::kind::bool_:
        return std::string(v.get_bool() ? "true" : "false");
      case json::kind::int64:
        return std::to_string(v.get_int64());
      case json::kind::uint64:
        return std::to_string(v.get_uint64());
      case json::kind::double_:
        return DoubleText(v.get_double());
      default:
        return std::nullopt;
    }
  }

  static std::optional<std::string> DoubleText(double d) {
    if (!std::isfinite(d)) return std::nullopt;
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof(buf) - 2, d);
    if (std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e'; }) == r.ptr) {
      *r.ptr++ = '.';
      *r.ptr++ = '0';
    }
    return std::string(buf, r.ptr);
  }

  const ServiceModel& model_;
  std::string* out_;
};

}  // namespace

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
  if (action.empty()) {  // AWS's common error for a query request without an Action
    return AwsError{"MissingAction", "The request is missing an action or a required parameter.",
                    400, true};
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

Result<json::value, AwsError> QueryCodec::ParseInput(const ServiceModel& model, const Operation& op,
                                                     const http::Request& request) const {
  if (op.input == kNoShape) return json::value(json::object());
  std::map<std::string, std::string, std::less<>> params;
  for (auto& [k, v] : FormParams(request)) {
    if (k == "Action" || k == "Version") continue;
    params.emplace(std::move(k), std::move(v));  // the first of repeated keys wins
  }
  FormReader reader(model, std::move(params));
  return reader.ReadStructure(model.shape(op.input), std::string(), 0);
}

http::Response QueryCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                           const json::value& output,
                                           std::string_view request_id) const {
  http::Response r;
  r.status = 200;
  r.headers.push_back({"x-amzn-RequestId", std::string(request_id)});
  r.headers.push_back({"Content-Type", "text/xml"});
  r.body.reserve(512);
  XmlOut w(model, &r.body);
  const std::string root = op.name + "Response";
  w.Open(root, 0, model.metadata().xml_namespace);
  if (op.output != kNoShape) {
    const Shape& s = model.shape(op.output);
    static const json::object kEmpty;
    const json::object& o = output.is_object() ? output.get_object() : kEmpty;
    if (op.output_result_wrapper.empty()) {
      w.Members(s, o, 1);
    } else if (!XmlOut::HasMembers(s, o)) {
      w.Empty(op.output_result_wrapper, 1);
    } else {
      w.Open(op.output_result_wrapper, 1);
      w.Members(s, o, 2);
      w.Close(op.output_result_wrapper, 1);
    }
  }
  w.Open("ResponseMetadata", 1);
  w.Leaf("RequestId", request_id, 2);
  w.Close("ResponseMetadata", 1);
  w.Close(root, 0);
  return r;
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
