// S3Service: multipart uploads.
#include <boost/json.hpp>
#include <cstring>
#include <unordered_set>

#include "aws/protocol/generic_value.h"
#include "aws/request_context.h"
#include "aws/upload_spool.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "s3/s3_errors.h"
#include "s3/s3_service.h"

namespace sagetrail::s3 {
namespace json = boost::json;
using aws::AwsError;
using aws::RequestContext;

namespace {

constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;

std::string Str(const json::value& in, std::string_view member) {
  return std::string(aws::StringField(in, member).value_or(""));
}

ObjectHeaders UploadHeaders(const json::value& in) {
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

json::object OwnerJson(std::string_view account) {
  return json::object{{"DisplayName", "account-" + std::string(account)},
                      {"ID", Sha256Hex("sagetrail-canonical-user:" + std::string(account))}};
}

}  // namespace

Result<json::value, AwsError> S3Service::CreateMultipartUpload(RequestContext& ctx) {
  std::string key = Str(ctx.input, "Key");
  if (key.size() > 1024) return errors::KeyTooLong(key.size());
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  MultipartUpload u;
  uint8_t raw[24];
  random_.Fill(raw, sizeof(raw));
  u.id = Base64Encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof(raw)));
  for (char& c : u.id) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  u.bucket = (*b)->name;
  u.key = key;
  u.initiated = clock_.Now();
  u.owner = ctx.account_id;
  u.initiator_arn = ctx.identity.arn;
  u.headers = UploadHeaders(ctx.input);
  u.checksum_algorithm = Str(ctx.input, "ChecksumAlgorithm");
  SaveUpload(ctx, u);
  json::object out{{"Bucket", u.bucket}, {"Key", u.key}, {"UploadId", u.id}};
  uploads_.emplace(u.id, std::move(u));
  return json::value(std::move(out));
}

namespace {

Result<int, AwsError> PartNumber(const json::value& in) {
  auto n = aws::IntField(in, "PartNumber");
  if (!n || *n < 1 || *n > 10000) {
    return errors::InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                   "partNumber", n ? std::to_string(*n) : "");
  }
  return static_cast<int>(*n);
}

}  // namespace

Result<json::value, AwsError> S3Service::UploadPart(RequestContext& ctx) {
  auto number = PartNumber(ctx.input);
  if (!number.ok()) return std::move(number).error();
  std::string id = Str(ctx.input, "UploadId");
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto b = FindBucket(Str(ctx.input, "Bucket"));
    if (!b.ok()) return std::move(b).error();
    auto it = uploads_.find(id);
    if (it == uploads_.end() || it->second.bucket != (*b)->name ||
        it->second.key != Str(ctx.input, "Key")) {
      return errors::NoSuchUpload(id);
    }
  }
  // The part's bytes, moved into place before the upload is locked again.
  std::string blob;
  uint64_t size = 0;
  std::array<uint8_t, 16> md5{};
  std::map<std::string, std::string> checksums;
  if (auto* spool = dynamic_cast<aws::UploadSpool*>(ctx.http.streamed_body.get())) {
    if (spool->error()) return *spool->error();
    if (auto given = aws::StringField(ctx.input, "ContentMD5")) {
      auto raw = Base64Decode(*given);
      if (!raw || raw->size() != 16) return errors::InvalidDigest();
      if (std::memcmp(raw->data(), spool->md5().data(), 16) != 0) {
        return errors::BadDigest("The Content-MD5 you specified did not match what we received.");
      }
    }
    auto adopted = blobs_.Adopt(spool->path());
    if (!adopted.ok()) return errors::InternalError();
    spool->Release();
    blob = std::move(adopted).value();
    size = spool->size();
    md5 = spool->md5();
    if (spool->checksum()) checksums[spool->checksum()->first] = spool->checksum()->second;
  } else {
    const std::string& bytes = ctx.http.body;
    md5 = Md5(bytes);
    auto written = blobs_.Write([&](int fd) {
      size_t done = 0;
      while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) return Status::IOError("write failed");
        done += static_cast<size_t>(n);
      }
      return Status::Ok();
    });
    if (!written.ok()) return errors::InternalError();
    blob = std::move(written).value();
    size = bytes.size();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto it = uploads_.find(id);
  if (it == uploads_.end()) {  // aborted or completed meanwhile
    blobs_.Remove(blob);
    return errors::NoSuchUpload(id);
  }
  MultipartUpload& u = it->second;
  std::vector<std::string> replaced;
  if (auto old = u.parts.find(*number); old != u.parts.end()) replaced.push_back(old->second.blob);
  UploadedPart p;
  p.number = *number;
  p.size = size;
  p.etag = "\"" + HexEncode(md5) + "\"";
  p.blob = blob;
  p.last_modified = clock_.Now();
  p.checksums = checksums;
  u.parts[*number] = p;
  SaveUpload(ctx, u);
  RemoveBlobsAfterCommit(ctx, std::move(replaced));
  json::object out{{"ETag", p.etag}};
  for (const auto& [alg, v] : p.checksums) out["Checksum" + alg] = v;
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::UploadPartCopy(RequestContext& ctx) {
  (void)ctx;
  return AwsError::NotImplemented("sagetrail's S3 does not implement UploadPartCopy yet");
}

