#include "s3/s3_service.h"

#include <boost/json.hpp>
#include <unordered_set>

#include "aws/protocol/generic_value.h"
#include "aws/protocol/json_writer.h"
#include "aws/request_context.h"
#include "s3/s3_errors.h"
#include "s3/s3_state_codec.h"

namespace sagetrail::s3 {
namespace json = boost::json;
using aws::AwsError;
using aws::RequestContext;

namespace {

// Object-level operations: data events, never in Event history.
const std::unordered_set<std::string_view>& DataOperations() {
  static const std::unordered_set<std::string_view> ops = {"PutObject",
                                                           "GetObject",
                                                           "HeadObject",
                                                           "DeleteObject",
                                                           "DeleteObjects",
                                                           "CopyObject",
                                                           "ListObjects",
                                                           "ListObjectsV2",
                                                           "CreateMultipartUpload",
                                                           "UploadPart",
                                                           "UploadPartCopy",
                                                           "CompleteMultipartUpload",
                                                           "AbortMultipartUpload",
                                                           "ListParts",
                                                           "PutObjectTagging",
                                                           "GetObjectTagging",
                                                           "DeleteObjectTagging",
                                                           "GetObjectAcl",
                                                           "PutObjectAcl"};
  return ops;
}

// The IAM action of each operation whose action is not "s3:<operation>".
std::string_view ActionOf(std::string_view op) {
  static const std::unordered_map<std::string_view, std::string_view> actions = {
      {"HeadObject", "s3:GetObject"},
      {"HeadBucket", "s3:ListBucket"},
      {"ListObjects", "s3:ListBucket"},
      {"ListObjectsV2", "s3:ListBucket"},
      {"ListBuckets", "s3:ListAllMyBuckets"},
      {"DeleteObjects", "s3:DeleteObject"},
      {"CopyObject", "s3:PutObject"},
      {"CreateMultipartUpload", "s3:PutObject"},
      {"UploadPart", "s3:PutObject"},
      {"UploadPartCopy", "s3:PutObject"},
      {"CompleteMultipartUpload", "s3:PutObject"},
      {"ListParts", "s3:ListMultipartUploadParts"},
      {"ListMultipartUploads", "s3:ListBucketMultipartUploads"},
      {"DeleteBucketTagging", "s3:PutBucketTagging"},
      {"GetBucketVersioning", "s3:GetBucketVersioning"},
      {"PutBucketVersioning", "s3:PutBucketVersioning"},
  };
  auto it = actions.find(op);
  return it == actions.end() ? std::string_view() : it->second;
}

std::string BucketArn(std::string_view bucket) { return "arn:aws:s3:::" + std::string(bucket); }
std::string ObjectArn(std::string_view bucket, std::string_view key) {
  return "arn:aws:s3:::" + std::string(bucket) + "/" + std::string(key);
}

// Percent-decoding of a query component ('+' is a space).
std::string QueryDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

S3Service::S3Service(const Clock& clock, Random& random, BlobFiles& blobs)
    : clock_(clock), random_(random), blobs_(blobs) {}

Status S3Service::Load(const store::StateReader& state) {
  std::lock_guard<std::mutex> lock(mu_);
  Status failed = Status::Ok();
  Status s = state.Scan(S3StateCodec::kBucketPrefix, [&](std::string_view, std::string_view v) {
    auto b = S3StateCodec::DecodeBucket(v);
    if (!b.ok()) {
      failed = b.error();
      return false;
    }
    std::string name = b->name;
    buckets_[name] = std::move(b).value();
    return true;
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  s = state.Scan(S3StateCodec::kObjectPrefix, [&](std::string_view k, std::string_view v) {
    std::string_view rest = k.substr(S3StateCodec::kObjectPrefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return true;
    auto it = buckets_.find(std::string(rest.substr(0, slash)));
    if (it == buckets_.end()) return true;
    auto o = S3StateCodec::DecodeObject(v);
    if (!o.ok()) {
      failed = o.error();
      return false;
    }
    std::string key = o->key;
    it->second.objects[key] = std::move(o).value();
    return true;
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  s = state.Scan(S3StateCodec::kUploadPrefix, [&](std::string_view, std::string_view v) {
    auto u = S3StateCodec::DecodeUpload(v);
    if (!u.ok()) {
      failed = u.error();
      return false;
    }
    std::string id = u->id;
    uploads_[id] = std::move(u).value();
    return true;
  });
  if (!s.ok()) return s;
  if (!failed.ok()) return failed;
  if (Status p = blobs_.Prepare(); !p.ok()) return p;
  // Every blob a committed object or part names; anything else is left from a call that never
  // committed.
  std::unordered_set<std::string> referenced;
  for (const auto& [name, b] : buckets_) {
    for (const auto& [key, o] : b.objects) {
      for (const Extent& e : o.extents) referenced.insert(e.blob);
    }
  }
  for (const auto& [id, u] : uploads_) {
    for (const auto& [n, p] : u.parts) referenced.insert(p.blob);
  }
  blobs_.RemoveOrphans([&](std::string_view id) { return referenced.count(std::string(id)) > 0; });
  return Status::Ok();
}

const std::unordered_map<std::string_view, S3Service::Handler>& S3Service::Handlers() {
  static const std::unordered_map<std::string_view, Handler> handlers = {
      {"CreateBucket", &S3Service::CreateBucket},
      {"HeadBucket", &S3Service::HeadBucket},
      {"DeleteBucket", &S3Service::DeleteBucket},
      {"ListBuckets", &S3Service::ListBuckets},
      {"GetBucketLocation", &S3Service::GetBucketLocation},
      {"PutBucketPolicy", &S3Service::PutBucketPolicy},
      {"GetBucketPolicy", &S3Service::GetBucketPolicy},
      {"DeleteBucketPolicy", &S3Service::DeleteBucketPolicy},
      {"GetBucketAcl", &S3Service::GetBucketAcl},
      {"PutBucketAcl", &S3Service::PutBucketAcl},
      {"GetBucketVersioning", &S3Service::GetBucketVersioning},
      {"PutBucketVersioning", &S3Service::PutBucketVersioning},
      {"PutBucketTagging", &S3Service::PutBucketTagging},
      {"GetBucketTagging", &S3Service::GetBucketTagging},
      {"DeleteBucketTagging", &S3Service::DeleteBucketTagging},
      {"PutObject", &S3Service::PutObject},
      {"GetObject", &S3Service::GetObject},
      {"HeadObject", &S3Service::HeadObject},
      {"DeleteObject", &S3Service::DeleteObject},
      {"DeleteObjects", &S3Service::DeleteObjects},
      {"CopyObject", &S3Service::CopyObject},
      {"ListObjects", &S3Service::ListObjects},
      {"ListObjectsV2", &S3Service::ListObjectsV2},
      {"PutObjectTagging", &S3Service::PutObjectTagging},
      {"GetObjectTagging", &S3Service::GetObjectTagging},
      {"DeleteObjectTagging", &S3Service::DeleteObjectTagging},
      {"GetObjectAcl", &S3Service::GetObjectAcl},
      {"PutObjectAcl", &S3Service::PutObjectAcl},
      {"CreateMultipartUpload", &S3Service::CreateMultipartUpload},
      {"UploadPart", &S3Service::UploadPart},
      {"UploadPartCopy", &S3Service::UploadPartCopy},
      {"CompleteMultipartUpload", &S3Service::CompleteMultipartUpload},
      {"AbortMultipartUpload", &S3Service::AbortMultipartUpload},
      {"ListParts", &S3Service::ListParts},
      {"ListMultipartUploads", &S3Service::ListMultipartUploads},
  };
  return handlers;
}

bool S3Service::Implements(std::string_view operation) const {
  return Handlers().count(operation) > 0;
}

bool S3Service::IsReadOnly(std::string_view op) const {
  return op.starts_with("Get") || op.starts_with("List") || op.starts_with("Head");
}

bool S3Service::IsDataEvent(std::string_view op) const { return DataOperations().count(op) > 0; }

std::optional<std::string> S3Service::RequestParametersText(const RequestContext& ctx) const {
  // As S3 records them: the bucket, the Host the request was sent to, the key, and the query's
  // parameters and subresources (an empty value for a bare one: "policy": "").
  json::object p;
  auto bucket = aws::StringField(ctx.input, "Bucket");
  if (bucket) p["bucketName"] = *bucket;
  std::string host(ctx.http.HeaderOr("host"));
  if (host.empty()) host = "s3." + ctx.region + ".amazonaws.com";
  p["Host"] = host;
  if (auto key = aws::StringField(ctx.input, "Key")) p["key"] = *key;
  std::string_view query = ctx.http.query();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = QueryDecode(pair.substr(0, eq));
    // The signature (versions 4 and 2) and the SDK's operation id are not parameters.
    if (name.starts_with("X-Amz-") || name == "x-id" || name == "AWSAccessKeyId" ||
        name == "Signature" || name == "Expires" || name == "x-amz-security-token") {
      continue;
    }
    p[name] = eq == std::string_view::npos ? "" : QueryDecode(pair.substr(eq + 1));
  }
  if (ctx.operation != nullptr && ctx.operation->name == "CreateBucket") {
    if (auto* cfg = aws::Field(ctx.input, "CreateBucketConfiguration"); cfg && cfg->is_object()) {
      json::object c = cfg->as_object();
      c["xmlns"] = "http://s3.amazonaws.com/doc/2006-03-01/";
      p["CreateBucketConfiguration"] = std::move(c);
    }
  }
  if (ctx.operation != nullptr && ctx.operation->name == "PutBucketPolicy") {
    if (auto policy = aws::StringField(ctx.input, "Policy")) {
      boost::system::error_code ec;
      json::value doc = json::parse(*policy, ec);
      if (!ec) p["bucketPolicy"] = std::move(doc);
    }
  }
  return json::serialize(p);
}

std::optional<std::string> S3Service::AdditionalEventDataText(const RequestContext& ctx) const {
  json::object d;
  std::string_view q = ctx.http.query();
  bool v2 = q.find("AWSAccessKeyId=") != std::string_view::npos &&
            q.find("X-Amz-Algorithm=") == std::string_view::npos;
  d["SignatureVersion"] = v2 ? "SigV2" : "SigV4";
  uint64_t in = ctx.http.body.size();
  if (auto* spool = ctx.http.streamed_body.get()) {
    (void)spool;
    if (auto len = ctx.http.HeaderOr("content-length"); !len.empty()) {
      in = std::strtoull(std::string(len).c_str(), nullptr, 10);
    }
  }
  d["bytesTransferredIn"] = in;
  bool presigned = q.find("X-Amz-Signature=") != std::string_view::npos || v2;
  d["AuthenticationMethod"] = presigned ? "QueryString" : "AuthHeader";
  d["x-amz-id-2"] = ctx.request_id;
  uint64_t out = ctx.output_body ? ctx.output_body->size() : 0;
  d["bytesTransferredOut"] = out;
  return json::serialize(d);
}

std::vector<aws::CallResource> S3Service::ResolveResources(const RequestContext& ctx) const {
  std::vector<aws::CallResource> out;
  auto bucket = aws::StringField(ctx.input, "Bucket");
  if (!bucket) return out;
  auto key = aws::StringField(ctx.input, "Key");
  if (key) out.push_back({"AWS::S3::Object", ObjectArn(*bucket, *key), ObjectArn(*bucket, *key)});
  out.push_back({"AWS::S3::Bucket", std::string(*bucket), BucketArn(*bucket)});
  return out;
}

aws::AccessRequest S3Service::AccessFor(const RequestContext& ctx) const {
  aws::AccessRequest a;
  std::string_view op = ctx.operation->name;
  if (auto action = ActionOf(op); !action.empty()) a.action = std::string(action);
  a.resource = ctx.resources.empty() ? "*" : ctx.resources.front().arn;
  a.resource_in_denial = true;
  // The bucket's policy is weighed with the caller's own (its owner may be another account).
  if (auto bucket = aws::StringField(ctx.input, "Bucket")) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = buckets_.find(std::string(*bucket)); it != buckets_.end()) {
      a.resource_policy_applies = true;
      a.resource_policy = it->second.policy;
      a.resource_account = it->second.owner;
      a.resource_policy_principal_ids = it->second.policy_principal_ids;
    }
  }
  // S3's condition keys that the call carries.
  static const std::pair<std::string_view, std::string_view> keys[] = {
      {"ACL", "s3:x-amz-acl"},
      {"Prefix", "s3:prefix"},
      {"Delimiter", "s3:delimiter"},
      {"CopySource", "s3:x-amz-copy-source"},
      {"MetadataDirective", "s3:x-amz-metadata-directive"}};
  for (const auto& [member, key] : keys) {
    if (auto v = aws::StringField(ctx.input, member)) {
      a.condition_values.emplace_back(std::string(key), std::string(*v));
    }
  }
  if (auto max = aws::IntField(ctx.input, "MaxKeys")) {
    a.condition_values.emplace_back("s3:max-keys", std::to_string(*max));
  }
  return a;
}

Result<json::value, AwsError> S3Service::Invoke(RequestContext& ctx) {
  auto it = Handlers().find(ctx.operation->name);
  if (it == Handlers().end()) {
    return AwsError::NotImplemented("sagetrail does not implement S3 operation " +
                                    ctx.operation->name + " yet");
  }
  return (this->*(it->second))(ctx);
}

std::optional<std::string> S3Service::BucketRegion(std::string_view bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(bucket));
  if (it == buckets_.end()) return std::nullopt;
  return it->second.region;
}

Result<Bucket*, AwsError> S3Service::FindBucket(std::string_view name) {
  auto it = buckets_.find(std::string(name));
  if (it == buckets_.end()) return errors::NoSuchBucket(name);
  return &it->second;
}

void S3Service::SaveBucket(RequestContext& ctx, const Bucket& b) const {
  ctx.mutations.push_back(
      store::Mutation::Put(S3StateCodec::BucketKey(b.name), S3StateCodec::EncodeBucket(b)));
}

void S3Service::SaveObject(RequestContext& ctx, const Bucket& b, const StoredObject& o) const {
  ctx.mutations.push_back(
      store::Mutation::Put(S3StateCodec::ObjectKey(b.name, o.key), S3StateCodec::EncodeObject(o)));
}

void S3Service::DropObject(RequestContext& ctx, const Bucket& b, std::string_view key) const {
  ctx.mutations.push_back(store::Mutation::Delete(S3StateCodec::ObjectKey(b.name, key)));
}

void S3Service::SaveUpload(RequestContext& ctx, const MultipartUpload& u) const {
  ctx.mutations.push_back(
      store::Mutation::Put(S3StateCodec::UploadKey(u.id), S3StateCodec::EncodeUpload(u)));
}

void S3Service::DropUpload(RequestContext& ctx, std::string_view id) const {
  ctx.mutations.push_back(store::Mutation::Delete(S3StateCodec::UploadKey(id)));
}

void S3Service::RemoveBlobsAfterCommit(RequestContext& ctx, std::vector<std::string> blobs) const {
  if (blobs.empty()) return;
  ctx.after_audit.push_back([this, blobs = std::move(blobs)]() {
    for (const auto& id : blobs) blobs_.Remove(id);
    return Status::Ok();
  });
}

}  // namespace sagetrail::s3
