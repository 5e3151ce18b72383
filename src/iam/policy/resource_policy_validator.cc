#include "iam/policy/resource_policy_validator.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "common/strings.h"
#include "iam/policy/ip_range.h"
#include "iam/policy/wildcard.h"

namespace sagetrail::iam {

namespace json = boost::json;

namespace {

// S3's MalformedPolicy texts.
constexpr std::string_view kNotJson = "Policies must be valid JSON and the first byte must be '{'";
constexpr std::string_view kInvalidJson = "This policy contains invalid Json";
constexpr std::string_view kSyntax = "Invalid policy syntax.";
constexpr std::string_view kBadVersion = "The policy must contain a valid version string";
constexpr std::string_view kNoStatement = "Missing required field Statement";
constexpr std::string_view kEmptyStatement = "Could not parse the policy: Statement is empty!";
constexpr std::string_view kNoEffect = "Missing required field Effect";
constexpr std::string_view kNoPrincipal = "Missing required field Principal";
constexpr std::string_view kBadPrincipal = "Invalid principal in policy";
constexpr std::string_view kNoAction = "Missing required field Action";
constexpr std::string_view kBadAction = "Policy has invalid action";
constexpr std::string_view kNoResource = "Missing required field Resource";
constexpr std::string_view kBadResource = "Policy has invalid resource";
constexpr std::string_view kActionNotApplicable =
    "Action does not apply to any resource(s) in statement";
constexpr std::string_view kBadConditionKey = "Policy has an invalid condition key";
constexpr std::string_view kConditionNotApplicable =
    "Conditions do not apply to combination of actions and resources in statement";
constexpr std::string_view kBadIp = "Invalid IP address in Conditions";

constexpr std::string_view kS3ArnPrefix = "arn:aws:s3:::";

// What an S3 action is about, for "Action does not apply to any resource(s) in statement": a
// bucket policy's resources are the bucket and its objects, so account-level actions
// (ListAllMyBuckets, CreateJob, ...) apply to none of them.
enum class Target { kBucket, kObject, kOther };

struct S3Action {
  std::string_view name;
  Target target;
};

// The S3 actions a policy may name (IAM's Service Authorization Reference).
constexpr std::array kS3Actions = std::to_array<S3Action>({
    // Objects.
    {"AbortMultipartUpload", Target::kObject},
    {"BypassGovernanceRetention", Target::kObject},
    {"DeleteObject", Target::kObject},
    {"DeleteObjectTagging", Target::kObject},
    {"DeleteObjectVersion", Target::kObject},
    {"DeleteObjectVersionTagging", Target::kObject},
    {"GetObject", Target::kObject},
    {"GetObjectAcl", Target::kObject},
    {"GetObjectAttributes", Target::kObject},
    {"GetObjectLegalHold", Target::kObject},
    {"GetObjectRetention", Target::kObject},
    {"GetObjectTagging", Target::kObject},
    {"GetObjectTorrent", Target::kObject},
    {"GetObjectVersion", Target::kObject},
    {"GetObjectVersionAcl", Target::kObject},
    {"GetObjectVersionAttributes", Target::kObject},
    {"GetObjectVersionForReplication", Target::kObject},
    {"GetObjectVersionTagging", Target::kObject},
    {"GetObjectVersionTorrent", Target::kObject},
    {"InitiateReplication", Target::kObject},
    {"ListMultipartUploadParts", Target::kObject},
    {"ObjectOwnerOverrideToBucketOwner", Target::kObject},
    {"PutObject", Target::kObject},
    {"PutObjectAcl", Target::kObject},
    {"PutObjectLegalHold", Target::kObject},
    {"PutObjectRetention", Target::kObject},
    {"PutObjectTagging", Target::kObject},
    {"PutObjectVersionAcl", Target::kObject},
    {"PutObjectVersionTagging", Target::kObject},
    {"ReplicateDelete", Target::kObject},
    {"ReplicateObject", Target::kObject},
    {"ReplicateTags", Target::kObject},
    {"RestoreObject", Target::kObject},
    // Buckets.
    {"CreateBucket", Target::kBucket},
    {"DeleteBucket", Target::kBucket},
    {"DeleteBucketOwnershipControls", Target::kBucket},
    {"DeleteBucketPolicy", Target::kBucket},
    {"DeleteBucketWebsite", Target::kBucket},
    {"GetAccelerateConfiguration", Target::kBucket},
    {"GetAnalyticsConfiguration", Target::kBucket},
    {"GetBucketAcl", Target::kBucket},
    {"GetBucketCORS", Target::kBucket},
    {"GetBucketLocation", Target::kBucket},
    {"GetBucketLogging", Target::kBucket},
    {"GetBucketNotification", Target::kBucket},
    {"GetBucketObjectLockConfiguration", Target::kBucket},
    {"GetBucketOwnershipControls", Target::kBucket},
    {"GetBucketPolicy", Target::kBucket},
    {"GetBucketPolicyStatus", Target::kBucket},
    {"GetBucketPublicAccessBlock", Target::kBucket},
    {"GetBucketRequestPayment", Target::kBucket},
    {"GetBucketTagging", Target::kBucket},
    {"GetBucketVersioning", Target::kBucket},
    {"GetBucketWebsite", Target::kBucket},
    {"GetEncryptionConfiguration", Target::kBucket},
    {"GetIntelligentTieringConfiguration", Target::kBucket},
    {"GetInventoryConfiguration", Target::kBucket},
    {"GetLifecycleConfiguration", Target::kBucket},
    {"GetMetricsConfiguration", Target::kBucket},
    {"GetReplicationConfiguration", Target::kBucket},
    {"ListBucket", Target::kBucket},
    {"ListBucketMultipartUploads", Target::kBucket},
    {"ListBucketVersions", Target::kBucket},
    {"PutAccelerateConfiguration", Target::kBucket},
    {"PutAnalyticsConfiguration", Target::kBucket},
    {"PutBucketAcl", Target::kBucket},
    {"PutBucketCORS", Target::kBucket},
    {"PutBucketLogging", Target::kBucket},
    {"PutBucketNotification", Target::kBucket},
    {"PutBucketObjectLockConfiguration", Target::kBucket},
    {"PutBucketOwnershipControls", Target::kBucket},
    {"PutBucketPolicy", Target::kBucket},
    {"PutBucketPublicAccessBlock", Target::kBucket},
    {"PutBucketRequestPayment", Target::kBucket},
    {"PutBucketTagging", Target::kBucket},
    {"PutBucketVersioning", Target::kBucket},
    {"PutBucketWebsite", Target::kBucket},
    {"PutEncryptionConfiguration", Target::kBucket},
    {"PutIntelligentTieringConfiguration", Target::kBucket},
    {"PutInventoryConfiguration", Target::kBucket},
    {"PutLifecycleConfiguration", Target::kBucket},
    {"PutMetricsConfiguration", Target::kBucket},
    {"PutReplicationConfiguration", Target::kBucket},
    // Neither: the account, batch jobs, access points, Storage Lens.
    {"CreateAccessPoint", Target::kOther},
    {"CreateJob", Target::kOther},
    {"DeleteAccessPoint", Target::kOther},
    {"DeleteAccessPointPolicy", Target::kOther},
    {"DescribeJob", Target::kOther},
    {"GetAccessPoint", Target::kOther},
    {"GetAccessPointPolicy", Target::kOther},
    {"GetAccountPublicAccessBlock", Target::kOther},
    {"GetStorageLensConfiguration", Target::kOther},
    {"GetStorageLensDashboard", Target::kOther},
    {"ListAccessPoints", Target::kOther},
    {"ListAllMyBuckets", Target::kOther},
    {"ListJobs", Target::kOther},
    {"ListStorageLensConfigurations", Target::kOther},
    {"PutAccessPointPolicy", Target::kOther},
    {"PutAccountPublicAccessBlock", Target::kOther},
    {"PutStorageLensConfiguration", Target::kOther},
    {"UpdateJobPriority", Target::kOther},
    {"UpdateJobStatus", Target::kOther},
});

// S3's own condition keys (lower-case; keys compare case-insensitively), and for the few that
// S3 supports with some actions only, those actions: a statement whose actions include none of
// them is refused. The others apply to every action as far as this check goes.
struct S3ConditionKey {
  std::string_view key;
  std::vector<std::string_view> actions;  // empty: not restricted here
};

const std::vector<S3ConditionKey>& S3ConditionKeys() {
  static const std::vector<std::string_view> kList = {"ListBucket", "ListBucketVersions"};
  static const std::vector<std::string_view> kAcl = {
      "PutObject", "PutObjectAcl", "PutObjectVersionAcl", "PutBucketAcl", "CreateBucket"};
  static const std::vector<S3ConditionKey> kKeys = {
      {"s3:accessgrantsinstancearn", {}},
      {"s3:accesspointnetworkorigin", {}},
      {"s3:authtype", {}},
      {"s3:dataaccesspointaccount", {}},
      {"s3:dataaccesspointarn", {}},
      {"s3:delimiter", kList},
      {"s3:existingjoboperation", {}},
      {"s3:existingjobpriority", {}},
      {"s3:if-match", {}},
      {"s3:if-none-match", {}},
      {"s3:inventoryaccessibleoptionalfields", {}},
      {"s3:jobsuspendedcause", {}},
      {"s3:locationconstraint", {"CreateBucket"}},
      {"s3:max-keys", kList},
      {"s3:object-lock-legal-hold", {}},
      {"s3:object-lock-mode", {}},
      {"s3:object-lock-remaining-retention-days", {}},
      {"s3:object-lock-retain-until-date", {}},
      {"s3:objectcreationoperation", {}},
      {"s3:prefix", kList},
      {"s3:requestjoboperation", {}},
      {"s3:requestjobpriority", {}},
      {"s3:requestobjecttagkeys", {}},
      {"s3:resourceaccount", {}},
      {"s3:signatureage", {}},
      {"s3:signatureversion", {}},
      {"s3:tlsversion", {}},
      {"s3:versionid", {}},
      {"s3:x-amz-acl", kAcl},
      {"s3:x-amz-content-sha256", {}},
      {"s3:x-amz-copy-source", {}},
      {"s3:x-amz-grant-full-control", kAcl},
      {"s3:x-amz-grant-read", kAcl},
      {"s3:x-amz-grant-read-acp", kAcl},
      {"s3:x-amz-grant-write", kAcl},
      {"s3:x-amz-grant-write-acp", kAcl},
      {"s3:x-amz-metadata-directive", {}},
      {"s3:x-amz-object-ownership", {}},
      {"s3:x-amz-server-side-encryption", {}},
      {"s3:x-amz-server-side-encryption-aws-kms-key-id", {}},
      {"s3:x-amz-server-side-encryption-customer-algorithm", {}},
      {"s3:x-amz-storage-class", {}},
      {"s3:x-amz-website-redirect-location", {}},
  };
  return kKeys;
}

// Keys with a tag key after the slash ("s3:ExistingObjectTag/project").
constexpr std::array<std::string_view, 3> kS3TaggedKeyPrefixes = {
    "s3:existingobjecttag/", "s3:requestobjecttag/", "s3:buckettag/"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAccountId(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), IsDigit);
}

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// A string, or a list of strings (empty allowed); false for anything else.
bool ReadStrings(const json::value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->emplace_back(v.get_string());
    return true;
  }
  if (!v.is_array()) return false;
  for (const json::value& item : v.get_array()) {
    if (!item.is_string()) return false;
    out->emplace_back(item.get_string());
  }
  return true;
}

