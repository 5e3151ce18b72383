#include "cloudtrail/store/record_codec.h"

#include "common/coding.h"

namespace sagetrail::cloudtrail {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kFlagReadOnly = 1;
constexpr uint8_t kFlagManagement = 2;
constexpr uint64_t kMaxResources = 1000;

}  // namespace

void EncodeRecord(const EventRecord& r, std::string* out) {
  out->reserve(out->size() + r.body.size() + 256);
  out->push_back(static_cast<char>(kFormatVersion));
  PutFixed64(out, r.seq);
  PutFixed64(out, static_cast<uint64_t>(ToUnixMillis(r.event_time)));
  out->push_back(
      static_cast<char>((r.read_only ? kFlagReadOnly : 0) | (r.management ? kFlagManagement : 0)));
  for (const std::string* s : {&r.account_id, &r.region, &r.event_id, &r.event_name,
                               &r.event_source, &r.username, &r.access_key_id}) {
    PutLengthPrefixed(out, *s);
  }
  PutVarint(out, r.resources.size());
  for (const ResourceRef& ref : r.resources) {
    PutLengthPrefixed(out, ref.type);
    PutLengthPrefixed(out, ref.name);
    PutLengthPrefixed(out, ref.arn);
  }
  PutLengthPrefixed(out, r.body);
}

bool DecodeRecord(std::string_view in, EventRecord* r) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormatVersion) return false;
  in.remove_prefix(1);
  uint64_t seq = 0, time = 0;
  if (!GetFixed64(&in, &seq) || !GetFixed64(&in, &time) || in.empty()) return false;
  uint8_t flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  r->seq = seq;
  r->event_time = FromUnixMillis(static_cast<int64_t>(time));
  r->read_only = flags & kFlagReadOnly;
  r->management = flags & kFlagManagement;
  std::string_view s;
  for (std::string* f : {&r->account_id, &r->region, &r->event_id, &r->event_name, &r->event_source,
                         &r->username, &r->access_key_id}) {
    if (!GetLengthPrefixed(&in, &s)) return false;
    f->assign(s);
  }
  uint64_t n = 0;
  if (!GetVarint(&in, &n) || n > kMaxResources) return false;
  r->resources.resize(n);
  for (ResourceRef& ref : r->resources) {
    for (std::string* f : {&ref.type, &ref.name, &ref.arn}) {
      if (!GetLengthPrefixed(&in, &s)) return false;
      f->assign(s);
    }
  }
  if (!GetLengthPrefixed(&in, &s)) return false;
  r->body.assign(s);
  return in.empty();
}

int64_t EncodedRecordTimeMs(std::string_view in) {
  if (in.size() < 17 || static_cast<uint8_t>(in[0]) != kFormatVersion) return -1;
  in.remove_prefix(9);
  uint64_t time = 0;
  if (!GetFixed64(&in, &time)) return -1;
  return static_cast<int64_t>(time);
}

}  // namespace sagetrail::cloudtrail
