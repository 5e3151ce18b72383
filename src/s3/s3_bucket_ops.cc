// S3Service: the bucket-level operations.
#include <boost/json.hpp>
#include <regex>

#include "aws/protocol/generic_value.h"
#include "aws/request_context.h"
#include "common/crypto.h"
#include "s3/s3_errors.h"
#include "s3/s3_service.h"
#include "s3/s3_state_codec.h"

namespace sagetrail::s3 {
namespace json = boost::json;
using aws::AwsError;
using aws::RequestContext;

namespace {

// S3's naming rules for general purpose buckets.
bool ValidBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (!alnum(c) && c != '-' && c != '.') return false;
    if (c == '.' && i + 1 < n.size() && (n[i + 1] == '.' || n[i + 1] == '-')) return false;
    if (c == '-' && i + 1 < n.size() && n[i + 1] == '.') return false;
  }
  static const std::regex ip(R"(^\d+\.\d+\.\d+\.\d+$)");
  if (std::regex_match(std::string(n), ip)) return false;
  if (n.starts_with("xn--") || n.starts_with("sthree-") || n.starts_with("amzn-s3-demo-")) {
    return false;
  }
  if (n.ends_with("-s3alias") || n.ends_with("--ol-s3") || n.ends_with(".mrap") ||
      n.ends_with("--x-s3")) {
    return false;
  }
  return true;
}

bool PlausibleRegion(std::string_view r) {
  static const std::regex re(R"(^[a-z]{2}(-[a-z]+)+-\d{1,2}$)");
  return std::regex_match(std::string(r), re);
}

json::object OwnerOf(std::string_view account) {
  json::object o;
  o["DisplayName"] = "account-" + std::string(account);
  o["ID"] = Sha256Hex("sagetrail-canonical-user:" + std::string(account));
  return o;
}

Result<Tags, AwsError> ReadTagSet(const json::value& input, size_t limit) {
  Tags tags;
  const json::value* tagging = aws::Field(input, "Tagging");
  const json::value* set = tagging ? aws::Field(*tagging, "TagSet") : nullptr;
  if (set == nullptr || !set->is_array()) return tags;
  for (const auto& t : set->as_array()) {
    auto k = aws::StringField(t, "Key");
    auto v = aws::StringField(t, "Value");
    if (!k) return errors::MalformedXml();
    if (k->empty() || k->size() > 128) {
      return errors::Make("InvalidTag", "The TagKey you have provided is invalid", 400);
    }
    if (v && v->size() > 256) {
      return errors::Make("InvalidTag", "The TagValue you have provided is invalid", 400);
    }
    for (const auto& [ek, ev] : tags) {
      if (ek == *k) {
        return errors::Make("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
      }
    }
    tags.emplace_back(std::string(*k), v ? std::string(*v) : std::string());
  }
  if (tags.size() > limit) {
    return errors::Make("BadRequest", "Object tags cannot be greater than " + std::to_string(limit),
                        400);
  }
  return tags;
}

json::value TagSetOutput(const Tags& tags) {
  json::array set;
  for (const auto& [k, v] : tags) set.push_back(json::object{{"Key", k}, {"Value", v}});
  return json::value(json::object{{"TagSet", std::move(set)}});
}

}  // namespace