// "name" or "path/name" after "user/" or "role/": a non-empty last segment.
bool HasName(std::string_view rest) { return !rest.empty() && rest.back() != '/'; }

// An "AWS" entry S3 accepts: "*", an account id, or the ARN of an account root, an IAM user or
// role, an assumed-role session or a federated user, without wildcards.
bool IsValidAwsPrincipal(std::string_view p) {
  if (p == "*" || IsAccountId(p)) return true;
  if (HasWildcard(p)) return false;
  std::vector<std::string_view> parts = Split(p, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[1] != "aws" || !parts[3].empty() ||
      !IsAccountId(parts[4])) {
    return false;
  }
  std::string_view res = parts[5];
  if (parts[2] == "iam") {
    if (res == "root") return true;
    if (res.starts_with("user/")) return HasName(res.substr(5));
    if (res.starts_with("role/")) return HasName(res.substr(5));
    return false;
  }
  if (parts[2] == "sts") {
    if (res.starts_with("assumed-role/")) {
      std::vector<std::string_view> names = Split(res.substr(13), '/');
      return names.size() == 2 && !names[0].empty() && !names[1].empty();
    }
    if (res.starts_with("federated-user/")) return res.size() > 15;
  }
  return false;
}

bool IsValidServicePrincipal(std::string_view s) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (!s.ends_with(kSuffix) || s.size() == kSuffix.size()) return false;
  for (char c : s.substr(0, s.size() - kSuffix.size())) {
    if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '.')) return false;
  }
  return true;
}

