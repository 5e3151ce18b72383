#include "aws/protocol/rest_xml_codec.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/s3_address.h"
#include "aws/protocol/xml_reader.h"
#include "aws/protocol/xml_writer.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

// Deeper nesting than any model has; values below it are not walked.
constexpr int kMaxDepth = 64;

// ---------------------------------------------------------------------------------------------
// Errors, as S3 words them.

AwsError MalformedXml() {
  return {"MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published "
          "schema",
          400, true};
}

AwsError InvalidArgument(std::string message, std::string_view name, std::string_view value) {
  AwsError e{"InvalidArgument", std::move(message), 400, true};
  e.extra = {{"ArgumentName", std::string(name)}, {"ArgumentValue", std::string(value)}};
  return e;
}

enum class Resource { kService, kBucket, kObject };

const char* ResourceTypeName(Resource r) {
  switch (r) {
    case Resource::kService:
      return "SERVICE";
    case Resource::kBucket:
      return "BUCKET";
    case Resource::kObject:
      return "OBJECT";
  }
  return "SERVICE";
}

AwsError MethodNotAllowed(std::string_view method, Resource r) {
  AwsError e{"MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
             true};
  e.extra = {{"Method", std::string(method)}, {"ResourceType", ResourceTypeName(r)}};
  return e;
}

// ---------------------------------------------------------------------------------------------
// Request URIs and query strings.

struct QueryParam {
  std::string key;
  std::string value;
  bool has_value = false;  // "k=" as opposed to "k"
};

// The query string's parameters in order, decoded ('+' is a space, as S3 reads it).
std::vector<QueryParam> ParseQuery(std::string_view query) {
  std::vector<QueryParam> out;
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    QueryParam p;
    p.key = UriDecode(part.substr(0, eq), true);
    if (eq != std::string_view::npos) {
      p.value = UriDecode(part.substr(eq + 1), true);
      p.has_value = true;
    }
    out.push_back(std::move(p));
  }
  return out;
}

