#include "s3/s3_state_codec.h"

#include <boost/json.hpp>
#include <chrono>

namespace sagetrail::s3 {
namespace json = boost::json;

namespace {

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

json::object StringMap(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}
std::map<std::string, std::string> ReadStringMap(const json::value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [k, val] : v->as_object()) {
    if (val.is_string()) out[std::string(k)] = std::string(val.as_string());
  }
  return out;
}
json::array TagArray(const Tags& tags) {
  json::array a;
  for (const auto& [k, v] : tags) a.push_back(json::array{json::string(k), json::string(v)});
  return a;
}
Tags ReadTags(const json::value* v) {
  Tags out;
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& t : v->as_array()) {
    if (t.is_array() && t.as_array().size() == 2 && t.as_array()[0].is_string() &&
        t.as_array()[1].is_string()) {
      out.emplace_back(std::string(t.as_array()[0].as_string()),
                       std::string(t.as_array()[1].as_string()));
    }
  }
  return out;
}
std::string Str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}
int64_t Int(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

json::object Headers(const ObjectHeaders& h) {
  json::object o;
  if (!h.content_type.empty()) o["ct"] = h.content_type;
  if (!h.content_encoding.empty()) o["ce"] = h.content_encoding;
  if (!h.content_disposition.empty()) o["cd"] = h.content_disposition;
  if (!h.content_language.empty()) o["cl"] = h.content_language;
  if (!h.cache_control.empty()) o["cc"] = h.cache_control;
  if (!h.expires.empty()) o["ex"] = h.expires;
  if (!h.metadata.empty()) o["meta"] = StringMap(h.metadata);
  if (!h.checksums.empty()) o["sums"] = StringMap(h.checksums);
  return o;
}
ObjectHeaders ReadHeaders(const json::value* v) {
  ObjectHeaders h;
  if (v == nullptr || !v->is_object()) return h;
  const auto& o = v->as_object();
  h.content_type = Str(o, "ct");
  h.content_encoding = Str(o, "ce");
  h.content_disposition = Str(o, "cd");
  h.content_language = Str(o, "cl");
  h.cache_control = Str(o, "cc");
  h.expires = Str(o, "ex");
  h.metadata = ReadStringMap(o.if_contains("meta"));
  h.checksums = ReadStringMap(o.if_contains("sums"));
  return h;
}

Result<json::object> ParseObject(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object())
    return Status::Corruption("cannot decode stored S3 " + std::string(what));
  return std::move(v.as_object());
}

}  // namespace

std::string S3StateCodec::BucketKey(std::string_view bucket) {
  return std::string(kBucketPrefix) + std::string(bucket);
}
std::string S3StateCodec::ObjectKey(std::string_view bucket, std::string_view key) {
  std::string k(kObjectPrefix);
  k += bucket;
  k += '/';
  k += key;
  return k;
}
std::string S3StateCodec::UploadKey(std::string_view upload_id) {
  return std::string(kUploadPrefix) + std::string(upload_id);
}

std::string S3StateCodec::EncodeBucket(const Bucket& b) {
  json::object o;
  o["name"] = b.name;
  o["region"] = b.region;
  o["owner"] = b.owner;
  o["created"] = Millis(b.created);
  if (!b.policy.empty()) o["policy"] = b.policy;
  if (!b.policy_principal_ids.empty()) o["policy_ids"] = StringMap(b.policy_principal_ids);
  o["acl"] = b.acl;
  if (b.has_tags) o["tags"] = TagArray(b.tags);
  return json::serialize(o);
}

Result<Bucket> S3StateCodec::DecodeBucket(std::string_view text) {
  auto o = ParseObject(text, "bucket");
  if (!o.ok()) return o.error();
  Bucket b;
  b.name = Str(*o, "name");
  b.region = Str(*o, "region");
  b.owner = Str(*o, "owner");
  b.created = FromMillis(Int(*o, "created"));
  b.policy = Str(*o, "policy");
  b.policy_principal_ids = ReadStringMap(o->if_contains("policy_ids"));
  b.acl = Str(*o, "acl");
  if (b.acl.empty()) b.acl = "private";
  b.has_tags = o->contains("tags");
  b.tags = ReadTags(o->if_contains("tags"));
  if (b.name.empty()) return Status::Corruption("stored S3 bucket without a name");
  return b;
}

