#include "cloudtrail/lookup/lookup_events.h"

#include <algorithm>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "cloudtrail/lookup/next_token.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace sagetrail::cloudtrail {
namespace json = boost::json;
using aws::AwsError;

namespace {

AwsError Error(std::string code, std::string message) {
  return AwsError{std::move(code), std::move(message), 400, true};
}

// Binds a paging token to everything that selects the events.
std::string Fingerprint(const aws::RequestContext& ctx, const json::value& in) {
  std::string f = ctx.account_id + "\n" + ctx.region + "\n";
  if (const json::value* attrs = aws::Field(in, "LookupAttributes")) f += json::serialize(*attrs);
  f += "\n";
  for (const char* k : {"StartTime", "EndTime", "EventCategory"}) {
    if (const json::value* v = aws::Field(in, k)) {
      auto t = aws::ToTimePoint(*v);
      f += t ? std::to_string(ToUnixMillis(*t)) : json::serialize(*v);
    }
    f += "\n";
  }
  return f;
}

}  // namespace

std::optional<AwsError> LookupEvents::CheckInput(const json::value& in) {
  if (const json::value* attrs = aws::Field(in, "LookupAttributes")) {
    if (attrs->is_array()) {
      const json::array& a = attrs->get_array();
      if (a.size() > 1) {
        return Error("InvalidLookupAttributesException",
                     "You cannot specify more than one lookup attribute.");
      }
      for (const auto& attr : a) {
        auto key = aws::StringField(attr, "AttributeKey");
        if (!key || !ParseLookupAttribute(*key)) {
          return Error("InvalidLookupAttributesException",
                       "Lookup attribute key " + (key ? std::string(*key) : std::string("null")) +
                           " is not valid. Valid keys are: EventId, EventName, ReadOnly, "
                           "Username, ResourceType, ResourceName, EventSource, AccessKeyId.");
        }
        auto value = aws::StringField(attr, "AttributeValue");
        if (!value || value->empty()) {
          return Error("InvalidLookupAttributesException",
                       "The lookup attribute value cannot be empty.");
        }
        if (*key == "ReadOnly" && !EqualsIgnoreCase(*value, "true") &&
            !EqualsIgnoreCase(*value, "false")) {
          return Error("InvalidLookupAttributesException",
                       "The value of the ReadOnly lookup attribute must be true or false.");
        }
      }
    }
  }
  if (auto max = aws::IntField(in, "MaxResults"); max && (*max < 1 || *max > 50)) {
    return Error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
  }
  if (auto cat = aws::StringField(in, "EventCategory"); cat && *cat != "insight") {
    return Error("InvalidEventCategoryException",
                 "The event category " + std::string(*cat) +
                     " is not valid. The only valid event category is insight.");
  } else if (cat) {
    // Insights events are looked up by EventId, EventName or EventSource only.
    if (const json::value* attrs = aws::Field(in, "LookupAttributes");
        attrs && attrs->is_array() && !attrs->get_array().empty()) {
      auto key = aws::StringField(attrs->get_array()[0], "AttributeKey");
      if (key && *key != "EventId" && *key != "EventName" && *key != "EventSource") {
        return Error("InvalidLookupAttributesException",
                     "Lookup attribute key " + std::string(*key) +
                         " is not valid for the insight event category. Valid keys are: EventId, "
                         "EventName, EventSource.");
      }
    }
  }
  const json::value* start_v = aws::Field(in, "StartTime");
  const json::value* end_v = aws::Field(in, "EndTime");
  if (start_v && end_v) {
    auto start = aws::ToTimePoint(*start_v);
    auto end = aws::ToTimePoint(*end_v);
    if (start && end && *start > *end) {
      return Error("InvalidTimeRangeException", "Start time must be before end time.");
    }
  }
  return std::nullopt;
}

Result<json::value, AwsError> LookupEvents::Run(const aws::RequestContext& ctx) const {
  const json::value& in = ctx.input;
  TimePoint now = clock_.Now();
  LookupQuery q;
  q.account_id = ctx.account_id;
  q.region = ctx.region;
  q.max_results = static_cast<size_t>(aws::IntField(in, "MaxResults").value_or(50));
  // The range defaults to the retention window ending now; a StartTime after the (default) end,
  // or an EndTime before the (default) start, is an invalid range, as one after the other is.
  TimePoint start = now - retention_;
  TimePoint end = now;
  if (const json::value* v = aws::Field(in, "StartTime")) {
    if (auto t = aws::ToTimePoint(*v)) start = *t;
  }
  if (const json::value* v = aws::Field(in, "EndTime")) {
    if (auto t = aws::ToTimePoint(*v)) end = *t;
  }
  if (start > end) return Error("InvalidTimeRangeException", "Start time must be before end time.");
  q.start = std::max(start, now - retention_);  // nothing older is kept
  q.end = end;
  if (const json::value* attrs = aws::Field(in, "LookupAttributes");
      attrs && attrs->is_array() && !attrs->get_array().empty()) {
    const json::value& a = attrs->get_array()[0];
    q.attribute = *ParseLookupAttribute(*aws::StringField(a, "AttributeKey"));
    q.value = std::string(*aws::StringField(a, "AttributeValue"));
    if (q.attribute == LookupAttribute::kReadOnly) q.value = AsciiLower(q.value);
  }
  std::string fingerprint = Fingerprint(ctx, in);
  if (auto token = aws::StringField(in, "NextToken")) {
    auto pos = DecodeNextToken(store_.secret(), fingerprint, *token);
    if (!pos) {
      return Error("InvalidNextTokenException",
                   "The next token is invalid or was issued for a different query.");
    }
    q.after = std::make_pair(pos->event_time_ms, pos->seq);
  }

  json::object out;
  json::array events;
  bool insight = aws::StringField(in, "EventCategory").has_value();
  LookupPage page;
  if (!insight && q.start <= q.end) {  // no Insights events are generated
    auto result = store_.Lookup(q);
    if (!result.ok()) {
      return AwsError::InternalFailure("Event history is unavailable: " + result.error().message());
    }
    page = std::move(result).value();
  }
  for (const EventRecord& r : page.events) {
    json::object e;
    e["EventId"] = r.event_id;
    e["EventName"] = r.event_name;
    e["ReadOnly"] = r.read_only ? "true" : "false";
    if (!r.access_key_id.empty()) e["AccessKeyId"] = r.access_key_id;
    e["EventTime"] = aws::TimestampValue(r.event_time);
    e["EventSource"] = r.event_source;
    if (!r.username.empty()) e["Username"] = r.username;
    json::array resources;
    for (const ResourceRef& ref : r.resources) {
      resources.push_back(json::object{{"ResourceType", ref.type}, {"ResourceName", ref.name}});
    }
    e["Resources"] = std::move(resources);
    e["CloudTrailEvent"] = r.body;
    events.push_back(std::move(e));
  }
  out["Events"] = std::move(events);
  if (page.more && !page.events.empty()) {
    const EventRecord& last = page.events.back();
    out["NextToken"] =
        EncodeNextToken(store_.secret(), fingerprint, {ToUnixMillis(last.event_time), last.seq});
  }
  return json::value(std::move(out));
}

}  // namespace sagetrail::cloudtrail
