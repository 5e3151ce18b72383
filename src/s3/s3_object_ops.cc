// S3Service: the object-level operations and listings.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "aws/protocol/generic_value.h"
#include "aws/request_context.h"
#include "aws/upload_spool.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "s3/object_reader.h"
#include "s3/s3_errors.h"
#include "s3/s3_service.h"

namespace sagetrail::s3 {
namespace json = boost::json;
using aws::AwsError;
using aws::RequestContext;

namespace {

constexpr size_t kMaxKeyBytes = 1024;

std::string Quoted(const std::string& hex) { return "\"" + hex + "\""; }

std::string Str(const json::value& in, std::string_view member) {
  return std::string(aws::StringField(in, member).value_or(""));
}

// The headers an object is stored with, from PutObject/CreateMultipartUpload/CopyObject input.
ObjectHeaders HeadersFrom(const json::value& in) {
  ObjectHeaders h;
  h.content_type = Str(in, "ContentType");
  h.content_encoding = Str(in, "ContentEncoding");
  h.content_disposition = Str(in, "ContentDisposition");
  h.content_language = Str(in, "ContentLanguage");
  h.cache_control = Str(in, "CacheControl");
  if (const json::value* e = aws::Field(in, "Expires")) {
    if (auto t = aws::ToTimePoint(*e)) h.expires = FormatHttpDate(*t);
  }
  if (const json::value* m = aws::Field(in, "Metadata"); m && m->is_object()) {
    for (const auto& [k, v] : m->as_object()) {
      if (v.is_string()) h.metadata[std::string(k)] = std::string(v.as_string());
    }
  }
  return h;
}

// x-amz-tagging: "k1=v1&k2=v2", URL-encoded.
Tags TagsFromQuery(std::string_view q) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  Tags tags;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    tags.emplace_back(decode(pair.substr(0, eq)),
                      eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1)));
  }
  return tags;
}

// Fills `out` with what GetObject/HeadObject return about `o`.
void DescribeObject(const StoredObject& o, bool checksums, json::object& out) {
  out["AcceptRanges"] = "bytes";
  out["LastModified"] = aws::TimestampValue(o.last_modified);
  out["ETag"] = o.etag;
  const ObjectHeaders& h = o.headers;
  out["ContentType"] = h.content_type.empty() ? "binary/octet-stream" : h.content_type;
  if (!h.content_encoding.empty()) out["ContentEncoding"] = h.content_encoding;
  if (!h.content_disposition.empty()) out["ContentDisposition"] = h.content_disposition;
  if (!h.content_language.empty()) out["ContentLanguage"] = h.content_language;
  if (!h.cache_control.empty()) out["CacheControl"] = h.cache_control;
  if (!h.expires.empty()) out["ExpiresString"] = h.expires;
  if (!h.metadata.empty()) {
    json::object m;
    for (const auto& [k, v] : h.metadata) m[k] = v;
    out["Metadata"] = std::move(m);
  }
  if (checksums) {
    for (const auto& [alg, v] : h.checksums) out["Checksum" + alg] = v;
  }
  if (!o.tags.empty()) out["TagCount"] = static_cast<int64_t>(o.tags.size());
}

// The conditions of GetObject/HeadObject (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since), in S3's order; nullopt when the object may be returned.
std::optional<AwsError> CheckConditions(const json::value& in, const StoredObject& o,
                                        std::string_view prefix = "") {
  auto field = [&](std::string_view name) {
    return aws::Field(in, std::string(prefix) + std::string(name));
  };
  auto str = [&](std::string_view name) {
    return aws::StringField(in, std::string(prefix) + std::string(name));
  };
  auto matches = [&](std::string_view list) {
    // A list of ETags, quoted or not, or "*".
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = list.find(',', pos);
      std::string_view t =
          list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      if (t == "*") return true;
      std::string quoted = t.starts_with("\"") ? std::string(t) : "\"" + std::string(t) + "\"";
      if (quoted == o.etag) return true;
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    return false;
  };
  auto modified = std::chrono::floor<std::chrono::seconds>(o.last_modified);
  auto if_match = str("IfMatch");
  auto if_none = str("IfNoneMatch");
  if (if_match && !matches(*if_match)) return errors::PreconditionFailed("If-Match");
  if (!if_match) {
    if (const json::value* t = field("IfUnmodifiedSince")) {
      if (auto tp = aws::ToTimePoint(*t); tp && modified > *tp) {
        return errors::PreconditionFailed("If-Unmodified-Since");
      }
    }
  }
  if (if_none && matches(*if_none)) {
    return prefix.empty() ? errors::NotModified() : errors::PreconditionFailed("If-None-Match");
  }
  if (!if_none) {
    if (const json::value* t = field("IfModifiedSince")) {
      if (auto tp = aws::ToTimePoint(*t); tp && modified <= *tp) {
        return prefix.empty() ? errors::NotModified()
                              : errors::PreconditionFailed("If-Modified-Since");
      }
    }
  }
  return std::nullopt;
}