Result<json::value, AwsError> S3Service::CompleteMultipartUpload(RequestContext& ctx) {
  std::string id = Str(ctx.input, "UploadId");
  const json::value* mp = aws::Field(ctx.input, "MultipartUpload");
  const json::value* parts = mp ? aws::Field(*mp, "Parts") : nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.bucket != (*b)->name ||
      it->second.key != Str(ctx.input, "Key")) {
    return errors::NoSuchUpload(id);
  }
  MultipartUpload& u = it->second;
  if (parts == nullptr || !parts->is_array() || parts->as_array().empty()) {
    return errors::MalformedXml();
  }
  // Ascending part numbers, each uploaded with the ETag given, each but the last at least 5 MiB.
  std::vector<const UploadedPart*> chosen;
  int previous = 0;
  for (const auto& entry : parts->as_array()) {
    auto n = aws::IntField(entry, "PartNumber");
    std::string etag = Str(entry, "ETag");
    if (!n) return errors::MalformedXml();
    if (*n <= previous) {
      auto e =
          errors::Make("InvalidPartOrder",
                       "The list of parts was not in ascending order. Parts must be ordered by "
                       "part number.",
                       400);
      e.extra.push_back({"UploadId", id});
      return e;
    }
    previous = static_cast<int>(*n);
    auto p = u.parts.find(static_cast<int>(*n));
    std::string quoted = etag.starts_with("\"") ? etag : "\"" + etag + "\"";
    if (p == u.parts.end() || p->second.etag != quoted) {
      auto e = errors::Make("InvalidPart",
                            "One or more of the specified parts could not be found.  The part may "
                            "not have been uploaded, or the specified entity tag may not match the "
                            "part's entity tag.",
                            400);
      e.extra.push_back({"UploadId", id});
      e.extra.push_back({"PartNumber", std::to_string(*n)});
      e.extra.push_back({"ETag", etag});
      return e;
    }
    chosen.push_back(&p->second);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i]->size < kMinPartSize) {
      auto e = errors::Make("EntityTooSmall",
                            "Your proposed upload is smaller than the minimum allowed object size.",
                            400);
      e.extra.push_back({"ProposedSize", std::to_string(chosen[i]->size)});
      e.extra.push_back({"MinSizeAllowed", std::to_string(kMinPartSize)});
      e.extra.push_back({"PartNumber", std::to_string(chosen[i]->number)});
      e.extra.push_back({"ETag", chosen[i]->etag});
      return e;
    }
  }
  // The ETag of a multipart object: the MD5 of the parts' binary MD5s, then "-<parts>".
  std::string md5s;
  StoredObject o;
  o.key = u.key;
  std::unordered_set<std::string> used;
  for (const UploadedPart* p : chosen) {
    auto raw = HexDecode(std::string_view(p->etag).substr(1, p->etag.size() - 2));
    if (raw) md5s += *raw;
    if (p->size > 0) o.extents.push_back({p->blob, p->size});
    o.size += p->size;
    used.insert(p->blob);
  }
  o.etag = "\"" + HexEncode(Md5(md5s)) + "-" + std::to_string(chosen.size()) + "\"";
  o.parts_count = static_cast<int>(chosen.size());
  o.last_modified = clock_.Now();
  o.headers = u.headers;
  o.tags = u.tags;
  o.owner = ctx.account_id;
  std::vector<std::string> unused;
  for (const auto& [n, p] : u.parts) {
    if (used.count(p.blob) == 0 || p.size == 0) unused.push_back(p.blob);
  }
  Bucket& bucket = **b;
  if (auto existing = bucket.objects.find(o.key); existing != bucket.objects.end()) {
    for (const Extent& e : existing->second.extents) unused.push_back(e.blob);
  }
  SaveObject(ctx, bucket, o);
  DropUpload(ctx, id);
  std::string host(ctx.http.HeaderOr("host"));
  json::object out{{"Location", "http://" + host + "/" + bucket.name + "/" + o.key},
                   {"Bucket", bucket.name},
                   {"Key", o.key},
                   {"ETag", o.etag}};
  bucket.objects[o.key] = std::move(o);
  uploads_.erase(it);
  RemoveBlobsAfterCommit(ctx, std::move(unused));
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::AbortMultipartUpload(RequestContext& ctx) {
  std::string id = Str(ctx.input, "UploadId");
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.bucket != (*b)->name ||
      it->second.key != Str(ctx.input, "Key")) {
    return errors::NoSuchUpload(id);
  }
  std::vector<std::string> blobs;
  for (const auto& [n, p] : it->second.parts) blobs.push_back(p.blob);
  DropUpload(ctx, id);
  uploads_.erase(it);
  RemoveBlobsAfterCommit(ctx, std::move(blobs));
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::ListParts(RequestContext& ctx) {
  std::string id = Str(ctx.input, "UploadId");
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  auto it = uploads_.find(id);
  if (it == uploads_.end() || it->second.bucket != (*b)->name ||
      it->second.key != Str(ctx.input, "Key")) {
    return errors::NoSuchUpload(id);
  }
  const MultipartUpload& u = it->second;
  int max_parts = static_cast<int>(
      std::clamp<int64_t>(aws::IntField(ctx.input, "MaxParts").value_or(1000), 0, 1000));
  int marker = static_cast<int>(aws::IntField(ctx.input, "PartNumberMarker").value_or(0));
  json::array list;
  bool truncated = false;
  int last = marker;
  for (auto p = u.parts.upper_bound(marker); p != u.parts.end(); ++p) {
    if (static_cast<int>(list.size()) >= max_parts) {
      truncated = true;
      break;
    }
    list.push_back(json::object{{"PartNumber", p->first},
                                {"LastModified", aws::TimestampValue(p->second.last_modified)},
                                {"ETag", p->second.etag},
                                {"Size", static_cast<int64_t>(p->second.size)}});
    last = p->first;
  }
  json::object out{{"Bucket", u.bucket},
                   {"Key", u.key},
                   {"UploadId", u.id},
                   {"PartNumberMarker", marker},
                   {"MaxParts", max_parts},
                   {"IsTruncated", truncated},
                   {"Initiator", json::object{{"ID", u.initiator_arn}, {"DisplayName", u.owner}}},
                   {"Owner", OwnerJson(u.owner)},
                   {"StorageClass", "STANDARD"}};
  if (truncated) out["NextPartNumberMarker"] = last;
  if (!list.empty()) out["Parts"] = std::move(list);
  return json::value(std::move(out));
}