// An IAM user or role ARN (whose entity IAM resolves when the policy is saved).
bool IsUserOrRoleArn(std::string_view p) {
  std::vector<std::string_view> parts = Split(p, ':');
  return parts.size() == 6 && parts[2] == "iam" &&
         (parts[5].starts_with("user/") || parts[5].starts_with("role/"));
}

// A Principal or NotPrincipal value: "*", or an object of "AWS" and "Service" entries, each a
// non-empty string or a non-empty list of them. (CanonicalUser and Federated principals name
// nothing this server knows.)
bool ValidPrincipal(const json::value& v, std::vector<std::string>* arns) {
  if (v.is_string()) return v.get_string() == "*";
  if (!v.is_object() || v.get_object().empty()) return false;
  for (const auto& kv : v.get_object()) {
    std::vector<std::string> entries;
    if (!ReadStrings(kv.value(), &entries) || entries.empty()) return false;
    for (const std::string& e : entries) {
      if (e.empty()) return false;
    }
    if (kv.key() == "AWS") {
      for (const std::string& e : entries) {
        if (!IsValidAwsPrincipal(e)) return false;
        if (IsUserOrRoleArn(e) && std::find(arns->begin(), arns->end(), e) == arns->end()) {
          arns->push_back(e);
        }
      }
    } else if (kv.key() == "Service") {
      for (const std::string& e : entries) {
        if (!IsValidServicePrincipal(e)) return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

// An action pattern: "*", or "s3:" and a name (wildcards allowed, any case) that names at least
// one S3 action.
bool ValidAction(std::string_view pattern) {
  if (pattern == "*") return true;
  std::string lower = AsciiLower(pattern);
  if (!lower.starts_with("s3:")) return false;
  std::string_view name = std::string_view(lower).substr(3);
  for (const S3Action& a : kS3Actions) {
    if (WildcardMatch(name, a.name, /*ignore_case=*/true)) return true;
  }
  return false;
}

// Whether an action pattern names an action of one of the targets.
bool NamesActionOn(std::string_view pattern, bool bucket, bool object) {
  std::string_view name = pattern == "*" ? std::string_view("*") : pattern.substr(3);
  for (const S3Action& a : kS3Actions) {
    bool reached =
        (a.target == Target::kBucket && bucket) || (a.target == Target::kObject && object);
    if (reached && WildcardMatch(name, a.name, /*ignore_case=*/true)) return true;
  }
  return false;
}

// Whether an action pattern names one of `actions`.
bool NamesOneOf(std::string_view pattern, const std::vector<std::string_view>& actions) {
  std::string_view name = pattern == "*" ? std::string_view("*") : pattern.substr(3);
  for (std::string_view a : actions) {
    if (WildcardMatch(name, a, /*ignore_case=*/true)) return true;
  }
  return false;
}

// A Resource entry within bucket `bucket`: "arn:aws:s3:::<bucket>" or "arn:aws:s3:::<bucket>/...".
bool ValidResource(std::string_view resource, std::string_view bucket, bool* bucket_level,
                   bool* object_level) {
  if (!resource.starts_with(kS3ArnPrefix)) return false;
  std::string_view rest = resource.substr(kS3ArnPrefix.size());
  size_t slash = rest.find('/');
  if (rest.substr(0, slash) != bucket) return false;
  if (slash == std::string_view::npos) {
    *bucket_level = true;
  } else {
    *object_level = true;
  }
  return true;
}

class S3BucketPolicyChecker {
 public:
  explicit S3BucketPolicyChecker(std::string_view bucket) : bucket_(bucket) {}

  // The first fault's message, or empty.
  std::string Check(std::string_view text) {
    if (text.empty() || text.front() != '{') return std::string(kNotJson);
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec || !root.is_object()) return std::string(kInvalidJson);
    const json::object& top = root.get_object();
    for (const auto& kv : top) {
      if (kv.key() != "Version" && kv.key() != "Id" && kv.key() != "Statement") {
        return "Unknown field " + std::string(kv.key());
      }
    }
    if (const json::value* v = top.if_contains("Version")) {
      if (!v->is_string() ||
          (v->get_string() != kPolicyVersion2012 && v->get_string() != kPolicyVersion2008)) {
        return std::string(kBadVersion);
      }
    }
    if (const json::value* v = top.if_contains("Id"); v != nullptr && !v->is_string()) {
      return std::string(kSyntax);
    }
    const json::value* statements = top.if_contains("Statement");
    if (statements == nullptr) return std::string(kNoStatement);
    if (statements->is_object()) return CheckStatement(statements->get_object());
    if (!statements->is_array()) return std::string(kSyntax);
    if (statements->get_array().empty()) return std::string(kEmptyStatement);
    for (const json::value& s : statements->get_array()) {
      if (!s.is_object()) return std::string(kSyntax);
      std::string error = CheckStatement(s.get_object());
      if (!error.empty()) return error;
    }
    return {};
  }

  std::vector<std::string> TakePrincipalArns() { return std::move(principal_arns_); }

 private:
  std::string CheckStatement(const json::object& st) {
    static const std::set<std::string_view> kElements = {"Sid",       "Effect",       "Action",
                                                         "NotAction", "Resource",     "NotResource",
                                                         "Principal", "NotPrincipal", "Condition"};
    for (const auto& kv : st) {
      if (!kElements.contains(kv.key())) return "Unknown field " + std::string(kv.key());
    }
    if ((st.contains("Action") && st.contains("NotAction")) ||
        (st.contains("Resource") && st.contains("NotResource")) ||
        (st.contains("Principal") && st.contains("NotPrincipal"))) {
      return std::string(kSyntax);
    }
    if (const json::value* v = st.if_contains("Sid"); v != nullptr && !v->is_string()) {
      return std::string(kSyntax);
    }

    // Effect.
    const json::value* effect = st.if_contains("Effect");
    if (effect == nullptr) return std::string(kNoEffect);
    if (!effect->is_string()) return std::string(kSyntax);
    std::string_view effect_text = effect->get_string();
    if (effect_text != "Allow" && effect_text != "Deny") {
      return "Invalid effect: " + std::string(effect_text);
    }
    const bool allow = effect_text == "Allow";

    // Principal.
    const json::value* principal = st.if_contains("Principal");
    const bool not_principal = principal == nullptr && st.contains("NotPrincipal");
    if (not_principal) principal = st.if_contains("NotPrincipal");
    if (principal == nullptr) return std::string(kNoPrincipal);
    // NotPrincipal is supported with Deny only.
    if (not_principal && allow) return std::string(kBadPrincipal);
    if (!ValidPrincipal(*principal, &principal_arns_)) return std::string(kBadPrincipal);

    // Action.
    const json::value* action = st.if_contains("Action");
    const bool not_action = action == nullptr && st.contains("NotAction");
    if (not_action) action = st.if_contains("NotAction");
    if (action == nullptr) return std::string(kNoAction);
    std::vector<std::string> actions;
    if (!ReadStrings(*action, &actions)) return std::string(kSyntax);
    if (actions.empty()) return std::string(kBadAction);
    for (const std::string& a : actions) {
      if (!ValidAction(a)) return std::string(kBadAction);
    }

    // Resource.
    const json::value* resource = st.if_contains("Resource");
    const bool not_resource = resource == nullptr && st.contains("NotResource");
    if (not_resource) resource = st.if_contains("NotResource");
    if (resource == nullptr) return std::string(kNoResource);
    std::vector<std::string> resources;
    if (!ReadStrings(*resource, &resources)) return std::string(kSyntax);
    if (resources.empty()) return std::string(kBadResource);
    bool bucket_level = false;
    bool object_level = false;
    for (const std::string& r : resources) {
      if (!ValidResource(r, bucket_, &bucket_level, &object_level)) {
        return std::string(kBadResource);
      }
    }

    // Condition: S3 reports a key that does not apply to the actions before actions that do not
    // apply to the resources.
    if (const json::value* condition = st.if_contains("Condition")) {
      std::string error = CheckCondition(*condition, actions, not_action);
      if (!error.empty()) return error;
    }

    // Each action must apply to one of the resources (a bucket, or objects in it).
    if (!not_action && !not_resource) {
      for (const std::string& a : actions) {
        if (!NamesActionOn(AsciiLower(a), bucket_level, object_level)) {
          return std::string(kActionNotApplicable);
        }
      }
    }
    return {};
  }

  std::string CheckCondition(const json::value& condition, const std::vector<std::string>& actions,
                             bool not_action) {
    if (!condition.is_object()) return std::string(kSyntax);
    for (const auto& op_kv : condition.get_object()) {
      std::string_view op = op_kv.key();
      std::string_view base = op;
      if (base.starts_with("ForAnyValue:")) {
        base.remove_prefix(12);
      } else if (base.starts_with("ForAllValues:")) {
        base.remove_prefix(13);
      }
      if (base.ends_with("IfExists")) base.remove_suffix(8);
      std::optional<ConditionOperator> parsed_op = ConditionOperatorFromName(base);
      if (!parsed_op) return "Invalid Condition type : " + std::string(op);
      if (!op_kv.value().is_object()) return std::string(kSyntax);
      for (const auto& key_kv : op_kv.value().get_object()) {
        std::vector<std::string> values;
        if (!ReadConditionValues(key_kv.value(), &values)) return std::string(kSyntax);
        std::string key = AsciiLower(key_kv.key());
        std::string error = CheckConditionKey(key, actions, not_action);
        if (!error.empty()) return error;
        if ((*parsed_op == ConditionOperator::kIpAddress ||
             *parsed_op == ConditionOperator::kNotIpAddress) &&
            key == "aws:sourceip") {
          for (const std::string& value : values) {
            if (!IpRange::Parse(value)) return std::string(kBadIp);
          }
        }
      }
    }
    return {};
  }

  static bool ReadConditionValues(const json::value& v, std::vector<std::string>* out) {
    auto scalar = [out](const json::value& s) {
      if (s.is_string()) {
        out->emplace_back(s.get_string());
      } else if (s.is_bool() || s.is_number()) {
        out->push_back(json::serialize(s));
      } else {
        return false;
      }
      return true;
    };
    if (!v.is_array()) return scalar(v);
    for (const json::value& item : v.get_array()) {
      if (!scalar(item)) return false;
    }
    return true;
  }

  // Global keys (aws:...) are all accepted; S3's must be known, and apply to some action.
  static std::string CheckConditionKey(const std::string& key,
                                       const std::vector<std::string>& actions, bool not_action) {
    if (key.starts_with("aws:")) return {};
    for (std::string_view prefix : kS3TaggedKeyPrefixes) {
      if (key.starts_with(prefix) && key.size() > prefix.size()) return {};
    }
    for (const S3ConditionKey& known : S3ConditionKeys()) {
      if (known.key != key) continue;
      if (known.actions.empty() || not_action) return {};
      for (const std::string& a : actions) {
        if (NamesOneOf(AsciiLower(a), known.actions)) return {};
      }
      return std::string(kConditionNotApplicable);
    }
    return std::string(kBadConditionKey);
  }

  std::string_view bucket_;
  std::vector<std::string> principal_arns_;
};

}  // namespace

Result<ValidatedResourcePolicy, std::string> ValidateResourcePolicy(
    std::string_view text, ResourcePolicyType type, std::string_view resource_name) {
  std::vector<std::string> arns;
  switch (type) {
    case ResourcePolicyType::kS3Bucket: {
      S3BucketPolicyChecker checker(resource_name);
      std::string error = checker.Check(text);
      if (!error.empty()) return error;
      arns = checker.TakePrincipalArns();
      break;
    }
  }
  // What passed the service's checks is a well-formed resource-based policy; the parser's
  // message, should it still refuse, is the best there is.
  auto parsed = PolicyDocument::Parse(text, PolicyKind::kResource);
  if (!parsed.ok()) return std::move(parsed).error();
  return ValidatedResourcePolicy{std::move(parsed).value(), std::move(arns)};
}

}  // namespace sagetrail::iam