// A single "bytes=" range; nullopt when absent or not understood (the whole object is sent, as
// S3 does); InvalidRange when it starts beyond the object.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
};
Result<std::optional<ByteRange>, AwsError> ParseRange(std::string_view r, uint64_t size) {
  if (!r.starts_with("bytes=")) return std::optional<ByteRange>();
  std::string_view spec = r.substr(6);
  if (spec.find(',') != std::string_view::npos) return std::optional<ByteRange>();
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  auto num = [](std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  ByteRange br;
  if (a.empty()) {  // the last n bytes
    uint64_t n;
    if (!num(b, n)) return std::optional<ByteRange>();
    if (n == 0 || size == 0) return errors::InvalidRange(r, size);
    br.first = n >= size ? 0 : size - n;
    br.last = size - 1;
    return std::optional<ByteRange>(br);
  }
  if (!num(a, br.first)) return std::optional<ByteRange>();
  if (b.empty()) {
    br.last = size == 0 ? 0 : size - 1;
  } else if (!num(b, br.last) || br.last < br.first) {
    return std::optional<ByteRange>();
  }
  if (br.first >= size) return errors::InvalidRange(r, size);
  if (br.last >= size) br.last = size - 1;
  return std::optional<ByteRange>(br);
}

// The MD5 a client sent (Content-MD5, base64), compared with what arrived.
std::optional<AwsError> CheckContentMd5(const json::value& in, const std::array<uint8_t, 16>& md5) {
  auto given = aws::StringField(in, "ContentMD5");
  if (!given) return std::nullopt;
  auto raw = Base64Decode(*given);
  if (!raw || raw->size() != 16) return errors::InvalidDigest();
  if (std::memcmp(raw->data(), md5.data(), 16) != 0) {
    auto e = errors::BadDigest("The Content-MD5 you specified did not match what we received.");
    e.extra.push_back({"ExpectedDigest", std::string(*given)});
    e.extra.push_back({"CalculatedDigest", Base64Encode(std::string_view(
                                               reinterpret_cast<const char*>(md5.data()), 16))});
    return e;
  }
  return std::nullopt;
}

}  // namespace

// The body of a PutObject/UploadPart as a blob: the spooled file moved into place, or the bytes
// held in memory (an internal call, a client that sent them in the request) written out.
struct ReceivedBody {
  std::string blob;
  uint64_t size = 0;
  std::array<uint8_t, 16> md5{};
  std::map<std::string, std::string> checksums;  // "CRC32" -> base64
};

static Result<ReceivedBody, AwsError> TakeBody(RequestContext& ctx, const BlobFiles& blobs) {
  ReceivedBody body;
  if (auto* spool = dynamic_cast<aws::UploadSpool*>(ctx.http.streamed_body.get())) {
    if (spool->error()) return *spool->error();
    if (auto bad = CheckContentMd5(ctx.input, spool->md5())) return *bad;
    auto id = blobs.Adopt(spool->path());
    if (!id.ok()) return errors::InternalError();
    spool->Release();
    body.blob = std::move(id).value();
    body.size = spool->size();
    body.md5 = spool->md5();
    if (spool->checksum()) body.checksums[spool->checksum()->first] = spool->checksum()->second;
    return body;
  }
  const std::string& bytes = ctx.http.body;
  body.md5 = Md5(bytes);
  if (auto bad = CheckContentMd5(ctx.input, body.md5)) return *bad;
  auto id = blobs.Write([&](int fd) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  });
  if (!id.ok()) return errors::InternalError();
  body.blob = std::move(id).value();
  body.size = bytes.size();
  return body;
}