Result<json::value, AwsError> S3Service::CreateBucket(RequestContext& ctx) {
  std::string name(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!ValidBucketName(name)) return errors::InvalidBucketName(name);
  std::string constraint;
  if (auto* cfg = aws::Field(ctx.input, "CreateBucketConfiguration")) {
    constraint = std::string(aws::StringField(*cfg, "LocationConstraint").value_or(""));
  }
  // us-east-1 (the global endpoint) creates a bucket in whatever region the constraint names,
  // and refuses to be named; any other region only creates its own buckets.
  std::string region;
  if (ctx.region == "us-east-1") {
    if (constraint == "us-east-1") {
      auto e = errors::Make("InvalidLocationConstraint",
                            "The specified location-constraint is not valid", 400);
      e.extra.push_back({"LocationConstraint", constraint});
      return e;
    }
    region = constraint.empty() ? "us-east-1" : constraint == "EU" ? "eu-west-1" : constraint;
    if (!PlausibleRegion(region)) {
      auto e = errors::Make("InvalidLocationConstraint",
                            "The specified location-constraint is not valid", 400);
      e.extra.push_back({"LocationConstraint", constraint});
      return e;
    }
  } else {
    if (constraint != ctx.region) {
      std::string what = constraint.empty() ? "unspecified" : constraint;
      return errors::Make("IllegalLocationConstraintException",
                          "The " + what +
                              " location constraint is incompatible for the region specific "
                              "endpoint this request was sent to.",
                          400);
    }
    region = ctx.region;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  if (auto it = buckets_.find(name); it != buckets_.end()) {
    if (it->second.owner != ctx.account_id) return errors::BucketAlreadyExists(name);
    return errors::BucketAlreadyOwnedByYou(name);
  }
  Bucket b;
  b.name = name;
  b.region = region;
  b.owner = ctx.account_id;
  b.created = clock_.Now();
  if (auto acl = aws::StringField(ctx.input, "ACL")) b.acl = std::string(*acl);
  SaveBucket(ctx, b);
  buckets_.emplace(name, std::move(b));
  return json::value(json::object{{"Location", "/" + name}});
}

Result<json::value, AwsError> S3Service::HeadBucket(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  return json::value(json::object{{"BucketRegion", (*b)->region}});
}

Result<json::value, AwsError> S3Service::DeleteBucket(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  Bucket& bucket = **b;
  if (!bucket.objects.empty()) return errors::BucketNotEmpty(bucket.name);
  // Uploads in progress go with the bucket, as in S3.
  std::vector<std::string> blobs;
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    if (it->second.bucket == bucket.name) {
      for (const auto& [n, p] : it->second.parts) blobs.push_back(p.blob);
      DropUpload(ctx, it->first);
      it = uploads_.erase(it);
    } else {
      ++it;
    }
  }
  ctx.mutations.push_back(store::Mutation::Delete(S3StateCodec::BucketKey(bucket.name)));
  buckets_.erase(bucket.name);
  RemoveBlobsAfterCommit(ctx, std::move(blobs));
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::ListBuckets(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  json::array list;
  for (const auto& [name, b] : buckets_) {
    if (b.owner != ctx.account_id) continue;
    list.push_back(json::object{{"Name", name},
                                {"CreationDate", aws::TimestampValue(b.created)},
                                {"BucketRegion", b.region}});
  }
  return json::value(
      json::object{{"Buckets", std::move(list)}, {"Owner", OwnerOf(ctx.account_id)}});
}

Result<json::value, AwsError> S3Service::GetBucketLocation(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  // us-east-1 is the empty constraint.
  return json::value(json::object{
      {"LocationConstraint", (*b)->region == "us-east-1" ? std::string() : (*b)->region}});
}

Result<json::value, AwsError> S3Service::PutBucketPolicy(RequestContext& ctx) {
  std::string bucket_name(aws::StringField(ctx.input, "Bucket").value_or(""));
  std::string policy(aws::StringField(ctx.input, "Policy").value_or(""));
  std::map<std::string, std::string> ids;
  if (policy_checker_) {
    auto checked = policy_checker_(policy, bucket_name);
    if (!checked.ok()) return errors::Make("MalformedPolicy", checked.error(), 400);
    ids = std::move(checked).value();
  } else {
    boost::system::error_code ec;
    json::value doc = json::parse(policy, ec);
    if (ec || !doc.is_object()) {
      return errors::Make("MalformedPolicy",
                          "Policies must be valid JSON and the first byte must be '{'", 400);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(bucket_name);
  if (!b.ok()) return std::move(b).error();
  (*b)->policy = policy;
  (*b)->policy_principal_ids = std::move(ids);
  SaveBucket(ctx, **b);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetBucketPolicy(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  if ((*b)->policy.empty()) return errors::NoSuchBucketPolicy((*b)->name);
  return json::value(json::object{{"Policy", (*b)->policy}});
}

Result<json::value, AwsError> S3Service::DeleteBucketPolicy(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  (*b)->policy.clear();
  (*b)->policy_principal_ids.clear();
  SaveBucket(ctx, **b);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetBucketAcl(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  json::object owner = OwnerOf((*b)->owner);
  json::object grantee = owner;
  grantee["Type"] = "CanonicalUser";
  json::array grants;
  grants.push_back(json::object{{"Grantee", grantee}, {"Permission", "FULL_CONTROL"}});
  return json::value(json::object{{"Owner", std::move(owner)}, {"Grants", std::move(grants)}});
}

Result<json::value, AwsError> S3Service::PutBucketAcl(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  if (auto acl = aws::StringField(ctx.input, "ACL")) (*b)->acl = std::string(*acl);
  SaveBucket(ctx, **b);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetBucketVersioning(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  return json::value(json::object{});  // never enabled: no Status
}

Result<json::value, AwsError> S3Service::PutBucketVersioning(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  const json::value* cfg = aws::Field(ctx.input, "VersioningConfiguration");
  auto status = cfg ? aws::StringField(*cfg, "Status") : std::nullopt;
  if (status && *status == "Enabled") {
    return AwsError::NotImplemented("sagetrail's S3 does not support bucket versioning");
  }
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::PutBucketTagging(RequestContext& ctx) {
  auto tags = ReadTagSet(ctx.input, 50);
  if (!tags.ok()) return std::move(tags).error();
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  (*b)->tags = std::move(tags).value();
  (*b)->has_tags = true;
  SaveBucket(ctx, **b);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetBucketTagging(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  if (!(*b)->has_tags) return errors::NoSuchTagSet((*b)->name);
  return TagSetOutput((*b)->tags);
}

Result<json::value, AwsError> S3Service::DeleteBucketTagging(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  (*b)->tags.clear();
  (*b)->has_tags = false;
  SaveBucket(ctx, **b);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::PutObjectTagging(RequestContext& ctx) {
  auto tags = ReadTagSet(ctx.input, 10);
  if (!tags.ok()) return std::move(tags).error();
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  std::string key(aws::StringField(ctx.input, "Key").value_or(""));
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  it->second.tags = std::move(tags).value();
  SaveObject(ctx, **b, it->second);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetObjectTagging(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  std::string key(aws::StringField(ctx.input, "Key").value_or(""));
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  return TagSetOutput(it->second.tags);
}

Result<json::value, AwsError> S3Service::DeleteObjectTagging(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx.TakeTicket();
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  std::string key(aws::StringField(ctx.input, "Key").value_or(""));
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  it->second.tags.clear();
  SaveObject(ctx, **b, it->second);
  return json::value(json::object{});
}

Result<json::value, AwsError> S3Service::GetObjectAcl(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  std::string key(aws::StringField(ctx.input, "Key").value_or(""));
  auto it = (*b)->objects.find(key);
  if (it == (*b)->objects.end()) return errors::NoSuchKey(key);
  json::object owner = OwnerOf(it->second.owner.empty() ? (*b)->owner : it->second.owner);
  json::object grantee = owner;
  grantee["Type"] = "CanonicalUser";
  json::array grants;
  grants.push_back(json::object{{"Grantee", grantee}, {"Permission", "FULL_CONTROL"}});
  return json::value(json::object{{"Owner", std::move(owner)}, {"Grants", std::move(grants)}});
}

Result<json::value, AwsError> S3Service::PutObjectAcl(RequestContext& ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = FindBucket(aws::StringField(ctx.input, "Bucket").value_or(""));
  if (!b.ok()) return std::move(b).error();
  std::string key(aws::StringField(ctx.input, "Key").value_or(""));
  if ((*b)->objects.count(key) == 0) return errors::NoSuchKey(key);
  return json::value(json::object{});
}

}  // namespace sagetrail::s3
