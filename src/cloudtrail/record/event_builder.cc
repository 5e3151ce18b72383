#include "cloudtrail/record/event_builder.h"

#include <boost/json.hpp>
#include <functional>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::cloudtrail {
namespace json = boost::json;
using aws::JsonWriter;

namespace {

constexpr std::string_view kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

// CloudTrail times have whole-second precision (records and Event history alike), so that a
// lookup bounded by a record's own eventTime finds it.
TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }
constexpr size_t kMaxUserAgent = 1024;
constexpr size_t kMaxErrorMessage = 1024;
// CloudTrail's limits: requestParameters, responseElements and serviceEventDetails at most
// 100 KB each, the whole event at most 256 KB. A field over its limit is replaced by
// {"omitted":true}, as CloudTrail flags a truncated field.
constexpr size_t kMaxParametersBytes = 100 * 1024;
constexpr size_t kMaxEventBytes = 256 * 1024;
constexpr std::string_view kOmitted = R"({"omitted":true})";
// A resource name or ARN longer than this cannot be looked up (LookupEvents takes attribute
// values of at most 2000 characters), so it is not indexed.
constexpr size_t kMaxIndexedResource = 2000;

// At most `max` bytes of `s`, never ending inside a UTF-8 sequence.
std::string_view Capped(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t Utf8SequenceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp, min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Replaces each byte that is not part of well-formed UTF-8 with U+FFFD. Clients can send any
// octet in a header, a URI or a form field; a record must stay valid JSON (and LookupEvents
// output valid UTF-8) whatever they sent. Only structural JSON characters are ASCII, so this
// never changes a record's structure.
void RepairUtf8(std::string* s) {
  size_t i = 0;
  while (i < s->size()) {
    size_t n = Utf8SequenceAt(*s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s->size()) return;  // the usual case: nothing to do
  std::string out(s->data(), i);
  out.reserve(s->size() + 16);
  while (i < s->size()) {
    size_t n = Utf8SequenceAt(*s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(*s, i, n);
      i += n;
    }
  }
  s->swap(out);
}

// Writes a generic value as CloudTrail shows parameters: member names with the first letter
// lower-cased, in model order; timestamps as "Oct 26, 2025, 11:50:52 PM"; sensitive members
// hidden in requestParameters and left out of responseElements (no secret key in a record).
void WriteRecordValue(const aws::ServiceModel& model, aws::ShapeId id, const json::value& v,
                      bool response, JsonWriter& w) {
  const aws::Shape& s = model.shape(id);
  if (s.sensitive) {
    w.String(kHidden);
    return;
  }
  switch (s.type) {
    case aws::ShapeType::kStructure: {
      if (!v.is_object()) return w.Value(v);
      const json::object& o = v.get_object();
      w.BeginObject();
      for (const aws::Member& m : s.members) {
        auto it = o.find(m.name);
        if (it == o.end() || it->value().is_null()) continue;
        if (response && model.shape(m.shape).sensitive) continue;
        w.Key(LowerFirst(m.name));
        WriteRecordValue(model, m.shape, it->value(), response, w);
      }
      w.EndObject();
      return;
    }
    case aws::ShapeType::kList: {
      if (!v.is_array()) return w.Value(v);
      w.BeginArray();
      for (const auto& e : v.get_array()) WriteRecordValue(model, s.member_shape, e, response, w);
      w.EndArray();
      return;
    }
    case aws::ShapeType::kMap: {
      if (!v.is_object()) return w.Value(v);
      w.BeginObject();
      for (const auto& kv : v.get_object()) {
        w.Key(kv.key());
        WriteRecordValue(model, s.value_shape, kv.value(), response, w);
      }
      w.EndObject();
      return;
    }
    case aws::ShapeType::kTimestamp: {
      if (auto t = aws::ToTimePoint(v)) {
        w.String(FormatRecordTimestamp(*t));
      } else {
        w.Value(v);
      }
      return;
    }
    default:
      w.Value(v);
  }
}

// requestParameters / responseElements as JSON text: the shape's members, "null" when there are
// none, and CloudTrail's {"omitted":true} when they would exceed the field's limit. `hidden`
// names top-level members that carry a secret the model does not mark (written as hidden).
std::string ParametersText(const aws::ServiceModel& model, aws::ShapeId id, const json::value& v,
                           bool response,
                           const std::function<bool(std::string_view)>& hidden = nullptr) {
  if (id == aws::kNoShape || !v.is_object() || v.get_object().empty()) return "null";
  std::string out;
  JsonWriter w(&out);
  if (!hidden) {
    WriteRecordValue(model, id, v, response, w);
  } else {
    // The top level by hand, so that hidden members can be replaced.
    const aws::Shape& s = model.shape(id);
    const json::object& o = v.get_object();
    w.BeginObject();
    for (const aws::Member& m : s.members) {
      auto it = o.find(m.name);
      if (it == o.end() || it->value().is_null()) continue;
      if (response && model.shape(m.shape).sensitive) continue;
      w.Key(LowerFirst(m.name));
      if (hidden(m.name)) {
        w.String(kHidden);
      } else {
        WriteRecordValue(model, m.shape, it->value(), response, w);
      }
    }
    w.EndObject();
  }
  if (out.size() > kMaxParametersBytes) return std::string(kOmitted);
  return out;
}

// A parameter field's JSON text within its limit.
std::string Limited(std::string text) {
  return text.size() > kMaxParametersBytes ? std::string(kOmitted) : text;
}

void WriteSessionIssuer(const aws::SessionIssuer& i, JsonWriter& w) {
  w.BeginObject();
  w.Key("type");
  w.String(i.type);
  w.Key("principalId");
  w.String(i.principal_id);
  w.Key("arn");
  w.String(i.arn);
  w.Key("accountId");
  w.String(i.account_id);
  if (!i.user_name.empty()) {  // the root user (issuing a federation token) has none
    w.Key("userName");
    w.String(i.user_name);
  }
  w.EndObject();
}

void WriteUserIdentity(const aws::Identity& id, JsonWriter& w) {
  w.BeginObject();
  if (id.type == aws::IdentityType::kAWSService) {
    w.Key("type");
    w.String("AWSService");
    w.Key("invokedBy");
    w.String(id.invoked_by);
    w.EndObject();
    return;
  }
  w.Key("type");
  w.String(aws::IdentityTypeName(id.type));
  w.Key("principalId");
  w.String(id.principal_id);
  w.Key("arn");
  w.String(id.arn);
  w.Key("accountId");
  w.String(id.account_id);
  w.Key("accessKeyId");
  w.String(id.access_key_id);
  bool user_name = (id.type == aws::IdentityType::kIAMUser) ||
                   (id.type == aws::IdentityType::kRoot && !id.user_name.empty());
  if (user_name) {
    w.Key("userName");
    w.String(id.user_name);
  }
  if (id.session) {
    w.Key("sessionContext");
    w.BeginObject();
    // GetSessionToken sessions have no issuer: both objects are written empty.
    w.Key("sessionIssuer");
    if (id.session->issuer) {
      WriteSessionIssuer(*id.session->issuer, w);
    } else {
      w.BeginObject();
      w.EndObject();
    }
    w.Key("webIdFederationData");
    w.BeginObject();
    w.EndObject();
    w.Key("attributes");
    w.BeginObject();
    w.Key("creationDate");
    w.String(FormatIso8601(id.session->creation_date));
    w.Key("mfaAuthenticated");
    w.String(id.session->mfa_authenticated ? "true" : "false");
    w.EndObject();
    if (!id.session->source_identity.empty()) {
      w.Key("sourceIdentity");
      w.String(id.session->source_identity);
    }
    w.EndObject();
  }
  if (!id.invoked_by.empty()) {
    w.Key("invokedBy");
    w.String(id.invoked_by);
  }
  w.EndObject();
}

// The account field of "arn:<partition>:<service>:<region>:<account>:..." (empty if none).
std::string_view AccountOfArn(std::string_view arn) {
  if (arn.substr(0, 4) != "arn:") return {};
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = arn.find(':', pos);
  return end == std::string_view::npos ? std::string_view() : arn.substr(pos, end - pos);
}

void WriteResources(const std::vector<aws::CallResource>& resources, std::string_view account_id,
                    JsonWriter& w) {
  w.Key("resources");
  w.BeginArray();
  for (const auto& r : resources) {
    // A resource belongs to the account its ARN names (a role of another account, for a
    // cross-account AssumeRole), else to the caller's.
    std::string_view owner = AccountOfArn(r.arn.empty() ? r.name : r.arn);
    w.BeginObject();
    w.Key("accountId");
    w.String(owner.empty() ? account_id : owner);
    w.Key("type");
    w.String(r.type);
    w.Key("ARN");
    w.String(r.arn.empty() ? r.name : r.arn);
    w.EndObject();
  }
  w.EndArray();
}

void IndexResources(const std::vector<aws::CallResource>& resources, EventRecord* record) {
  for (const auto& r : resources) {
    // Names no lookup could ask for are not kept (a caller can send a name of any length).
    if (r.name.size() > kMaxIndexedResource) continue;
    std::string arn = r.arn == r.name || r.arn.size() > kMaxIndexedResource ? "" : r.arn;
    record->resources.push_back({r.type, r.name, std::move(arn)});
  }
}

}  // namespace

std::string EventBuilder::EventSourceOf(const aws::ServiceModel& model) {
  std::string name = model.metadata().signing_name;
  if (name.empty()) name = model.metadata().endpoint_prefix;
  return name + ".amazonaws.com";
}

std::string EventBuilder::UsernameOf(const aws::Identity& id) {
  switch (id.type) {
    case aws::IdentityType::kRoot:
      return "root";
    case aws::IdentityType::kIAMUser:
      return id.user_name;
    case aws::IdentityType::kAssumedRole:
    case aws::IdentityType::kFederatedUser:
      return id.session_name;
    case aws::IdentityType::kAWSService:
      return {};
  }
  return {};
}

std::vector<EventRecord> EventBuilder::RecordsFor(const aws::RequestContext& ctx) const {
  std::vector<EventRecord> out;
  if (ctx.also_recorded_in.empty()) {
    out.push_back(FromRequest(ctx));
    return out;
  }
  // One record per account involved, each with its own eventID and a sharedEventID linking
  // them (CloudTrail's cross-account copies).
  std::string shared = random_.Uuid();
  out.push_back(Build(ctx, ctx.account_id, shared));
  for (const std::string& account : ctx.also_recorded_in) {
    if (account != ctx.account_id) out.push_back(Build(ctx, account, shared));
  }
  return out;
}

EventRecord EventBuilder::FromRequest(const aws::RequestContext& ctx) const {
  return Build(ctx, ctx.account_id, "");
}

EventRecord EventBuilder::Build(const aws::RequestContext& ctx, const std::string& recipient,
                                const std::string& shared_event_id) const {
  const aws::ServiceModel& model = *ctx.service;
  const aws::Operation& op = *ctx.operation;
  EventRecord r;
  r.account_id = recipient;
  const aws::ServiceTraits& traits = *ctx.traits;
  r.region = traits.RecordRegion(ctx.region);
  r.event_time = WholeSeconds(ctx.completed_at);
  r.event_id = random_.Uuid();
  r.event_name = op.name;
  r.event_source = EventSourceOf(model);
  const bool foreign_caller =
      recipient != ctx.identity.account_id && ctx.identity.type != aws::IdentityType::kAWSService;
  if (!foreign_caller) {
    r.username = UsernameOf(ctx.identity);
    r.access_key_id = ctx.identity.access_key_id;
  }
  r.read_only = traits.IsReadOnly(op.name);
  bool data_event = traits.IsDataEvent(op.name);
  r.management = !data_event;
  bool ok = !ctx.error.has_value();
  const std::vector<aws::CallResource>& resources = ctx.resources;
  IndexResources(resources, &r);

  // The parameters, each within its limit.
  std::string request = "null";
  if (traits.LogsRequestParameters(op.name)) {
    auto own = traits.RequestParametersText(ctx);
    request = own ? Limited(std::move(*own)) : ParametersText(model, op.input, ctx.input, false);
  }
  std::optional<std::string> additional = traits.AdditionalEventDataText(ctx);
  std::string response = "null";
  if (ok && traits.LogsResponse(op.name) && !data_event) {
    response = ParametersText(model, op.output, ctx.output, true, [&](std::string_view member) {
      return traits.HidesOutputMember(op.name, member);
    });
  }
  // Management records of most services carry no "resources" element (they are still indexed
  // for Event history); data events, service events and STS role assumptions name the resources
  // they touched.
  const bool service_event = ctx.event_type == "AwsServiceEvent";
  std::vector<aws::CallResource> listed;
  if (traits.ListsResources(op.name) || service_event) {
    for (const auto& res : resources) {
      if (!res.arn.empty() && res.arn.size() <= kMaxIndexedResource) listed.push_back(res);
    }
  }

  auto write = [&](std::string_view request_text, std::string_view response_text) {
    std::string& b = r.body;
    b.clear();
    b.reserve(1024 + request_text.size() + response_text.size());
    JsonWriter w(&b);
    w.BeginObject();
    w.Key("eventVersion");
    w.String(kEventVersion);
    w.Key("userIdentity");
    if (foreign_caller) {
      // The copy delivered to another account (the role's, for a cross-account AssumeRole)
      // names the caller only by its account and principal id.
      w.BeginObject();
      w.Key("type");
      w.String("AWSAccount");
      w.Key("principalId");
      w.String(ctx.identity.principal_id);
      w.Key("accountId");
      w.String(ctx.identity.account_id);
      w.EndObject();
    } else {
      WriteUserIdentity(ctx.identity, w);
    }
    w.Key("eventTime");
    w.String(FormatIso8601(r.event_time));
    w.Key("eventSource");
    w.String(r.event_source);
    w.Key("eventName");
    w.String(r.event_name);
    w.Key("awsRegion");
    w.String(r.region);
    w.Key("sourceIPAddress");
    w.String(ctx.source_ip);
    w.Key("userAgent");
    w.String(Capped(ctx.user_agent, kMaxUserAgent));
    if (!ok) {
      w.Key("errorCode");
      w.String(ctx.error->code);
      w.Key("errorMessage");
      w.String(Capped(ctx.error->message, kMaxErrorMessage));
    }
    w.Key("requestParameters");
    w.Raw(request_text);
    w.Key("responseElements");
    w.Raw(response_text);
    if (additional) {
      w.Key("additionalEventData");
      w.Raw(*additional);
    }
    if (!service_event) {  // a service's own action answers no request
      w.Key("requestID");
      w.String(ctx.request_id);
    }
    w.Key("eventID");
    w.String(r.event_id);
    w.Key("readOnly");
    w.Bool(r.read_only);
    if (!listed.empty()) WriteResources(listed, ctx.account_id, w);
    w.Key("eventType");
    w.String(ctx.event_type);
    w.Key("managementEvent");
    w.Bool(r.management);
    w.Key("recipientAccountId");
    w.String(recipient);
    if (!shared_event_id.empty()) {
      w.Key("sharedEventID");
      w.String(shared_event_id);
    }
    if (service_event) {
      w.Key("serviceEventDetails");
      w.Raw(ctx.service_event_details.is_object()
                ? Limited(json::serialize(ctx.service_event_details))
                : std::string("{}"));
    }
    w.Key("eventCategory");
    w.String(data_event ? "Data" : "Management");
    w.EndObject();
  };
  // The whole event within its limit too: the response is given up first, then the request.
  write(request, response);
  if (r.body.size() > kMaxEventBytes) write(request, kOmitted);
  if (r.body.size() > kMaxEventBytes) write(kOmitted, kOmitted);
  RepairUtf8(&r.body);
  RepairUtf8(&r.username);
  for (ResourceRef& ref : r.resources) {
    RepairUtf8(&ref.name);
    RepairUtf8(&ref.arn);
  }
  return r;
}

}  // namespace sagetrail::cloudtrail