Result<json::value, AwsError> S3Service::PutObject(RequestContext& ctx) {
  std::string bucket_name = Str(ctx.input, "Bucket");
  std::string key = Str(ctx.input, "Key");
  if (key.size() > kMaxKeyBytes) return errors::KeyTooLong(key.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buckets_.count(bucket_name) == 0) return errors::NoSuchBucket(bucket_name);
  }
  auto body = TakeBody(ctx, blobs_);
  if (!body.ok()) return std::move(body).error();
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(bucket_name);
  if (!b.ok()) {
    blobs_.Remove(body->blob);
    return std::move(b).error();
  }
  Bucket& bucket = **b;
  auto existing = bucket.objects.find(key);
  if (auto none = aws::StringField(ctx.input, "IfNoneMatch");
      none && *none == "*" && existing != bucket.objects.end()) {
    blobs_.Remove(body->blob);
    return errors::PreconditionFailed("If-None-Match");
  }
  if (auto match = aws::StringField(ctx.input, "IfMatch")) {
    if (existing == bucket.objects.end()) {
      blobs_.Remove(body->blob);
      return errors::NoSuchKey(key);
    }
    std::string want = match->starts_with("\"") ? std::string(*match) : Quoted(std::string(*match));
    if (want != existing->second.etag) {
      blobs_.Remove(body->blob);
      return errors::PreconditionFailed("If-Match");
    }
  }
  StoredObject o;
  o.key = key;
  o.size = body->size;
  o.etag = Quoted(HexEncode(body->md5));
  o.last_modified = clock_.Now();
  if (body->size > 0) {
    o.extents.push_back({body->blob, body->size});
  } else {
    blobs_.Remove(body->blob);
  }
  o.headers = HeadersFrom(ctx.input);
  o.headers.checksums = body->checksums;
  if (auto tagging = aws::StringField(ctx.input, "Tagging")) o.tags = TagsFromQuery(*tagging);
  o.owner = ctx.account_id;
  std::vector<std::string> replaced;
  if (existing != bucket.objects.end()) {
    for (const Extent& e : existing->second.extents) replaced.push_back(e.blob);
  }
  SaveObject(ctx, bucket, o);
  json::object out{{"ETag", o.etag}};
  for (const auto& [alg, v] : o.headers.checksums) out["Checksum" + alg] = v;
  bucket.objects[key] = std::move(o);
  RemoveBlobsAfterCommit(ctx, std::move(replaced));
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::GetObject(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  std::string key = Str(ctx.input, "Key");
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  const StoredObject& o = it->second;
  if (auto failed = CheckConditions(ctx.input, o)) return *failed;
  uint64_t offset = 0, length = o.size;
  json::object out;
  // A range's bytes are not the object's: its whole-object checksums are not returned with them.
  bool ranged = aws::StringField(ctx.input, "Range").has_value();
  DescribeObject(o, !ranged && Str(ctx.input, "ChecksumMode") == "ENABLED", out);
  if (auto range = aws::StringField(ctx.input, "Range")) {
    auto r = ParseRange(*range, o.size);
    if (!r.ok()) return std::move(r).error();
    if (r->has_value()) {
      offset = (*r)->first;
      length = (*r)->last - (*r)->first + 1;
      out["ContentRange"] = "bytes " + std::to_string(offset) + "-" +
                            std::to_string(offset + length - 1) + "/" + std::to_string(o.size);
      ctx.output_status = 206;
    }
  }
  out["ContentLength"] = static_cast<int64_t>(length);
  // response-content-* override what is returned, not what is stored.
  static const std::pair<std::string_view, std::string_view> overrides[] = {
      {"ResponseContentType", "ContentType"},
      {"ResponseContentEncoding", "ContentEncoding"},
      {"ResponseContentDisposition", "ContentDisposition"},
      {"ResponseContentLanguage", "ContentLanguage"},
      {"ResponseCacheControl", "CacheControl"}};
  for (const auto& [from, to] : overrides) {
    if (auto v = aws::StringField(ctx.input, from)) out[to] = *v;
  }
  if (const json::value* e = aws::Field(ctx.input, "ResponseExpires")) {
    if (auto t = aws::ToTimePoint(*e)) out["ExpiresString"] = FormatHttpDate(*t);
  }
  auto reader = ObjectReader::Open(blobs_, o.extents, offset, length);
  if (!reader.ok()) return errors::InternalError();
  ctx.output_body = std::move(reader).value();
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::HeadObject(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  std::string key = Str(ctx.input, "Key");
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  const StoredObject& o = it->second;
  if (auto failed = CheckConditions(ctx.input, o)) return *failed;
  json::object out;
  DescribeObject(o, Str(ctx.input, "ChecksumMode") == "ENABLED", out);
  out["ContentLength"] = static_cast<int64_t>(o.size);
  if (auto range = aws::StringField(ctx.input, "Range")) {
    auto r = ParseRange(*range, o.size);
    if (!r.ok()) return std::move(r).error();
    if (r->has_value()) {
      uint64_t length = (*r)->last - (*r)->first + 1;
      out["ContentLength"] = static_cast<int64_t>(length);
      out["ContentRange"] = "bytes " + std::to_string((*r)->first) + "-" +
                            std::to_string((*r)->last) + "/" + std::to_string(o.size);
      ctx.output_status = 206;
    }
  }
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::DeleteObject(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  std::string key = Str(ctx.input, "Key");
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end())
    return json::value(json::object{});  // S3 answers 204 for a missing key
  std::vector<std::string> blobs;
  for (const Extent& e : it->second.extents) blobs.push_back(e.blob);
  DropObject(ctx, **b, key);
  (*b)->objects.erase(it);
  RemoveBlobsAfterCommit(ctx, std::move(blobs));
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::DeleteObjects(RequestContext& ctx) {
  const json::value* del = aws::Field(ctx.input, "Delete");
  const json::value* objects = del ? aws::Field(*del, "Objects") : nullptr;
  if (objects == nullptr || !objects->is_array() || objects->as_array().size() > 1000) {
    return errors::MalformedXml();
  }
  bool quiet = del != nullptr && aws::BoolField(*del, "Quiet").value_or(false);
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  json::array deleted;
  std::vector<std::string> blobs;
  for (const auto& entry : objects->as_array()) {
    std::string key = Str(entry, "Key");
    auto it = (*b)->objects.find(key);
    if (it != (*b)->objects.end()) {
      for (const Extent& e : it->second.extents) blobs.push_back(e.blob);
      DropObject(ctx, **b, key);
      (*b)->objects.erase(it);
    }
    if (!quiet) deleted.push_back(json::object{{"Key", key}});
  }
  RemoveBlobsAfterCommit(ctx, std::move(blobs));
  json::object out;
  if (!deleted.empty()) out["Deleted"] = std::move(deleted);
  return json::value(std::move(out));
}

// "bucket/key" or "/bucket/key", percent-encoded, maybe with "?versionId=...".
static std::optional<std::pair<std::string, std::string>> ParseCopySource(std::string_view src) {
  if (size_t q = src.find('?'); q != std::string_view::npos) src = src.substr(0, q);
  if (src.starts_with("/")) src.remove_prefix(1);
  std::string decoded;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '%' && i + 2 < src.size() + 0 && i + 2 <= src.size() - 1) {
      decoded +=
          static_cast<char>(std::strtol(std::string(src.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      decoded += src[i];
    }
  }
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= decoded.size()) return std::nullopt;
  return std::make_pair(decoded.substr(0, slash), decoded.substr(slash + 1));
}

// A new blob holding bytes [offset, offset+length) of `extents`.
static Result<std::string> CopyBytes(const BlobFiles& blobs, const std::vector<Extent>& extents,
                                     uint64_t offset, uint64_t length) {
  auto reader = ObjectReader::Open(blobs, extents, offset, length);
  if (!reader.ok()) return reader.error();
  return blobs.Write([&](int fd) {
    std::vector<char> buf(1 << 20);
    uint64_t left = length;
    while (left > 0) {
      size_t n =
          (*reader)->Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(left, buf.size())));
      if (n == 0) return Status::IOError("short read while copying an object");
      size_t done = 0;
      while (done < n) {
        ssize_t w = ::write(fd, buf.data() + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return Status::IOError(std::strerror(errno));
        done += static_cast<size_t>(w);
      }
      left -= n;
    }
    return Status::Ok();
  });
}

Result<json::value, AwsError> S3Service::CopyObject(RequestContext& ctx) {
  auto source = ParseCopySource(Str(ctx.input, "CopySource"));
  if (!source) {
    return errors::InvalidArgument("Invalid copy source object key", "x-amz-copy-source",
                                   Str(ctx.input, "CopySource"));
  }
  std::string bucket_name = Str(ctx.input, "Bucket");
  std::string key = Str(ctx.input, "Key");
  if (key.size() > kMaxKeyBytes) return errors::KeyTooLong(key.size());
  StoredObject src;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buckets_.count(bucket_name) == 0) return errors::NoSuchBucket(bucket_name);
    auto sb = FindBucket(source->first);
    if (!sb.ok()) return std::move(sb).error();
    auto it = (*sb)->objects.find(source->second);
    if (it == (*sb)->objects.end()) return errors::NoSuchKey(source->second);
    src = it->second;
    if (auto failed = CheckConditions(ctx.input, src, "CopySource")) return *failed;
  }
  bool replace = Str(ctx.input, "MetadataDirective") == "REPLACE";
  if (!replace && source->first == bucket_name && source->second == key) {
    return errors::InvalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without "
        "changing the object's metadata, storage class, website redirect location or encryption "
        "attributes.");
  }
  auto blob = CopyBytes(blobs_, src.extents, 0, src.size);
  if (!blob.ok()) return errors::InternalError();
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(bucket_name);
  if (!b.ok()) {
    blobs_.Remove(*blob);
    return std::move(b).error();
  }
  StoredObject o;
  o.key = key;
  o.size = src.size;
  o.etag = src.parts_count > 0 ? src.etag : src.etag;
  o.parts_count = src.parts_count;
  o.last_modified = clock_.Now();
  if (src.size > 0) {
    o.extents.push_back({*blob, src.size});
  } else {
    blobs_.Remove(*blob);
  }
  o.headers = replace ? HeadersFrom(ctx.input) : src.headers;
  o.tags = Str(ctx.input, "TaggingDirective") == "REPLACE"
               ? TagsFromQuery(Str(ctx.input, "Tagging"))
               : src.tags;
  o.owner = ctx.account_id;
  std::vector<std::string> replaced;
  if (auto existing = (*b)->objects.find(key); existing != (*b)->objects.end()) {
    for (const Extent& e : existing->second.extents) replaced.push_back(e.blob);
  }
  SaveObject(ctx, **b, o);
  json::object result{{"ETag", o.etag}, {"LastModified", aws::TimestampValue(o.last_modified)}};
  (*b)->objects[key] = std::move(o);
  RemoveBlobsAfterCommit(ctx, std::move(replaced));
  return json::value(json::object{{"CopyObjectResult", std::move(result)}});
}