Result<json::value, AwsError> S3Service::ListMultipartUploads(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(Str(ctx.input, "Bucket"));
  if (!b.ok()) return std::move(b).error();
  std::string prefix = Str(ctx.input, "Prefix");
  std::string key_marker = Str(ctx.input, "KeyMarker");
  int max_uploads = static_cast<int>(
      std::clamp<int64_t>(aws::IntField(ctx.input, "MaxUploads").value_or(1000), 0, 1000));
  std::vector<const MultipartUpload*> found;
  for (const auto& [id, u] : uploads_) {
    if (u.bucket == (*b)->name && u.key.starts_with(prefix) &&
        (key_marker.empty() || u.key > key_marker)) {
      found.push_back(&u);
    }
  }
  std::sort(found.begin(), found.end(), [](const MultipartUpload* x, const MultipartUpload* y) {
    return x->key != y->key ? x->key < y->key : x->initiated < y->initiated;
  });
  json::array list;
  bool truncated = found.size() > static_cast<size_t>(max_uploads);
  for (size_t i = 0; i < found.size() && i < static_cast<size_t>(max_uploads); ++i) {
    const MultipartUpload* u = found[i];
    list.push_back(json::object{
        {"UploadId", u->id},
        {"Key", u->key},
        {"Initiated", aws::TimestampValue(u->initiated)},
        {"StorageClass", "STANDARD"},
        {"Owner", OwnerJson(u->owner)},
        {"Initiator", json::object{{"ID", u->initiator_arn}, {"DisplayName", u->owner}}}});
  }
  json::object out{{"Bucket", (*b)->name},
                   {"KeyMarker", key_marker},
                   {"UploadIdMarker", Str(ctx.input, "UploadIdMarker")},
                   {"MaxUploads", max_uploads},
                   {"IsTruncated", truncated},
                   {"Prefix", prefix}};
  if (truncated && !list.empty()) {
    out["NextKeyMarker"] = found[static_cast<size_t>(max_uploads) - 1]->key;
    out["NextUploadIdMarker"] = found[static_cast<size_t>(max_uploads) - 1]->id;
  }
  if (!list.empty()) out["Uploads"] = std::move(list);
  return json::value(std::move(out));
}

}  // namespace sagetrail::s3
