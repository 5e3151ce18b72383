#include "iam/policy/policy_document.h"

#include <array>
#include <boost/json.hpp>
#include <set>
#include <utility>

#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::iam {

namespace json = boost::json;

namespace {

// IAM's messages, in the order its validator reports them.
constexpr std::string_view kSyntaxError = "Syntax errors in policy.";
constexpr std::string_view kInvalidJson = "This policy contains invalid Json";
constexpr std::string_view kVersionTooOld =
    "Policy document must be version 2012-10-17 or greater.";
constexpr std::string_view kLegacyParsing = "The policy failed legacy parsing";
constexpr std::string_view kSidNotUnique = "Statement IDs (SID) in a single policy must be unique.";
constexpr std::string_view kSidNotAlphanumeric =
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
    "expression [0-9A-Za-z]*";
constexpr std::string_view kNoActions = "Policy statement must contain actions.";
constexpr std::string_view kNoResources = "Policy statement must contain resources.";
constexpr std::string_view kResourcePolicyNoPrincipal = "Missing required field Principal";
constexpr std::string_view kPrincipalInIdentityPolicy =
    "Policy document should not specify a principal.";
constexpr std::string_view kProhibitedResource = "Has prohibited field Resource";
constexpr std::string_view kNoPrincipal =
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in "
    "policy has a statement with no principals!";
constexpr std::string_view kStarPrincipal =
    "AssumeRolepolicy contained an invalid principal: \"STAR\":\"*\".";
constexpr std::string_view kTrustActions =
    "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
    "sts:AssumeRoleWithWebIdentity";
constexpr std::string_view kNoVendor =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
constexpr std::string_view kTwoColons = "Actions/Condition can contain only one colon.";
constexpr std::string_view kVendorNotQualified =
    "Resource vendor must be fully qualified and cannot contain regexes.";

constexpr std::array<std::string_view, 9> kPartitions = {"aws",       "aws-cn",    "aws-us-gov",
                                                         "aws-iso",   "aws-iso-b", "aws-iso-e",
                                                         "aws-iso-f", "aws-eusc",  "*"};

constexpr std::array<std::string_view, 13> kIamResourcePrefixes = {"user/",
                                                                   "federated-user/",
                                                                   "role/",
                                                                   "group/",
                                                                   "instance-profile/",
                                                                   "mfa/",
                                                                   "server-certificate/",
                                                                   "policy/",
                                                                   "sms-mfa/",
                                                                   "saml-provider/",
                                                                   "oidc-provider/",
                                                                   "report/",
                                                                   "access-report/"};

struct OperatorName {
  std::string_view name;
  ConditionOperator op;
};

constexpr std::array<OperatorName, 27> kOperators = {{
    {"StringEquals", ConditionOperator::kStringEquals},
    {"StringNotEquals", ConditionOperator::kStringNotEquals},
    {"StringEqualsIgnoreCase", ConditionOperator::kStringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", ConditionOperator::kStringNotEqualsIgnoreCase},
    {"StringLike", ConditionOperator::kStringLike},
    {"StringNotLike", ConditionOperator::kStringNotLike},
    {"NumericEquals", ConditionOperator::kNumericEquals},
    {"NumericNotEquals", ConditionOperator::kNumericNotEquals},
    {"NumericLessThan", ConditionOperator::kNumericLessThan},
    {"NumericLessThanEquals", ConditionOperator::kNumericLessThanEquals},
    {"NumericGreaterThan", ConditionOperator::kNumericGreaterThan},
    {"NumericGreaterThanEquals", ConditionOperator::kNumericGreaterThanEquals},
    {"DateEquals", ConditionOperator::kDateEquals},
    {"DateNotEquals", ConditionOperator::kDateNotEquals},
    {"DateLessThan", ConditionOperator::kDateLessThan},
    {"DateLessThanEquals", ConditionOperator::kDateLessThanEquals},
    {"DateGreaterThan", ConditionOperator::kDateGreaterThan},
    {"DateGreaterThanEquals", ConditionOperator::kDateGreaterThanEquals},
    {"Bool", ConditionOperator::kBool},
    {"BinaryEquals", ConditionOperator::kBinaryEquals},
    {"IpAddress", ConditionOperator::kIpAddress},
    {"NotIpAddress", ConditionOperator::kNotIpAddress},
    {"ArnEquals", ConditionOperator::kArnEquals},
    {"ArnLike", ConditionOperator::kArnLike},
    {"ArnNotEquals", ConditionOperator::kArnNotEquals},
    {"ArnNotLike", ConditionOperator::kArnNotLike},
    {"Null", ConditionOperator::kNull},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool HasWildcard(std::string_view s) {
  return s.find('*') != std::string_view::npos || s.find('?') != std::string_view::npos;
}

// A JSON string or a list of JSON strings (an empty list is allowed by the grammar).
bool ReadStringOrList(const json::value& v, std::vector<std::string>* out) {
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

// A condition value: a string, number or boolean, kept as text.
bool ReadScalar(const json::value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->emplace_back(v.get_string());
  } else if (v.is_bool()) {
    out->emplace_back(v.get_bool() ? "true" : "false");
  } else if (v.is_int64() || v.is_uint64() || v.is_double()) {
    out->push_back(json::serialize(v));
  } else {
    return false;
  }
  return true;
}

bool ReadConditionValues(const json::value& v, std::vector<std::string>* out) {
  if (!v.is_array()) return ReadScalar(v, out);
  for (const json::value& item : v.get_array()) {
    if (!ReadScalar(item, out)) return false;
  }
  return true;
}

// Splits "ForAnyValue:StringLikeIfExists" into its parts; false for operators IAM does not know.
bool ParseOperatorName(std::string_view name, Condition* c) {
  std::string_view base = name;
  if (base.starts_with("ForAnyValue:")) {
    c->qualifier = SetQualifier::kForAnyValue;
    base.remove_prefix(12);
  } else if (base.starts_with("ForAllValues:")) {
    c->qualifier = SetQualifier::kForAllValues;
    base.remove_prefix(13);
  }
  if (base.ends_with("IfExists")) {
    c->if_exists = true;
    base.remove_suffix(8);
  }
  std::optional<ConditionOperator> op = ConditionOperatorFromName(base);
  if (!op) return false;
  c->op = *op;
  return true;
}

// A date condition value as IAM's legacy parser accepts it: epoch seconds or an ISO 8601-like
// date-time. Lenient on purpose (IAM accepts "2016-12-13t2:00:00.593194+23"); evaluation treats
// a value it cannot read as a value that does not match.
bool LooksLikeDate(std::string_view v) {
  if (v.empty()) return false;
  if (ParseIso8601(v)) return true;
  std::string_view digits = v.front() == '-' ? v.substr(1) : v;
  if (AllDigits(digits)) return digits.size() <= 19;  // fits in a signed 64-bit integer
  if (!IsDigit(v.front()) && v.front() != '-') return false;
  for (char c : v) {
    bool ok = IsDigit(c) || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 't' ||
              c == 'Z' || c == 'z';
    if (!ok) return false;
  }
  return true;
}

bool IsDateOperator(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::kDateEquals:
    case ConditionOperator::kDateNotEquals:
    case ConditionOperator::kDateLessThan:
    case ConditionOperator::kDateLessThanEquals:
    case ConditionOperator::kDateGreaterThan:
    case ConditionOperator::kDateGreaterThanEquals:
      return true;
    default:
      return false;
  }
}

std::string Join(const std::vector<std::string_view>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// IAM's ARN-format check of one Resource/NotResource entry; the message, or empty when fine.
std::string ResourceFormatError(std::string_view resource) {
  if (resource == "*") return {};
  size_t first = resource.find(':');
  if (first == std::string_view::npos) {
    return "Resource " + std::string(resource) + " must be in ARN format or \"*\".";
  }
  // IAM does not look at what precedes the first colon; the next field is the partition.
  std::string_view rest = resource.substr(first + 1);
  size_t second = rest.find(':');
  std::string_view partition = rest.substr(0, second);
  bool known = false;
  for (std::string_view p : kPartitions) known = known || p == partition;
  if (!known) {
    std::string_view tail = second == std::string_view::npos ? "" : rest.substr(second + 1);
    std::vector<std::string_view> parts = Split(tail, ':');
    auto part = [&](size_t i) -> std::string {
      if (i == 0) return (!parts[0].empty() || parts.size() > 1) ? std::string(parts[0]) : "*";
      if (i < 3) return parts.size() > i ? std::string(parts[i]) : "*";
      if (parts.size() <= 3) return "*";
      return Join(std::vector<std::string_view>(parts.begin() + 3, parts.end()), ":");
    };
    return "Partition \"" + std::string(partition) +
           "\" is not valid for resource \"arn:" + std::string(partition) + ":" + part(0) + ":" +
           part(1) + ":" + part(2) + ":" + part(3) + "\".";
  }
  if (second == std::string_view::npos) return std::string(kVendorNotQualified);
  std::string_view after_partition = rest.substr(second + 1);
  std::vector<std::string_view> parts = Split(after_partition, ':');
  std::string_view service = parts[0];
  std::string_view region = parts.size() > 1 ? parts[1] : "";
  std::string_view path;
  if (parts.size() > 3) {
    size_t skip = parts[0].size() + parts[1].size() + parts[2].size() + 3;
    path = after_partition.substr(skip);
  }
  if (service == "iam" && !region.empty()) {
    return "IAM resource " + std::string(resource) + " cannot contain region information.";
  }
  if (service == "s3" && !region.empty() && !path.starts_with("accesspoint/")) {
    return "Resource " + std::string(resource) + " can not contain region information.";
  }
  if (service == "iam" && parts.size() > 3 && path != "*" && path != "root") {
    bool ok = false;
    for (std::string_view p : kIamResourcePrefixes) ok = ok || path.starts_with(p);
    if (!ok) {
      std::string list;
      for (size_t i = 0; i < kIamResourcePrefixes.size(); ++i) {
        if (i) list += ", ";
        list += kIamResourcePrefixes[i];
      }
      return "IAM resource path must either be \"*\", root, or start with " + list + ".";
    }
  }
  return {};
}

// IAM's legacy parser rejects a few malformed ARNs outright (no service, too few fields).
bool PassesLegacyResourceParsing(std::string_view resource) {
  if (resource == "*") return true;
  std::vector<std::string_view> parts = Split(resource, ':');
  if (parts.size() < 6 && resource.find("::") != std::string_view::npos) return false;
  if (parts.size() > 2 && parts[2].empty()) return false;
  return true;
}

std::string ActionPrefixError(std::string_view action) {
  std::vector<std::string_view> parts = Split(action, ':');
  if (parts.size() == 1 && parts[0] != "*") return std::string(kNoVendor);
  if (parts.size() > 2) return std::string(kTwoColons);
  std::string_view vendor = parts[0];
  if (vendor != "*") {
    for (char c : vendor) {
      if (!IsAlnum(c) && c != '-' && c != '.')
        return "Vendor " + std::string(vendor) + " is not valid";
    }
  }
  return {};
}

bool IsAccountId(std::string_view s) { return s.size() == 12 && AllDigits(s); }

// An "AWS" principal IAM accepts in a trust policy: "*", an account id, or the ARN of an account
// root, user, role, federated user or assumed-role session, without wildcards.
bool IsValidAwsPrincipal(std::string_view p) {
  if (p == "*" || IsAccountId(p)) return true;
  if (HasWildcard(p)) return false;
  std::vector<std::string_view> parts = Split(p, ':');
  if (parts.size() != 6 || parts[0] != "arn" || !parts[1].starts_with("aws") || !parts[3].empty() ||
      !IsAccountId(parts[4])) {
    return false;
  }
  std::string_view res = parts[5];
  if (parts[2] == "iam") {
    return res == "root" || (res.starts_with("user/") && res.size() > 5) ||
           (res.starts_with("role/") && res.size() > 5) ||
           (res.starts_with("federated-user/") && res.size() > 15);
  }
  if (parts[2] == "sts") {
    if (!res.starts_with("assumed-role/")) return false;
    std::vector<std::string_view> names = Split(res.substr(13), '/');
    return names.size() == 2 && !names[0].empty() && !names[1].empty();
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

// A SAML or OIDC provider ARN, or an identity provider's host name (cognito-identity.amazonaws.com,
// accounts.google.com, ...).
bool IsValidFederatedPrincipal(std::string_view s) {
  if (s.starts_with("arn:")) {
    std::vector<std::string_view> parts = Split(s, ':');
    return parts.size() == 6 && parts[2] == "iam" && IsAccountId(parts[4]) &&
           (parts[5].starts_with("saml-provider/") || parts[5].starts_with("oidc-provider/")) &&
           !HasWildcard(s);
  }
  if (s.find('.') == std::string_view::npos) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '.' && c != '/' && c != '_') return false;
  }
  return true;
}

// What the grammar pass remembers per statement for IAM's later checks.
struct RawStatement {
  std::string effect;  // as written: the legacy parser wants exact "Allow"/"Deny"
  bool has_action = false;
  bool has_resource = false;  // Resource or NotResource present
  bool has_principal = false;
  bool has_not_principal = false;
  bool principal_is_star_string = false;
};

}  // namespace

std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name) {
  for (const OperatorName& o : kOperators) {
    if (o.name == name) return o.op;
  }
  return std::nullopt;
}

bool IsNegatedOperator(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::kStringNotEquals:
    case ConditionOperator::kStringNotEqualsIgnoreCase:
    case ConditionOperator::kStringNotLike:
    case ConditionOperator::kNumericNotEquals:
    case ConditionOperator::kDateNotEquals:
    case ConditionOperator::kNotIpAddress:
    case ConditionOperator::kArnNotEquals:
    case ConditionOperator::kArnNotLike:
      return true;
    default:
      return false;
  }
}

bool AcceptsPolicyVariables(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::kStringEquals:
    case ConditionOperator::kStringNotEquals:
    case ConditionOperator::kStringEqualsIgnoreCase:
    case ConditionOperator::kStringNotEqualsIgnoreCase:
    case ConditionOperator::kStringLike:
    case ConditionOperator::kStringNotLike:
    case ConditionOperator::kArnEquals:
    case ConditionOperator::kArnLike:
    case ConditionOperator::kArnNotEquals:
    case ConditionOperator::kArnNotLike:
      return true;
    default:
      return false;
  }
}