// Listings.

struct S3Service::Listing {
  std::vector<const StoredObject*> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned
};

S3Service::Listing S3Service::List(const Bucket& b, std::string_view prefix,
                                   std::string_view delimiter, std::string_view after,
                                   int max_keys) const {
  Listing l;
  auto it = after.empty() || after < prefix ? b.objects.lower_bound(std::string(prefix))
                                            : b.objects.upper_bound(std::string(after));
  int count = 0;
  while (it != b.objects.end()) {
    const std::string& key = it->first;
    if (!key.starts_with(prefix)) break;
    if (!delimiter.empty()) {
      size_t pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) {
        std::string common = key.substr(0, pos + delimiter.size());
        if (count >= max_keys) {
          l.truncated = true;
          break;
        }
        l.prefixes.push_back(common);
        l.last = common;
        ++count;
        // Skip every key under this prefix: the first key after all strings starting with it.
        std::string next = common;
        while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
        if (next.empty()) break;
        next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
        it = b.objects.lower_bound(next);
        continue;
      }
    }
    if (count >= max_keys) {
      l.truncated = true;
      break;
    }
    l.objects.push_back(&it->second);
    l.last = key;
    ++count;
    ++it;
  }
  return l;
}

namespace {

// encoding-type=url: every byte but the unreserved ones and '/' percent-encoded.
std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int MaxKeys(const json::value& in) {
  auto m = aws::IntField(in, "MaxKeys");
  if (!m) return 1000;
  return static_cast<int>(std::clamp<int64_t>(*m, 0, 1000));
}

}  // namespace