std::string S3StateCodec::EncodeObject(const StoredObject& obj) {
  json::object o;
  o["key"] = obj.key;
  o["size"] = obj.size;
  o["etag"] = obj.etag;
  o["modified"] = Millis(obj.last_modified);
  json::array extents;
  for (const Extent& e : obj.extents) extents.push_back(json::array{json::string(e.blob), e.size});
  o["extents"] = std::move(extents);
  o["headers"] = Headers(obj.headers);
  if (!obj.tags.empty()) o["tags"] = TagArray(obj.tags);
  o["owner"] = obj.owner;
  if (obj.parts_count > 0) o["parts"] = obj.parts_count;
  return json::serialize(o);
}

Result<StoredObject> S3StateCodec::DecodeObject(std::string_view text) {
  auto o = ParseObject(text, "object");
  if (!o.ok()) return o.error();
  StoredObject obj;
  obj.key = Str(*o, "key");
  obj.size = static_cast<uint64_t>(Int(*o, "size"));
  obj.etag = Str(*o, "etag");
  obj.last_modified = FromMillis(Int(*o, "modified"));
  if (auto* ex = o->if_contains("extents"); ex != nullptr && ex->is_array()) {
    for (const auto& e : ex->as_array()) {
      if (!e.is_array() || e.as_array().size() != 2 || !e.as_array()[0].is_string()) {
        return Status::Corruption("stored S3 object with a malformed extent");
      }
      Extent x;
      x.blob = std::string(e.as_array()[0].as_string());
      x.size = e.as_array()[1].to_number<uint64_t>();
      obj.extents.push_back(std::move(x));
    }
  }
  obj.headers = ReadHeaders(o->if_contains("headers"));
  obj.tags = ReadTags(o->if_contains("tags"));
  obj.owner = Str(*o, "owner");
  obj.parts_count = static_cast<int>(Int(*o, "parts"));
  return obj;
}

std::string S3StateCodec::EncodeUpload(const MultipartUpload& u) {
  json::object o;
  o["id"] = u.id;
  o["bucket"] = u.bucket;
  o["key"] = u.key;
  o["initiated"] = Millis(u.initiated);
  o["owner"] = u.owner;
  o["initiator"] = u.initiator_arn;
  o["headers"] = Headers(u.headers);
  if (!u.tags.empty()) o["tags"] = TagArray(u.tags);
  if (!u.checksum_algorithm.empty()) o["algorithm"] = u.checksum_algorithm;
  json::array parts;
  for (const auto& [n, p] : u.parts) {
    json::object po;
    po["n"] = p.number;
    po["size"] = p.size;
    po["etag"] = p.etag;
    po["blob"] = p.blob;
    po["modified"] = Millis(p.last_modified);
    if (!p.checksums.empty()) po["sums"] = StringMap(p.checksums);
    parts.push_back(std::move(po));
  }
  o["parts"] = std::move(parts);
  return json::serialize(o);
}

Result<MultipartUpload> S3StateCodec::DecodeUpload(std::string_view text) {
  auto o = ParseObject(text, "multipart upload");
  if (!o.ok()) return o.error();
  MultipartUpload u;
  u.id = Str(*o, "id");
  u.bucket = Str(*o, "bucket");
  u.key = Str(*o, "key");
  u.initiated = FromMillis(Int(*o, "initiated"));
  u.owner = Str(*o, "owner");
  u.initiator_arn = Str(*o, "initiator");
  u.headers = ReadHeaders(o->if_contains("headers"));
  u.tags = ReadTags(o->if_contains("tags"));
  u.checksum_algorithm = Str(*o, "algorithm");
  if (auto* ps = o->if_contains("parts"); ps != nullptr && ps->is_array()) {
    for (const auto& pv : ps->as_array()) {
      if (!pv.is_object()) return Status::Corruption("stored S3 upload with a malformed part");
      const auto& po = pv.as_object();
      UploadedPart p;
      p.number = static_cast<int>(Int(po, "n"));
      p.size = static_cast<uint64_t>(Int(po, "size"));
      p.etag = Str(po, "etag");
      p.blob = Str(po, "blob");
      p.last_modified = FromMillis(Int(po, "modified"));
      p.checksums = ReadStringMap(po.if_contains("sums"));
      u.parts[p.number] = std::move(p);
    }
  }
  if (u.id.empty()) return Status::Corruption("stored S3 upload without an id");
  return u;
}

}  // namespace sagetrail::s3
