#include "aws/model/service_model.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "aws/model/pattern.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

bool Bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

// Formats a bound the way Java prints it in a constraint message.
std::string NumberText(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, res.ptr);
}

std::optional<double> Number(const json::object& o, std::string_view key, std::string* text) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_number()) return std::nullopt;
  *text = NumberText(it->value());
  return it->value().to_number<double>();
}

ShapeType ParseType(std::string_view t, bool* ok) {
  *ok = true;
  if (t == "structure") return ShapeType::kStructure;
  if (t == "list") return ShapeType::kList;
  if (t == "map") return ShapeType::kMap;
  if (t == "string") return ShapeType::kString;
  if (t == "integer") return ShapeType::kInteger;
  if (t == "long") return ShapeType::kLong;
  if (t == "float") return ShapeType::kFloat;
  if (t == "double") return ShapeType::kDouble;
  if (t == "boolean") return ShapeType::kBoolean;
  if (t == "timestamp") return ShapeType::kTimestamp;
  if (t == "blob") return ShapeType::kBlob;
  if (t == "bigInteger") return ShapeType::kBigInteger;
  if (t == "bigDecimal") return ShapeType::kBigDecimal;
  *ok = false;
  return ShapeType::kString;
}

Location ParseLocation(std::string_view l) {
  if (l == "header") return Location::kHeader;
  if (l == "headers") return Location::kHeaders;
  if (l == "querystring") return Location::kQueryString;
  if (l == "uri") return Location::kUri;
  if (l == "statusCode") return Location::kStatusCode;
  return Location::kBody;
}

TimestampFormat ParseTimestampFormat(std::string_view f) {
  if (f == "iso8601") return TimestampFormat::kIso8601;
  if (f == "unixTimestamp") return TimestampFormat::kUnixTimestamp;
  if (f == "rfc822") return TimestampFormat::kRfc822;
  return TimestampFormat::kDefault;
}

Protocol ParseProtocol(std::string_view p) {
  if (p == "rest-json") return Protocol::kRestJson;
  if (p == "query") return Protocol::kQuery;
  if (p == "rest-xml") return Protocol::kRestXml;
  if (p == "ec2") return Protocol::kEc2;
  return Protocol::kJson;
}

}  // namespace

const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kJson:
      return "json";
    case Protocol::kRestJson:
      return "rest-json";
    case Protocol::kQuery:
      return "query";
    case Protocol::kRestXml:
      return "rest-xml";
    case Protocol::kEc2:
      return "ec2";
  }
  return "json";
}

Shape::Shape(Shape&& o) noexcept
    : name(std::move(o.name)),
      type(o.type),
      min(o.min),
      max(o.max),
      min_text(std::move(o.min_text)),
      max_text(std::move(o.max_text)),
      pattern(std::move(o.pattern)),
      display_pattern(std::move(o.display_pattern)),
      enum_values(std::move(o.enum_values)),
      sensitive(o.sensitive),
      members(std::move(o.members)),
      required(std::move(o.required)),
      is_union(o.is_union),
      is_exception(o.is_exception),
      is_document(o.is_document),
      error_http_status(o.error_http_status),
      error_code(std::move(o.error_code)),
      error_sender_fault(o.error_sender_fault),
      payload(std::move(o.payload)),
      xml_namespace(std::move(o.xml_namespace)),
      xml_namespace_prefix(std::move(o.xml_namespace_prefix)),
      streaming(o.streaming),
      json_value(o.json_value),
      member_shape(o.member_shape),
      member_location_name(std::move(o.member_location_name)),
      flattened(o.flattened),
      key_shape(o.key_shape),
      value_shape(o.value_shape),
      key_location_name(std::move(o.key_location_name)),
      value_location_name(std::move(o.value_location_name)),
      timestamp_format(o.timestamp_format),
      compiled(o.compiled.load()) {}

const Member* Shape::FindMember(std::string_view member_name) const {
  for (const Member& m : members) {
    if (m.name == member_name) return &m;
  }
  return nullptr;
}

ServiceModel::~ServiceModel() = default;