Result<json::value, AwsError> S3Service::ListObjects(RequestContext& ctx) {
  std::string prefix = Str(ctx.input, "Prefix");
  std::string delimiter = Str(ctx.input, "Delimiter");
  std::string marker = Str(ctx.input, "Marker");
  std::string encoding = Str(ctx.input, "EncodingType");
  if (!encoding.empty() && encoding != "url") {
    return errors::InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type",
                                   encoding);
  }
  bool url = encoding == "url";
  auto enc = [&](const std::string& s) { return url ? UrlEncode(s) : s; };
  int max_keys = MaxKeys(ctx.input);
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  Listing l = List(**b, prefix, delimiter, marker, max_keys);
  json::object out;
  out["IsTruncated"] = l.truncated;
  out["Marker"] = enc(marker);
  if (l.truncated && !delimiter.empty()) out["NextMarker"] = enc(l.last);
  json::array contents;
  for (const StoredObject* o : l.objects) {
    contents.push_back(json::object{{"Key", enc(o->key)},
                                    {"LastModified", aws::TimestampValue(o->last_modified)},
                                    {"ETag", o->etag},
                                    {"Size", static_cast<int64_t>(o->size)},
                                    {"StorageClass", "STANDARD"}});
  }
  if (!contents.empty()) out["Contents"] = std::move(contents);
  out["Name"] = (*b)->name;
  out["Prefix"] = enc(prefix);
  if (!delimiter.empty()) out["Delimiter"] = enc(delimiter);
  out["MaxKeys"] = max_keys;
  if (!l.prefixes.empty()) {
    json::array cps;
    for (const auto& p : l.prefixes) cps.push_back(json::object{{"Prefix", enc(p)}});
    out["CommonPrefixes"] = std::move(cps);
  }
  if (url) out["EncodingType"] = "url";
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::ListObjectsV2(RequestContext& ctx) {
  std::string prefix = Str(ctx.input, "Prefix");
  std::string delimiter = Str(ctx.input, "Delimiter");
  std::string start_after = Str(ctx.input, "StartAfter");
  std::string token = Str(ctx.input, "ContinuationToken");
  std::string encoding = Str(ctx.input, "EncodingType");
  if (!encoding.empty() && encoding != "url") {
    return errors::InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type",
                                   encoding);
  }
  bool url = encoding == "url";
  auto enc = [&](const std::string& s) { return url ? UrlEncode(s) : s; };
  std::string after = start_after;
  if (aws::Field(ctx.input, "ContinuationToken") != nullptr) {
    auto decoded = Base64Decode(token);
    if (!decoded || !decoded->starts_with("1:")) {
      return errors::InvalidArgument("The continuation token provided is incorrect",
                                     "continuation-token", token);
    }
    after = decoded->substr(2);
  }
  int max_keys = MaxKeys(ctx.input);
  bool fetch_owner = aws::BoolField(ctx.input, "FetchOwner").value_or(false);
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  Listing l = List(**b, prefix, delimiter, after, max_keys);
  json::object out;
  out["IsTruncated"] = l.truncated;
  json::array contents;
  for (const StoredObject* o : l.objects) {
    json::object c{{"Key", enc(o->key)},
                   {"LastModified", aws::TimestampValue(o->last_modified)},
                   {"ETag", o->etag},
                   {"Size", static_cast<int64_t>(o->size)},
                   {"StorageClass", "STANDARD"}};
    if (fetch_owner) {
      std::string owner = o->owner.empty() ? (*b)->owner : o->owner;
      c["Owner"] = json::object{{"DisplayName", "account-" + owner},
                                {"ID", Sha256Hex("sagetrail-canonical-user:" + owner)}};
    }
    contents.push_back(std::move(c));
  }
  if (!contents.empty()) out["Contents"] = std::move(contents);
  out["Name"] = (*b)->name;
  out["Prefix"] = enc(prefix);
  if (!delimiter.empty()) out["Delimiter"] = enc(delimiter);
  out["MaxKeys"] = max_keys;
  if (!l.prefixes.empty()) {
    json::array cps;
    for (const auto& p : l.prefixes) cps.push_back(json::object{{"Prefix", enc(p)}});
    out["CommonPrefixes"] = std::move(cps);
  }
  if (url) out["EncodingType"] = "url";
  out["KeyCount"] = static_cast<int64_t>(l.objects.size() + l.prefixes.size());
  if (aws::Field(ctx.input, "ContinuationToken") != nullptr) out["ContinuationToken"] = token;
  if (l.truncated) out["NextContinuationToken"] = Base64Encode("1:" + l.last);
  if (!start_after.empty()) out["StartAfter"] = enc(start_after);
  return json::value(std::move(out));
}

}  // namespace sagetrail::s3
