// PolicyDocument: an IAM policy parsed from its JSON text into a compact, validated form. One
// parser serves identity-based policies (inline, managed and session policies), role trust
// policies and resource-based policies; the kind decides which elements are required or
// prohibited. Validation follows IAM's
// MalformedPolicyDocument checks, in IAM's order, and returns IAM's message for the first failure.
// Size limits (2048/10240/6144 characters) are the caller's to enforce. Immutable once parsed;
// safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sagetrail::iam {

inline constexpr std::string_view kPolicyVersion2012 = "2012-10-17";
inline constexpr std::string_view kPolicyVersion2008 = "2008-10-17";

enum class PolicyKind {
  kIdentity,  // attached to a user, group or role, or passed as a session policy: no Principal
  kTrust,     // a role's AssumeRolePolicyDocument: Principal required, Resource prohibited
  // A resource-based policy (an S3 bucket policy): Principal or NotPrincipal, Action and
  // Resource required. Only the grammar is checked here; the service's own rules and messages
  // are ValidateResourcePolicy's (resource_policy_validator.h), applied when it is saved.
  kResource,
};

enum class Effect { kAllow, kDeny };

// The condition operator with its ForAnyValue:/ForAllValues: qualifier and IfExists suffix removed.
enum class ConditionOperator {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

enum class SetQualifier { kNone, kForAnyValue, kForAllValues };

// One operator/key pair of a Condition element: {"StringEquals": {"aws:username": ["a", "b"]}}.
struct Condition {
  std::string operator_name;  // as written, e.g. "ForAnyValue:StringLikeIfExists"
  ConditionOperator op = ConditionOperator::kStringEquals;
  SetQualifier qualifier = SetQualifier::kNone;
  bool if_exists = false;
  std::string key;                  // as written; compared case-insensitively
  std::vector<std::string> values;  // OR-ed; JSON numbers and booleans kept as their text
};

// A Principal (or NotPrincipal) element. Values are kept as written: an "AWS" entry may be "*",
// a 12-digit account id, or an ARN (account root, user, role, assumed-role session).
struct Principals {
  bool wildcard = false;  // "Principal": "*"
  std::vector<std::string> aws;
  std::vector<std::string> service;
  std::vector<std::string> federated;
};

struct Statement {
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;  // `actions` came from NotAction
  std::vector<std::string> actions;
  // `actions` prepared for matching (action names are case-insensitive): lower-cased, with the
  // length of the literal run before the first wildcard.
  struct ActionPattern {
    std::string lower;
    size_t literal_prefix;
  };
  std::vector<ActionPattern> action_patterns;
  bool resources_have_variables = false;  // some Resource/NotResource entry has "${"
  bool not_resource = false;              // `resources` came from NotResource
  std::vector<std::string> resources;     // empty in trust policies
  bool not_principal = false;
  std::optional<Principals> principals;  // only in trust and resource-based policies
  std::vector<Condition> conditions;     // AND-ed
};

struct PolicyParseOptions {
  PolicyKind kind = PolicyKind::kIdentity;
  // CreatePolicy and CreatePolicyVersion accept only "Version": "2012-10-17"; inline, session
  // and trust policies also accept "2008-10-17" or no Version at all.
  bool require_current_version = false;
};

class PolicyDocument {
 public:
  using Kind = PolicyKind;

  // Parses and validates `json_text`. The error is the message of IAM's MalformedPolicyDocument,
  // e.g. "Syntax errors in policy." or "Policy statement must contain resources.".
  static Result<PolicyDocument, std::string> Parse(std::string_view json_text,
                                                   const PolicyParseOptions& options = {});
  static Result<PolicyDocument, std::string> Parse(std::string_view json_text, PolicyKind kind) {
    return Parse(json_text, PolicyParseOptions{kind});
  }

  PolicyKind kind() const { return kind_; }
  // "2012-10-17" or "2008-10-17"; a document without Version is "2008-10-17", as IAM reads it.
  const std::string& version() const { return version_; }
  const std::string& id() const { return id_; }
  const std::vector<Statement>& statements() const { return statements_; }
  // Policy variables ("${aws:username}") are substituted only in 2012-10-17 documents; in older
  // ones they are literal text.
  bool supports_variables() const { return version_ == kPolicyVersion2012; }

 private:
  PolicyDocument() = default;
  friend class PolicyDocumentParser;

  PolicyKind kind_ = PolicyKind::kIdentity;
  std::string version_;
  std::string id_;
  std::vector<Statement> statements_;
};

// "StringEquals" -> kStringEquals; nullopt for names IAM does not know. Exact case, as IAM wants.
std::optional<ConditionOperator> ConditionOperatorFromName(std::string_view name);
// The operators that match when the value is NOT among the policy's values (StringNotEquals,
// NotIpAddress, ArnNotLike, ...). They also match when the key is absent from the request.
bool IsNegatedOperator(ConditionOperator op);
// String and ARN operators: the ones whose values may hold policy variables.
bool AcceptsPolicyVariables(ConditionOperator op);

}  // namespace sagetrail::iam