// Builds a PolicyDocument in IAM's stages: JSON, grammar, version, legacy parsing, statement ids,
// actions, principals and resources (by kind), resource ARN format, action prefixes.
class PolicyDocumentParser {
 public:
  explicit PolicyDocumentParser(const PolicyParseOptions& options) : options_(options) {
    doc_.kind_ = options.kind;
  }

  Result<PolicyDocument, std::string> Run(std::string_view text) {
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec) {
      return std::string(options_.kind == PolicyKind::kTrust ? kInvalidJson : kSyntaxError);
    }
    if (!ParseGrammar(root)) return std::string(kSyntaxError);
    if (options_.kind == PolicyKind::kResource) {
      std::string error = CheckActionsPresent();
      if (error.empty()) error = CheckResourcePolicyElements();
      if (!error.empty()) return error;
      return std::move(doc_);
    }
    if (options_.require_current_version && doc_.version_ != kPolicyVersion2012) {
      return std::string(kVersionTooOld);
    }
    std::string error = CheckLegacy();
    if (error.empty()) error = CheckSids();
    if (error.empty()) error = CheckActionsPresent();
    if (error.empty()) {
      error = options_.kind == PolicyKind::kTrust ? CheckTrustElements() : CheckIdentityElements();
    }
    if (error.empty()) error = first_resource_error_;
    if (error.empty()) error = CheckActionPrefixes();
    if (!error.empty()) return error;
    return std::move(doc_);
  }

 private:
  bool ParseGrammar(const json::value& root) {
    if (!root.is_object()) return false;
    const json::object& top = root.get_object();
    for (const auto& kv : top) {
      if (kv.key() != "Version" && kv.key() != "Id" && kv.key() != "Statement") return false;
    }
    doc_.version_ = std::string(kPolicyVersion2008);
    if (const json::value* v = top.if_contains("Version")) {
      if (!v->is_string()) return false;
      std::string_view version = v->get_string();
      if (version != kPolicyVersion2012 && version != kPolicyVersion2008) return false;
      doc_.version_ = std::string(version);
    }
    if (const json::value* v = top.if_contains("Id")) {
      if (!v->is_string()) return false;
      doc_.id_ = std::string(v->get_string());
    }
    const json::value* statements = top.if_contains("Statement");
    if (statements == nullptr) return false;
    if (statements->is_object()) return ParseStatement(statements->get_object());
    if (!statements->is_array() || statements->get_array().empty()) return false;
    for (const json::value& s : statements->get_array()) {
      if (!s.is_object() || !ParseStatement(s.get_object())) return false;
    }
    return true;
  }

  bool ParseStatement(const json::object& obj) {
    static const std::set<std::string_view> kElements = {"Sid",       "Effect",       "Action",
                                                         "NotAction", "Resource",     "NotResource",
                                                         "Principal", "NotPrincipal", "Condition"};
    for (const auto& kv : obj) {
      if (!kElements.contains(kv.key())) return false;
    }
    if ((obj.contains("Action") && obj.contains("NotAction")) ||
        (obj.contains("Resource") && obj.contains("NotResource")) ||
        (obj.contains("Principal") && obj.contains("NotPrincipal"))) {
      return false;
    }
    Statement st;
    RawStatement raw;

    const json::value* effect = obj.if_contains("Effect");
    if (effect == nullptr || !effect->is_string()) return false;
    raw.effect = std::string(effect->get_string());
    std::string lower = AsciiLower(raw.effect);
    if (lower != "allow" && lower != "deny") return false;
    st.effect = lower == "allow" ? Effect::kAllow : Effect::kDeny;

    if (const json::value* v = obj.if_contains("Sid")) {
      if (!v->is_string()) return false;
      st.sid = std::string(v->get_string());
    }
    const json::value* action = obj.if_contains("Action");
    if (action == nullptr) {
      action = obj.if_contains("NotAction");
      st.not_action = action != nullptr;
    }
    if (action != nullptr) {
      raw.has_action = true;
      if (!ReadStringOrList(*action, &st.actions)) return false;
      for (const std::string& a : st.actions) {
        std::string lower = AsciiLower(a);
        size_t literal = lower.find_first_of("*?");
        if (literal == std::string::npos) literal = lower.size();
        st.action_patterns.push_back({std::move(lower), literal});
      }
    }
    const json::value* resource = obj.if_contains("Resource");
    if (resource == nullptr) {
      resource = obj.if_contains("NotResource");
      st.not_resource = resource != nullptr;
    }
    if (resource != nullptr) {
      raw.has_resource = true;
      if (!ReadStringOrList(*resource, &st.resources)) return false;
      for (const std::string& r : st.resources) {
        if (r.find("${") != std::string::npos) st.resources_have_variables = true;
      }
    }
    const json::value* principal = obj.if_contains("Principal");
    raw.has_principal = principal != nullptr;
    if (principal == nullptr) {
      principal = obj.if_contains("NotPrincipal");
      raw.has_not_principal = principal != nullptr;
      st.not_principal = raw.has_not_principal;
    }
    if (principal != nullptr) {
      Principals p;
      if (principal->is_string()) {
        if (principal->get_string() != "*") return false;
        p.wildcard = true;
        raw.principal_is_star_string = true;
      } else if (principal->is_object()) {
        for (const auto& kv : principal->get_object()) {
          std::vector<std::string>* into = nullptr;
          if (kv.key() == "AWS") {
            into = &p.aws;
          } else if (kv.key() == "Service") {
            into = &p.service;
          } else if (kv.key() == "Federated") {
            into = &p.federated;
          } else {
            return false;
          }
          if (!ReadStringOrList(kv.value(), into)) return false;
        }
      } else {
        return false;
      }
      st.principals = std::move(p);
    }
    if (const json::value* v = obj.if_contains("Condition")) {
      if (!v->is_object()) return false;
      for (const auto& op_kv : v->get_object()) {
        if (!op_kv.value().is_object()) return false;
        const json::object& keys = op_kv.value().get_object();
        Condition proto;
        proto.operator_name = std::string(op_kv.key());
        if (!ParseOperatorName(op_kv.key(), &proto)) {
          if (!keys.empty()) return false;
          continue;  // IAM tolerates an unknown operator with nothing under it
        }
        for (const auto& key_kv : keys) {
          Condition c = proto;
          c.key = std::string(key_kv.key());
          if (!ReadConditionValues(key_kv.value(), &c.values)) return false;
          st.conditions.push_back(std::move(c));
        }
      }
    }
    doc_.statements_.push_back(std::move(st));
    raw_.push_back(std::move(raw));
    return true;
  }

  std::string CheckLegacy() {
    for (size_t i = 0; i < doc_.statements_.size(); ++i) {
      const Statement& st = doc_.statements_[i];
      if (raw_[i].effect != "Allow" && raw_[i].effect != "Deny") {
        return std::string(kLegacyParsing);
      }
      for (const Condition& c : st.conditions) {
        if (!IsDateOperator(c.op)) continue;
        for (const std::string& v : c.values) {
          if (!LooksLikeDate(v)) return std::string(kLegacyParsing);
        }
      }
    }
    // The ARN format check runs here; its error is reported later, but only when the legacy
    // parser (which runs on resources while no format error has been seen) does not fail first.
    for (const Statement& st : doc_.statements_) {
      for (const std::string& r : st.resources) {
        if (first_resource_error_.empty()) first_resource_error_ = ResourceFormatError(r);
      }
      if (!first_resource_error_.empty()) continue;
      for (const std::string& r : st.resources) {
        if (!PassesLegacyResourceParsing(r)) return std::string(kLegacyParsing);
      }
    }
    return {};
  }

  std::string CheckSids() {
    std::set<std::string_view> seen;
    for (const Statement& st : doc_.statements_) {
      if (st.sid.empty()) continue;
      if (!seen.insert(st.sid).second) return std::string(kSidNotUnique);
    }
    for (const Statement& st : doc_.statements_) {
      for (char c : st.sid) {
        if (!IsAlnum(c)) return std::string(kSidNotAlphanumeric);
      }
    }
    return {};
  }

  std::string CheckActionsPresent() {
    for (size_t i = 0; i < doc_.statements_.size(); ++i) {
      if (!raw_[i].has_action || doc_.statements_[i].actions.empty()) {
        return std::string(kNoActions);
      }
    }
    return {};
  }

  std::string CheckIdentityElements() {
    for (const RawStatement& raw : raw_) {
      if (raw.has_principal || raw.has_not_principal) {
        return std::string(kPrincipalInIdentityPolicy);
      }
    }
    for (size_t i = 0; i < doc_.statements_.size(); ++i) {
      if (!raw_[i].has_resource || doc_.statements_[i].resources.empty()) {
        return std::string(kNoResources);
      }
    }
    return {};
  }

  // A resource-based policy names whom each statement is about, and what it is about.
  std::string CheckResourcePolicyElements() {
    for (size_t i = 0; i < doc_.statements_.size(); ++i) {
      if (!raw_[i].has_principal && !raw_[i].has_not_principal) {
        return std::string(kResourcePolicyNoPrincipal);
      }
      if (!raw_[i].has_resource || doc_.statements_[i].resources.empty()) {
        return std::string(kNoResources);
      }
    }
    return {};
  }

  std::string CheckTrustElements() {
    for (const Statement& st : doc_.statements_) {
      for (const std::string& a : st.actions) {
        if (!AsciiLower(a).starts_with("sts:")) return std::string(kTrustActions);
      }
    }
    for (const RawStatement& raw : raw_) {
      if (raw.has_resource) return std::string(kProhibitedResource);
    }
    for (size_t i = 0; i < doc_.statements_.size(); ++i) {
      const RawStatement& raw = raw_[i];
      // IAM role trust policies support neither a missing Principal nor NotPrincipal.
      if (!raw.has_principal) return std::string(kNoPrincipal);
      if (raw.principal_is_star_string) return std::string(kStarPrincipal);
      const Principals& p = *doc_.statements_[i].principals;
      if (p.aws.empty() && p.service.empty() && p.federated.empty()) {
        return std::string(kNoPrincipal);
      }
      for (const std::string& v : p.aws) {
        if (!IsValidAwsPrincipal(v)) return "Invalid principal in policy: \"AWS\":\"" + v + "\"";
      }
      for (const std::string& v : p.service) {
        if (!IsValidServicePrincipal(v)) {
          return "Invalid principal in policy: \"SERVICE\":\"" + v + "\"";
        }
      }
      for (const std::string& v : p.federated) {
        if (!IsValidFederatedPrincipal(v)) {
          return "Invalid principal in policy: \"FEDERATED\":\"" + v + "\"";
        }
      }
    }
    return {};
  }

  std::string CheckActionPrefixes() {
    for (const Statement& st : doc_.statements_) {
      for (const std::string& a : st.actions) {
        std::string error = ActionPrefixError(a);
        if (!error.empty()) return error;
      }
    }
    return {};
  }

  const PolicyParseOptions& options_;
  PolicyDocument doc_;
  std::vector<RawStatement> raw_;
  std::string first_resource_error_;
};

Result<PolicyDocument, std::string> PolicyDocument::Parse(std::string_view json_text,
                                                          const PolicyParseOptions& options) {
  PolicyDocumentParser parser(options);
  return parser.Run(json_text);
}

}  // namespace sagetrail::iam