Result<std::unique_ptr<ServiceModel>> ServiceModel::Load(
    std::string_view service_name, std::string_view json_text,
    const std::unordered_map<std::string, std::string>& anchors) {
  json::monotonic_resource arena;
  json::parse_options opts;
  boost::system::error_code ec;
  json::value root = json::parse(json_text, ec, &arena, opts);
  if (ec || !root.is_object()) {
    return Status::Corruption("model " + std::string(service_name) + ": " + ec.message());
  }
  const json::object& top = root.get_object();
  auto meta_it = top.find("metadata");
  auto shapes_it = top.find("shapes");
  auto ops_it = top.find("operations");
  if (meta_it == top.end() || shapes_it == top.end() || ops_it == top.end() ||
      !meta_it->value().is_object() || !shapes_it->value().is_object() ||
      !ops_it->value().is_object()) {
    return Status::Corruption("model " + std::string(service_name) + ": missing sections");
  }

  auto model = std::unique_ptr<ServiceModel>(new ServiceModel());
  const json::object& meta = meta_it->value().get_object();
  ServiceMetadata& md = model->metadata_;
  md.name = std::string(service_name);
  md.protocol = ParseProtocol(Str(meta, "protocol"));
  md.api_version = Str(meta, "apiVersion");
  md.json_version = Str(meta, "jsonVersion");
  md.target_prefix = Str(meta, "targetPrefix");
  md.signing_name = Str(meta, "signingName");
  md.endpoint_prefix = Str(meta, "endpointPrefix");
  if (md.signing_name.empty()) md.signing_name = md.endpoint_prefix;
  md.service_id = Str(meta, "serviceId");
  md.xml_namespace = Str(meta, "xmlNamespace");
  md.global_endpoint = Str(meta, "globalEndpoint");

  // Pass 1: give every shape an id so that references resolve in any order.
  const json::object& shapes = shapes_it->value().get_object();
  model->shapes_.reserve(shapes.size());
  for (const auto& kv : shapes) {
    ShapeId id = static_cast<ShapeId>(model->shapes_.size());
    model->shapes_.emplace_back();
    model->shapes_.back().name = std::string(kv.key());
    model->shape_index_.emplace(std::string(kv.key()), id);
  }
  auto ref = [&](const json::value& v) -> ShapeId {
    if (!v.is_object()) return kNoShape;
    std::string name = Str(v.get_object(), "shape");
    auto it = model->shape_index_.find(name);
    return it == model->shape_index_.end() ? kNoShape : it->second;
  };

  // Pass 2: fill in every shape.
  for (const auto& kv : shapes) {
    Shape& s = model->shapes_[model->shape_index_[std::string(kv.key())]];
    if (!kv.value().is_object()) continue;
    const json::object& o = kv.value().get_object();
    bool ok = false;
    s.type = ParseType(Str(o, "type"), &ok);
    if (!ok) {
      return Status::Corruption("model " + md.name + ": shape " + s.name + " has unknown type");
    }
    s.min = Number(o, "min", &s.min_text);
    s.max = Number(o, "max", &s.max_text);
    s.pattern = Str(o, "pattern");
    s.display_pattern = s.pattern;
    if (!s.pattern.empty()) {
      auto a = anchors.find(s.name);
      if (a != anchors.end()) {
        if (a->second.find('^') != std::string::npos) s.display_pattern.insert(0, "^");
        if (a->second.find('$') != std::string::npos) s.display_pattern.push_back('$');
      }
    }
    if (auto it = o.find("enum"); it != o.end() && it->value().is_array()) {
      for (const auto& e : it->value().get_array()) {
        if (e.is_string()) s.enum_values.emplace_back(e.get_string());
      }
    }
    s.sensitive = Bool(o, "sensitive");
    s.is_union = Bool(o, "union");
    s.is_exception = Bool(o, "exception");
    s.is_document = Bool(o, "document");
    s.flattened = Bool(o, "flattened");
    s.payload = Str(o, "payload");
    s.timestamp_format = ParseTimestampFormat(Str(o, "timestampFormat"));
    if (auto it = o.find("xmlNamespace"); it != o.end() && it->value().is_object()) {
      s.xml_namespace = Str(it->value().get_object(), "uri");
      s.xml_namespace_prefix = Str(it->value().get_object(), "prefix");
    }
    s.streaming = Bool(o, "streaming");
    s.json_value = Bool(o, "jsonvalue");
    if (auto it = o.find("error"); it != o.end() && it->value().is_object()) {
      const json::object& e = it->value().get_object();
      s.error_code = Str(e, "code");
      if (auto h = e.find("httpStatusCode"); h != e.end() && h->value().is_int64()) {
        s.error_http_status = static_cast<int>(h->value().get_int64());
      }
      if (auto f = e.find("senderFault"); f != e.end() && f->value().is_bool()) {
        s.error_sender_fault = f->value().get_bool();
      }
    }
    if (auto it = o.find("members"); it != o.end() && it->value().is_object()) {
      const json::object& members = it->value().get_object();
      s.members.reserve(members.size());
      for (const auto& mkv : members) {
        if (!mkv.value().is_object()) continue;
        const json::object& mo = mkv.value().get_object();
        Member m;
        m.name = std::string(mkv.key());
        m.shape = ref(mkv.value());
        if (m.shape == kNoShape) {
          return Status::Corruption("model " + md.name + ": member " + s.name + "." + m.name +
                                    " refers to an unknown shape");
        }
        m.location = ParseLocation(Str(mo, "location"));
        m.location_name = Str(mo, "locationName");
        m.query_name = Str(mo, "queryName");
        m.xml_attribute = Bool(mo, "xmlAttribute");
        m.flattened = Bool(mo, "flattened");
        m.idempotency_token = Bool(mo, "idempotencyToken");
        m.host_label = Bool(mo, "hostLabel");
        m.streaming = Bool(mo, "streaming");
        m.json_value = Bool(mo, "jsonvalue");
        m.timestamp_format = ParseTimestampFormat(Str(mo, "timestampFormat"));
        s.members.push_back(std::move(m));
      }
    }
    if (auto it = o.find("required"); it != o.end() && it->value().is_array()) {
      for (const auto& r : it->value().get_array()) {
        if (!r.is_string()) continue;
        for (uint32_t i = 0; i < s.members.size(); ++i) {
          if (s.members[i].name == r.get_string()) s.required.push_back(i);
        }
      }
    }
    if (auto it = o.find("member"); it != o.end() && it->value().is_object()) {
      s.member_shape = ref(it->value());
      s.member_location_name = Str(it->value().get_object(), "locationName");
    }
    if (auto it = o.find("key"); it != o.end() && it->value().is_object()) {
      s.key_shape = ref(it->value());
      s.key_location_name = Str(it->value().get_object(), "locationName");
    }
    if (auto it = o.find("value"); it != o.end() && it->value().is_object()) {
      s.value_shape = ref(it->value());
      s.value_location_name = Str(it->value().get_object(), "locationName");
    }
    if ((s.type == ShapeType::kList && s.member_shape == kNoShape) ||
        (s.type == ShapeType::kMap && (s.key_shape == kNoShape || s.value_shape == kNoShape))) {
      return Status::Corruption("model " + md.name + ": shape " + s.name + " is incomplete");
    }
  }

  // Operations.
  const json::object& ops = ops_it->value().get_object();
  for (const auto& kv : ops) {
    if (!kv.value().is_object()) continue;
    const json::object& o = kv.value().get_object();
    Operation op;
    op.name = std::string(kv.key());
    if (auto it = o.find("http"); it != o.end() && it->value().is_object()) {
      const json::object& h = it->value().get_object();
      if (auto m = Str(h, "method"); !m.empty()) op.http_method = m;
      if (auto u = Str(h, "requestUri"); !u.empty()) op.request_uri = u;
      if (auto rc = h.find("responseCode"); rc != h.end() && rc->value().is_int64()) {
        op.http_response_code = static_cast<int>(rc->value().get_int64());
      }
    }
    if (auto it = o.find("input"); it != o.end()) op.input = ref(it->value());
    if (auto it = o.find("output"); it != o.end()) {
      op.output = ref(it->value());
      if (it->value().is_object()) {
        op.output_result_wrapper = Str(it->value().get_object(), "resultWrapper");
      }
    }
    if (auto it = o.find("errors"); it != o.end() && it->value().is_array()) {
      for (const auto& e : it->value().get_array()) {
        ShapeId id = ref(e);
        if (id != kNoShape) op.errors.push_back(id);
      }
    }
    op.deprecated = Bool(o, "deprecated");
    model->operations_.emplace(op.name, std::move(op));
  }
  model->operation_list_.reserve(model->operations_.size());
  for (const auto& kv : model->operations_) model->operation_list_.push_back(&kv.second);
  std::sort(model->operation_list_.begin(), model->operation_list_.end(),
            [](const Operation* a, const Operation* b) { return a->name < b->name; });
  return model;
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(std::string(name));
  return it == operations_.end() ? nullptr : &it->second;
}

ShapeId ServiceModel::FindShape(std::string_view name) const {
  auto it = shape_index_.find(std::string(name));
  return it == shape_index_.end() ? kNoShape : it->second;
}

const CompiledPattern* ServiceModel::Pattern(const Shape& shape) const {
  if (shape.pattern.empty()) return nullptr;
  if (const CompiledPattern* p = shape.compiled.load(std::memory_order_acquire)) return p;
  std::lock_guard<std::mutex> lock(pattern_mu_);
  if (const CompiledPattern* p = shape.compiled.load(std::memory_order_acquire)) return p;
  std::string error;
  std::unique_ptr<CompiledPattern> compiled = CompiledPattern::Compile(shape.pattern, &error);
  if (!compiled) {
    std::fprintf(stderr, "sagetrail: pattern of %s.%s not enforced: %s\n", metadata_.name.c_str(),
                 shape.name.c_str(), error.c_str());
    // Remember the failure with a pattern that matches everything.
    compiled = CompiledPattern::Compile("[\\s\\S]*", &error);
  }
  const CompiledPattern* raw = compiled.get();
  patterns_.push_back(std::move(compiled));
  shape.compiled.store(raw, std::memory_order_release);
  return raw;
}

}  // namespace sagetrail::aws