const QueryParam* FindParam(const std::vector<QueryParam>& params, std::string_view key) {
  for (const QueryParam& p : params) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

// What a model request URI says: "/{Bucket}/{Key+}?uploads" -> object resource, literal key
// "uploads". "x-id" literals are dropped: they are never required.
struct UriTemplate {
  Resource resource = Resource::kService;
  std::string bucket_label;  // the first label, "Bucket"
  std::string key_label;     // the greedy label, "Key"
  std::vector<QueryParam> literals;
};

UriTemplate ParseRequestUri(std::string_view uri) {
  UriTemplate t;
  size_t q = uri.find('?');
  std::string_view path = uri.substr(0, q);
  size_t pos = 0;
  while ((pos = path.find('{', pos)) != std::string_view::npos) {
    size_t close = path.find('}', pos);
    if (close == std::string_view::npos) break;
    std::string_view label = path.substr(pos + 1, close - pos - 1);
    if (!label.empty() && label.back() == '+') {
      t.key_label = std::string(label.substr(0, label.size() - 1));
    } else if (t.bucket_label.empty()) {
      t.bucket_label = std::string(label);
    }
    pos = close + 1;
  }
  t.resource = !t.key_label.empty()      ? Resource::kObject
               : !t.bucket_label.empty() ? Resource::kBucket
                                         : Resource::kService;
  if (q != std::string_view::npos) {
    for (QueryParam& p : ParseQuery(uri.substr(q + 1))) {
      if (p.key != "x-id") t.literals.push_back(std::move(p));
    }
  }
  return t;
}

Resource ResourceOf(const S3Address& a) {
  if (a.bucket.empty()) return Resource::kService;
  return a.raw_key.empty() ? Resource::kBucket : Resource::kObject;
}

bool LiteralsPresent(const UriTemplate& t, const std::vector<QueryParam>& params) {
  for (const QueryParam& lit : t.literals) {
    const QueryParam* p = FindParam(params, lit.key);
    if (p == nullptr || (lit.has_value && p->value != lit.value)) return false;
  }
  return true;
}

const std::string& WireName(const Member& m) {
  return m.location_name.empty() ? m.name : m.location_name;
}

// How many of `op`'s required header and query-string members the request carries, or -1 when
// one is missing.
int RequiredMatches(const ServiceModel& model, const Operation& op, const http::Request& request,
                    const std::vector<QueryParam>& params) {
  if (op.input == kNoShape) return 0;
  const Shape& in = model.shape(op.input);
  int matched = 0;
  for (uint32_t i : in.required) {
    const Member& m = in.members[i];
    if (m.location == Location::kHeader) {
      if (request.FindHeader(WireName(m)) == nullptr) return -1;
      ++matched;
    } else if (m.location == Location::kQueryString) {
      if (FindParam(params, WireName(m)) == nullptr) return -1;
      ++matched;
    }
  }
  return matched;
}

// ---------------------------------------------------------------------------------------------
// Scalars from text (headers, query strings, XML).

TimestampFormat EffectiveFormat(TimestampFormat member, const Shape& shape) {
  return member != TimestampFormat::kDefault ? member : shape.timestamp_format;
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

std::optional<TimePoint> ParseTimestamp(std::string_view s) {
  if (auto t = ParseHttpDate(s)) return t;
  return ToTimePoint(json::value(s));  // ISO 8601, or epoch seconds as text
}

// The generic value of a scalar written as `text`; nullopt when the text is not of the shape's
// type. Strings (and blobs, base64 already) are kept byte for byte.
std::optional<json::value> ScalarFromText(const Shape& s, std::string_view text) {
  switch (s.type) {
    case ShapeType::kInteger: {
      auto v = ParseInt(Trim(text), std::numeric_limits<int32_t>::min(),
                        std::numeric_limits<int32_t>::max());
      if (!v) return std::nullopt;
      return json::value(*v);
    }
    case ShapeType::kLong:
    case ShapeType::kBigInteger: {
      auto v = ParseInt(Trim(text), std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max());
      if (!v) return std::nullopt;
      return json::value(*v);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble:
    case ShapeType::kBigDecimal: {
      auto v = ParseDouble(Trim(text));
      if (!v) return std::nullopt;
      return json::value(*v);
    }
    case ShapeType::kBoolean: {
      std::string_view t = Trim(text);
      if (EqualsIgnoreCase(t, "true")) return json::value(true);
      if (EqualsIgnoreCase(t, "false")) return json::value(false);
      return std::nullopt;
    }
    case ShapeType::kTimestamp: {
      auto t = ParseTimestamp(Trim(text));
      if (!t) return std::nullopt;
      return TimestampValue(*t);
    }
    default:
      return json::value(text);
  }
}

std::string_view TypeWord(const Shape& s) {
  switch (s.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kBigInteger:
      return "an integer";
    case ShapeType::kFloat:
    case ShapeType::kDouble:
    case ShapeType::kBigDecimal:
      return "a number";
    case ShapeType::kBoolean:
      return "a boolean";
    case ShapeType::kTimestamp:
      return "a date";
    default:
      return "a string";
  }
}

// A header or query-string member's value. Unreadable dates are dropped (as HTTP ignores an
// invalid If-Modified-Since); other unreadable scalars are S3's InvalidArgument.
Result<json::value, AwsError> ReadParameter(const ServiceModel& model, const Member& m,
                                            std::string_view text) {
  const Shape& s = model.shape(m.shape);
  if (s.type == ShapeType::kList) {
    // A header list is comma-separated.
    const Shape& item = model.shape(s.member_shape);
    json::array out;
    for (std::string_view part : Split(text, ',')) {
      part = Trim(part);
      if (part.empty()) continue;
      auto v = ScalarFromText(item, part);
      if (!v) {
        return InvalidArgument("Provided " + WireName(m) + " not " + std::string(TypeWord(item)),
                               WireName(m), text);
      }
      out.push_back(std::move(*v));
    }
    return json::value(std::move(out));
  }
  if (m.json_value || s.json_value) {
    auto decoded = Base64Decode(Trim(text));
    if (!decoded) {
      return InvalidArgument("Provided " + WireName(m) + " not base64-encoded JSON", WireName(m),
                             text);
    }
    return json::value(*decoded);
  }
  auto v = ScalarFromText(s, text);
  if (!v) {
    if (s.type == ShapeType::kTimestamp) return json::value();
    return InvalidArgument("Provided " + WireName(m) + " not " + std::string(TypeWord(s)),
                           WireName(m), text);
  }
  return std::move(*v);
}

// ---------------------------------------------------------------------------------------------
// XML payloads -> generic form.

class XmlInput {
 public:
  explicit XmlInput(const ServiceModel& model) : model_(model) {}

  Result<json::value, AwsError> Value(ShapeId id, const XmlElement& e, int depth) const {
    if (depth > kMaxDepth) return json::value();
    const Shape& s = model_.shape(id);
    switch (s.type) {
      case ShapeType::kStructure:
        return Structure(s, e, depth);
      case ShapeType::kList: {
        const std::string& item =
            s.member_location_name.empty() ? std::string("member") : s.member_location_name;
        json::array out;
        for (const XmlElement& c : e.children) {
          if (c.LocalName() != item) continue;
          auto v = Value(s.member_shape, c, depth + 1);
          if (!v.ok()) return v;
          out.push_back(std::move(*v));
        }
        return json::value(std::move(out));
      }
      case ShapeType::kMap: {
        json::object out;
        for (const XmlElement& c : e.children) {
          if (c.LocalName() != "entry") continue;
          auto r = Entry(s, c, &out, depth);
          if (!r.ok()) return r;
        }
        return json::value(std::move(out));
      }
      default: {
        auto v = ScalarFromText(s, e.text);
        if (!v) return MalformedXml();
        return std::move(*v);
      }
    }
  }

  Result<json::value, AwsError> Structure(const Shape& s, const XmlElement& e, int depth) const {
    json::object out;
    for (const Member& m : s.members) {
      const Shape& ms = model_.shape(m.shape);
      const std::string& name = WireName(m);
      if (m.xml_attribute) {
        if (const std::string* a = e.FindAttribute(name)) {
          auto v = ScalarFromText(ms, *a);
          if (!v) return MalformedXml();
          out[m.name] = std::move(*v);
        }
        continue;
      }
      const bool flattened = m.flattened || ms.flattened;
      if (flattened && ms.type == ShapeType::kList) {
        // Repeated elements in place of a wrapper: named by the list's member name if it has
        // one (botocore reads both), else by the structure member's.
        const std::string& item = ms.member_location_name;
        json::array items;
        for (const XmlElement& c : e.children) {
          std::string_view local = c.LocalName();
          if (local != name && (item.empty() || local != item)) continue;
          auto v = Value(ms.member_shape, c, depth + 1);
          if (!v.ok()) return v;
          items.push_back(std::move(*v));
        }
        if (!items.empty()) out[m.name] = std::move(items);
        continue;
      }
      if (flattened && ms.type == ShapeType::kMap) {
        json::object entries;
        for (const XmlElement& c : e.children) {
          if (c.LocalName() != name) continue;
          auto r = Entry(ms, c, &entries, depth);
          if (!r.ok()) return r;
        }
        if (!entries.empty()) out[m.name] = std::move(entries);
        continue;
      }
      const XmlElement* child = e.FindChild(name);
      if (child == nullptr) continue;
      auto v = Value(m.shape, *child, depth + 1);
      if (!v.ok()) return v;
      if (!v->is_null()) out[m.name] = std::move(*v);
    }
    return json::value(std::move(out));
  }

 private:
  // One <entry><key/><value/></entry> (or a flattened map's element) into `out`.
  Result<json::value, AwsError> Entry(const Shape& map, const XmlElement& e, json::object* out,
                                      int depth) const {
    const XmlElement* k =
        e.FindChild(map.key_location_name.empty() ? "key" : map.key_location_name);
    const XmlElement* v =
        e.FindChild(map.value_location_name.empty() ? "value" : map.value_location_name);
    if (k == nullptr || v == nullptr) return MalformedXml();
    auto value = Value(map.value_shape, *v, depth + 1);
    if (!value.ok()) return value;
    (*out)[k->text] = std::move(*value);
    return json::value();
  }

  const ServiceModel& model_;
};

// ---------------------------------------------------------------------------------------------
// Generic form -> XML and header text.

std::string DoubleText(double d) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

// The text of a scalar value, or nullopt when it is not of a scalar kind. Timestamps follow
// `format` (kDefault: ISO 8601 with milliseconds, as S3 writes them in XML).
std::optional<std::string> ScalarText(const Shape& s, TimestampFormat format,
                                      const json::value& v) {
  if (s.type == ShapeType::kTimestamp) {
    auto t = ToTimePoint(v);
    if (!t) return std::nullopt;
    switch (format) {
      case TimestampFormat::kUnixTimestamp:
        return FormatEpochSeconds(*t);
      case TimestampFormat::kRfc822:
        return FormatHttpDate(*t);
      default:
        return FormatIso8601Millis(*t);
    }
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
    case json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) return std::nullopt;
      bool integral = s.type == ShapeType::kInteger || s.type == ShapeType::kLong ||
                      s.type == ShapeType::kBigInteger;
      if (integral) return std::to_string(std::llround(d));
      return DoubleText(d);
    }
    default:
      return std::nullopt;
  }
}

// The text of a header member; nullopt when `v` cannot be written as one.
std::optional<std::string> HeaderText(const ServiceModel& model, const Member& m,
                                      const json::value& v) {
  const Shape& s = model.shape(m.shape);
  if (s.type == ShapeType::kList) {
    if (!v.is_array()) return std::nullopt;
    const Shape& item = model.shape(s.member_shape);
    std::vector<std::string> parts;
    for (const json::value& e : v.get_array()) {
      if (auto t = ScalarText(item, TimestampFormat::kRfc822, e)) parts.push_back(std::move(*t));
    }
    return Join(parts, ",");
  }
  if (m.json_value || s.json_value) {
    return Base64Encode(v.is_string() ? std::string(v.get_string()) : json::serialize(v));
  }
  TimestampFormat format = EffectiveFormat(m.timestamp_format, s);
  if (format == TimestampFormat::kDefault) format = TimestampFormat::kRfc822;
  return ScalarText(s, format, v);
}

class XmlOutput {
 public:
  XmlOutput(const ServiceModel& model, std::string* out) : model_(model), out_(out) {}

  // <name attrs>members</name> for structure `s`; `xmlns` on the root only.
  void Structure(const Shape& s, std::string_view name, const json::object& o,
                 std::string_view xmlns, int depth) {
    out_->push_back('<');
    out_->append(name);
    if (!xmlns.empty()) Attribute("xmlns", xmlns);
    if (!s.xml_namespace_prefix.empty() && !s.xml_namespace.empty()) {
      Attribute("xmlns:" + s.xml_namespace_prefix, s.xml_namespace);
    }
    for (const Member& m : s.members) {
      if (!m.xml_attribute) continue;
      auto it = o.find(m.name);
      if (it == o.end()) continue;
      if (auto text = ScalarText(model_.shape(m.shape), m.timestamp_format, it->value())) {
        Attribute(WireName(m), *text);
      }
    }
    out_->push_back('>');
    Members(s, o, depth + 1);
    out_->append("</");
    out_->append(name);
    out_->push_back('>');
  }

  // The body members of `s` present in `o`, in model order.
  void Members(const Shape& s, const json::object& o, int depth) {
    if (depth > kMaxDepth) return;
    for (const Member& m : s.members) {
      if (m.xml_attribute || m.location != Location::kBody) continue;
      auto it = o.find(m.name);
      if (it == o.end() || it->value().is_null()) continue;
      WriteMember(m, it->value(), depth);
    }
  }

 private:
  void Attribute(std::string_view name, std::string_view value) {
    out_->push_back(' ');
    out_->append(name);
    out_->append("=\"");
    AppendXmlEscaped(value, out_);
    out_->push_back('"');
  }

  void WriteMember(const Member& m, const json::value& v, int depth) {
    const Shape& s = model_.shape(m.shape);
    const std::string& name = WireName(m);
    const bool flattened = m.flattened || s.flattened;
    if (flattened && s.type == ShapeType::kList) {
      if (!v.is_array()) return;
      const std::string& item = s.member_location_name.empty() ? name : s.member_location_name;
      for (const json::value& e : v.get_array()) {
        Element(s.member_shape, TimestampFormat::kDefault, item, e, depth);
      }
      return;
    }
    if (flattened && s.type == ShapeType::kMap) {
      if (!v.is_object()) return;
      for (const auto& kv : v.get_object()) {
        Open(name);
        Entry(s, kv.key(), kv.value(), depth + 1);
        Close(name);
      }
      return;
    }
    Element(m.shape, m.timestamp_format, name, v, depth);
  }

  void Element(ShapeId id, TimestampFormat member_format, std::string_view name,
               const json::value& v, int depth) {
    if (v.is_null() || depth > kMaxDepth) return;
    const Shape& s = model_.shape(id);
    switch (s.type) {
      case ShapeType::kStructure:
        if (v.is_object()) Structure(s, name, v.get_object(), {}, depth);
        return;
      case ShapeType::kList: {
        if (!v.is_array()) return;
        const std::string& item =
            s.member_location_name.empty() ? std::string("member") : s.member_location_name;
        Open(name);
        for (const json::value& e : v.get_array()) {
          Element(s.member_shape, TimestampFormat::kDefault, item, e, depth + 1);
        }
        Close(name);
        return;
      }
      case ShapeType::kMap:
        if (!v.is_object()) return;
        Open(name);
        for (const auto& kv : v.get_object()) {
          Open("entry");
          Entry(s, kv.key(), kv.value(), depth + 2);
          Close("entry");
        }
        Close(name);
        return;
      default:
        if (auto text = ScalarText(s, EffectiveFormat(member_format, s), v)) {
          AppendXmlElement(name, *text, out_);
        }
        return;
    }
  }

  void Entry(const Shape& map, std::string_view key, const json::value& v, int depth) {
    AppendXmlElement(map.key_location_name.empty() ? "key" : map.key_location_name, key, out_);
    Element(map.value_shape, TimestampFormat::kDefault,
            map.value_location_name.empty() ? "value" : map.value_location_name, v, depth);
  }

  void Open(std::string_view name) {
    out_->push_back('<');
    out_->append(name);
    out_->push_back('>');
  }
  void Close(std::string_view name) {
    out_->append("</");
    out_->append(name);
    out_->push_back('>');
  }

  const ServiceModel& model_;
  std::string* out_;
};

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

std::string_view Namespace(const ServiceModel& model) {
  return model.metadata().xml_namespace.empty() ? RestXmlCodec::kS3Namespace
                                                : std::string_view(model.metadata().xml_namespace);
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

void AddRequestIds(std::string_view request_id, http::Response* r) {
  r->headers.push_back({"x-amz-request-id", std::string(request_id)});
  r->headers.push_back({"x-amz-id-2", RestXmlCodec::HostId(request_id)});
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string RestXmlCodec::HostId(std::string_view request_id) {
  Sha256Digest d = Sha256(std::string("sagetrail-host-id/") + std::string(request_id));
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string RestXmlCodec::ResponseRootName(const ServiceModel& model, const Operation& op) {
  if (op.output != kNoShape) {
    const Shape& out = model.shape(op.output);
    if (const Member* p = out.payload.empty() ? nullptr : out.FindMember(out.payload)) {
      return WireName(*p);
    }
  }
  // S3's names for the documents whose root the model does not name.
  static const std::unordered_map<std::string_view, std::string_view> kRoots = {
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListDirectoryBuckets", "ListAllMyDirectoryBucketsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"GetBucketLocation", "LocationConstraint"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
      {"DeleteObjects", "DeleteResult"},
      {"ListMultipartUploads", "ListMultipartUploadsResult"},
      {"ListParts", "ListPartsResult"},
      {"GetBucketTagging", "Tagging"},
      {"GetObjectTagging", "Tagging"},
      {"GetBucketAcl", "AccessControlPolicy"},
      {"GetObjectAcl", "AccessControlPolicy"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetBucketCors", "CORSConfiguration"},
      {"GetBucketLifecycle", "LifecycleConfiguration"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketWebsite", "WebsiteConfiguration"},
      {"GetBucketLogging", "BucketLoggingStatus"},
      {"GetBucketNotification", "NotificationConfiguration"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"GetBucketRequestPayment", "RequestPaymentConfiguration"},
      {"GetBucketAccelerateConfiguration", "AccelerateConfiguration"},
      {"CreateSession", "CreateSessionResult"},
  };
  auto it = kRoots.find(op.name);
  if (it != kRoots.end()) return std::string(it->second);
  return op.name + "Result";
}

const Member* RestXmlCodec::StreamingInputMember(const ServiceModel& model, const Operation& op) {
  if (op.input == kNoShape) return nullptr;
  const Shape& in = model.shape(op.input);
  if (in.payload.empty()) return nullptr;
  const Member* m = in.FindMember(in.payload);
  if (m == nullptr) return nullptr;
  const Shape& s = model.shape(m->shape);
  if (s.type != ShapeType::kBlob && s.type != ShapeType::kString) return nullptr;
  return m->streaming || s.streaming ? m : nullptr;
}

Result<const Operation*, AwsError> RestXmlCodec::ResolveOperation(
    const ServiceModel& model, const http::Request& request) const {
  const S3Address address = ParseS3Address(request);
  const Resource resource = ResourceOf(address);
  const std::vector<QueryParam> params = ParseQuery(request.query());

  // An x-id naming an operation that fits decides alone (SDKs add it to disambiguate).
  if (const QueryParam* xid = FindParam(params, "x-id")) {
    const Operation* op = model.FindOperation(xid->value);
    if (op != nullptr && op->http_method == request.method &&
        ParseRequestUri(op->request_uri).resource == resource) {
      return op;
    }
  }

  const Operation* best = nullptr;
  std::pair<size_t, int> best_score{0, -1};
  for (const Operation* op : model.operations()) {
    if (op->http_method != request.method) continue;
    UriTemplate t = ParseRequestUri(op->request_uri);
    if (t.resource != resource || !LiteralsPresent(t, params)) continue;
    int required = RequiredMatches(model, *op, request, params);
    if (required < 0) continue;
    // Literal query keys first (a subresource names the operation), then required members.
    std::pair<size_t, int> score{t.literals.size(), required};
    if (best == nullptr || score > best_score ||
        (score == best_score && best->deprecated && !op->deprecated)) {
      best = op;
      best_score = score;
    }
  }
  if (best != nullptr) return best;
  return MethodNotAllowed(request.method, resource);
}

bool RestXmlCodec::StreamsRequestBody(const ServiceModel& model, const http::Request& head) const {
  auto op = ResolveOperation(model, head);
  return op.ok() && StreamingInputMember(model, **op) != nullptr;
}

Result<json::value, AwsError> RestXmlCodec::ParseInput(const ServiceModel& model,
                                                       const Operation& op,
                                                       const http::Request& request) const {
  if (op.input == kNoShape) return json::value(json::object());
  const Shape& in = model.shape(op.input);
  const S3Address address = ParseS3Address(request);
  const std::vector<QueryParam> params = ParseQuery(request.query());
  const UriTemplate tpl = ParseRequestUri(op.request_uri);

  json::object out;
  bool has_body_members = false;
  for (const Member& m : in.members) {
    const std::string& wire = WireName(m);
    switch (m.location) {
      case Location::kUri:
        if (wire == tpl.bucket_label && !address.bucket.empty()) {
          out[m.name] = address.bucket;
        } else if (wire == tpl.key_label && !address.raw_key.empty()) {
          out[m.name] = address.Key();
        }
        break;
      case Location::kHeader: {
        const std::string* h = request.FindHeader(wire);
        if (h == nullptr) break;
        auto v = ReadParameter(model, m, *h);
        if (!v.ok()) return std::move(v).error();
        if (!v->is_null()) out[m.name] = std::move(*v);
        break;
      }
      case Location::kHeaders: {
        // Every header starting with the prefix, keyed by the rest of its name in lower case
        // (S3 stores user metadata names lower-cased); a repeated name joins its values.
        std::string prefix = AsciiLower(wire);
        json::object map;
        for (const http::Header& h : request.headers) {
          if (h.name.size() <= prefix.size() || AsciiLower(h.name).rfind(prefix, 0) != 0) continue;
          std::string key = AsciiLower(std::string_view(h.name).substr(prefix.size()));
          auto it = map.find(key);
          if (it == map.end()) {
            map[key] = h.value;
          } else {
            it->value() = std::string(it->value().get_string()) + "," + h.value;
          }
        }
        if (!map.empty()) out[m.name] = std::move(map);
        break;
      }
      case Location::kQueryString: {
        const Shape& s = model.shape(m.shape);
        if (s.type == ShapeType::kMap) {
          // The query parameters no other member names.
          json::object map;
          for (const QueryParam& p : params) {
            bool named = std::any_of(in.members.begin(), in.members.end(), [&](const Member& o) {
              return o.location == Location::kQueryString && WireName(o) == p.key;
            });
            bool literal = std::any_of(tpl.literals.begin(), tpl.literals.end(),
                                       [&](const QueryParam& l) { return l.key == p.key; });
            if (!named && !literal && p.key != "x-id" && !map.contains(p.key)) {
              map[p.key] = p.value;
            }
          }
          if (!map.empty()) out[m.name] = std::move(map);
        } else if (s.type == ShapeType::kList) {
          json::array items;
          const Shape& item = model.shape(s.member_shape);
          for (const QueryParam& p : params) {
            if (p.key != wire) continue;
            auto v = ScalarFromText(item, p.value);
            if (!v) {
              return InvalidArgument("Provided " + wire + " not " + std::string(TypeWord(item)),
                                     wire, p.value);
            }
            items.push_back(std::move(*v));
          }
          if (!items.empty()) out[m.name] = std::move(items);
        } else if (const QueryParam* p = FindParam(params, wire)) {
          auto v = ReadParameter(model, m, p->value);
          if (!v.ok()) return std::move(v).error();
          if (!v->is_null()) out[m.name] = std::move(*v);
        }
        break;
      }
      case Location::kStatusCode:
        break;
      case Location::kBody:
        has_body_members = true;
        break;
    }
  }

  const std::string_view body = request.body;
  const Member* payload = in.payload.empty() ? nullptr : in.FindMember(in.payload);
  if (payload != nullptr) {
    const Shape& ps = model.shape(payload->shape);
    if (payload->streaming || ps.streaming) return json::value(std::move(out));
    if (ps.type == ShapeType::kString) {
      if (!body.empty()) out[payload->name] = body;
      return json::value(std::move(out));
    }
    if (ps.type == ShapeType::kBlob) {
      if (!body.empty()) out[payload->name] = Base64Encode(body);
      return json::value(std::move(out));
    }
    if (ps.type != ShapeType::kStructure) return json::value(std::move(out));
    if (IsBlank(body)) {
      bool required = std::any_of(in.required.begin(), in.required.end(),
                                  [&](uint32_t i) { return &in.members[i] == payload; });
      if (required) return AwsError{"MissingRequestBodyError", "Request Body is empty", 400, true};
      return json::value(std::move(out));
    }
    auto doc = XmlReader::Parse(body);
    if (!doc.ok() || doc->LocalName() != WireName(*payload)) return MalformedXml();
    auto v = XmlInput(model).Value(payload->shape, *doc, 1);
    if (!v.ok()) return std::move(v).error();
    out[payload->name] = std::move(*v);
    return json::value(std::move(out));
  }
  if (has_body_members && !IsBlank(body)) {
    // No payload member: the body members sit under one root element, whatever its name.
    auto doc = XmlReader::Parse(body);
    if (!doc.ok()) return MalformedXml();
    auto v = XmlInput(model).Structure(in, *doc, 1);
    if (!v.ok()) return std::move(v).error();
    for (auto& kv : v->get_object()) {
      const Member* m = in.FindMember(kv.key());
      if (m != nullptr && m->location == Location::kBody) out[kv.key()] = std::move(kv.value());
    }
  }
  return json::value(std::move(out));
}

http::Response RestXmlCodec::SerializeOutput(const ServiceModel& model, const Operation& op,
                                             const json::value& output,
                                             std::string_view request_id) const {
  http::Response r;
  r.status = op.http_response_code;
  AddRequestIds(request_id, &r);
  if (op.output == kNoShape) return r;
  const Shape& out = model.shape(op.output);
  static const json::object kEmpty;
  const json::object& o = output.is_object() ? output.get_object() : kEmpty;

  bool has_body_members = false;
  for (const Member& m : out.members) {
    if (m.location == Location::kBody) has_body_members = true;
    auto it = o.find(m.name);
    if (it == o.end() || it->value().is_null()) continue;
    const json::value& v = it->value();
    switch (m.location) {
      case Location::kHeader:
        if (auto text = HeaderText(model, m, v)) r.headers.push_back({WireName(m), *text});
        break;
      case Location::kHeaders:
        if (v.is_object()) {
          const Shape& map = model.shape(m.shape);
          for (const auto& kv : v.get_object()) {
            auto text =
                ScalarText(model.shape(map.value_shape), TimestampFormat::kRfc822, kv.value());
            if (text) r.headers.push_back({WireName(m) + std::string(kv.key()), *text});
          }
        }
        break;
      case Location::kStatusCode:
        if (auto code = IntField(o, m.name); code && *code >= 100 && *code <= 599) {
          r.status = static_cast<int>(*code);
        }
        break;
      default:
        break;
    }
  }

  // A partial body (a Range request answered with Content-Range) is 206, as HTTP has it; the
  // model has no member for the status.
  if (r.status == 200 && r.FindHeader("Content-Range") != nullptr) r.status = 206;

  auto set_xml_content_type = [&] {
    if (r.FindHeader("Content-Type") == nullptr) {
      r.headers.push_back({"Content-Type", "application/xml"});
    }
  };
  const Member* payload = out.payload.empty() ? nullptr : out.FindMember(out.payload);
  if (payload != nullptr) {
    const Shape& ps = model.shape(payload->shape);
    if (payload->streaming || ps.streaming) return r;  // the service attaches the stream
    const json::value* v = Field(output, payload->name);
    if (v == nullptr) return r;
    if (ps.type == ShapeType::kString && v->is_string()) {
      r.body = std::string(v->get_string());
    } else if (ps.type == ShapeType::kBlob && v->is_string()) {
      if (auto raw = Base64Decode(v->get_string())) r.body = std::move(*raw);
    } else if (ps.type == ShapeType::kStructure && v->is_object()) {
      r.body = kXmlDeclaration;
      XmlOutput(model, &r.body)
          .Structure(ps, WireName(*payload), v->get_object(), Namespace(model), 0);
      set_xml_content_type();
    }
    return r;
  }
  if (!has_body_members) return r;

  const std::string root = ResponseRootName(model, op);
  r.body = kXmlDeclaration;
  // A document that is one scalar member named like its root holds the text itself:
  // <LocationConstraint xmlns="...">eu-west-1</LocationConstraint> (empty for us-east-1).
  const Member* only = nullptr;
  size_t body_members = 0;
  for (const Member& m : out.members) {
    if (m.location != Location::kBody) continue;
    ++body_members;
    only = &m;
  }
  const Shape* only_shape = only != nullptr ? &model.shape(only->shape) : nullptr;
  if (body_members == 1 && WireName(*only) == root && only_shape->type != ShapeType::kStructure &&
      only_shape->type != ShapeType::kList && only_shape->type != ShapeType::kMap) {
    r.body += "<" + root + " xmlns=\"";
    AppendXmlEscaped(Namespace(model), &r.body);
    r.body += "\">";
    if (const json::value* v = Field(output, only->name)) {
      if (auto text =
              ScalarText(*only_shape, EffectiveFormat(only->timestamp_format, *only_shape), *v)) {
        AppendXmlEscaped(*text, &r.body);
      }
    }
    r.body += "</" + root + ">";
  } else {
    XmlOutput(model, &r.body).Structure(out, root, o, Namespace(model), 0);
  }
  set_xml_content_type();
  return r;
}

http::Response RestXmlCodec::SerializeError(const ServiceModel*, const AwsError& error,
                                            std::string_view request_id) const {
  http::Response r;
  r.status = error.http_status;
  AddRequestIds(request_id, &r);
  r.headers.push_back({"Content-Type", "application/xml"});
  std::string& b = r.body;
  b = kXmlDeclaration;
  b += "<Error>";
  AppendXmlElement("Code", error.code, &b);
  AppendXmlElement("Message", error.message, &b);
  for (const auto& [name, value] : error.extra) AppendXmlElement(name, value, &b);
  AppendXmlElement("RequestId", request_id, &b);
  b += "</Error>";
  return r;
}

}  // namespace sagetrail::aws
