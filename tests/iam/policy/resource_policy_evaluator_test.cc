// Resource-based policies on their own: how a statement's Principal or NotPrincipal names a
// caller, explicit denies, and the conditions a service principal's request is held to.
#include "iam/policy/resource_policy_evaluator.h"

#include <gtest/gtest.h>

#include <map>

#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

constexpr char kAcct[] = "123456789012";
constexpr char kOther[] = "111122223333";
constexpr char kBucket[] = "arn:aws:s3:::logs";
constexpr char kObject[] = "arn:aws:s3:::logs/AWSLogs/123456789012/x.json.gz";
constexpr char kBob[] = "arn:aws:iam::123456789012:user/bob";
constexpr char kRole[] = "arn:aws:iam::123456789012:role/Trainer";
constexpr char kSession[] = "arn:aws:sts::123456789012:assumed-role/Trainer/s1";
constexpr char kFederated[] = "arn:aws:sts::123456789012:federated-user/fed";

// One statement about s3:GetObject on the bucket's objects.
std::string Statement(std::string_view effect, std::string_view principal,
                      std::string_view extra = "",
                      std::string_view principal_element = "Principal") {
  return std::string(R"({"Effect": ")") + std::string(effect) + R"(", ")" +
         std::string(principal_element) + R"(": )" + std::string(principal) +
         R"(, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*")" + std::string(extra) +
         "}";
}

ResourceCaller User(std::string arn = kBob, std::string account = kAcct,
                    std::string id = "AIDABOB") {
  ResourceCaller c;
  c.kind = ResourceCaller::Kind::kUser;
  c.arn = std::move(arn);
  c.account_id = std::move(account);
  c.principal_id = std::move(id);
  return c;
}

ResourceCaller RoleSession(std::string role_id = "AROATRAINER") {
  ResourceCaller c;
  c.kind = ResourceCaller::Kind::kRoleSession;
  c.arn = kSession;
  c.account_id = kAcct;
  c.principal_id = role_id + ":s1";
  c.issuer_arn = kRole;
  c.issuer_id = role_id;
  return c;
}

ResourceCaller Federated() {
  ResourceCaller c;
  c.kind = ResourceCaller::Kind::kFederatedUser;
  c.arn = kFederated;
  c.account_id = kAcct;
  c.principal_id = "123456789012:fed";
  c.issuer_arn = kBob;
  c.issuer_id = "AIDABOB";
  return c;
}

ResourceCaller Root(std::string account = kAcct) {
  ResourceCaller c;
  c.kind = ResourceCaller::Kind::kRoot;
  c.arn = "arn:aws:iam::" + account + ":root";
  c.account_id = std::move(account);
  return c;
}

ResourceCaller Service(std::string name = "cloudtrail.amazonaws.com") {
  ResourceCaller c;
  c.kind = ResourceCaller::Kind::kService;
  c.arn = std::move(name);
  return c;
}

class ResourcePolicyEvaluatorTest : public ::testing::Test {
 protected:
  ResourceDecision Evaluate(const std::string& statements, ResourceCaller caller,
                            ConditionContext context = {}, std::string action = "s3:GetObject",
                            std::string resource = kObject) {
    auto doc = testing::ParseOrFail(testing::Policy(statements),
                                    PolicyParseOptions{PolicyKind::kResource});
    if (!doc) return {};
    ResourceRequest r;
    r.action = std::move(action);
    r.resource = std::move(resource);
    r.caller = std::move(caller);
    r.context = std::move(context);
    r.principal_ids = &ids_;
    return ResourcePolicyEvaluator::Evaluate(*doc, r);
  }

  std::map<std::string, std::string> ids_;
};

TEST_F(ResourcePolicyEvaluatorTest, EveryoneIsNamedDirectlyServicesIncluded) {
  for (const char* principal : {R"("*")", R"({"AWS": "*"})", R"({"AWS": ["*"]})"}) {
    for (const ResourceCaller& caller :
         {User(), RoleSession(), Federated(), Root(kOther), Service(),
          User("arn:aws:iam::111122223333:user/x", kOther)}) {
      ResourceDecision d = Evaluate(Statement("Allow", principal), caller);
      EXPECT_TRUE(d.allows()) << principal << " " << caller.arn;
      EXPECT_TRUE(d.allows_directly) << principal << " " << caller.arn;
      EXPECT_FALSE(d.allows_issuer || d.allows_account);
    }
  }
}

TEST_F(ResourcePolicyEvaluatorTest, HowEachAwsEntryNamesTheCaller) {
  // The caller's own ARN: directly.
  ResourceDecision d =
      Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kBob) + "\"}"), User());
  EXPECT_TRUE(d.allows_directly);
  d = Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kSession) + "\"}"), RoleSession());
  EXPECT_TRUE(d.allows_directly);
  d = Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kFederated) + "\"}"), Federated());
  EXPECT_TRUE(d.allows_directly);
  // The role behind a session, the user behind a federated user: as the issuer.
  d = Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kRole) + "\"}"), RoleSession());
  EXPECT_TRUE(d.allows_issuer);
  EXPECT_FALSE(d.allows_directly);
  d = Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kBob) + "\"}"), Federated());
  EXPECT_TRUE(d.allows_issuer);
  EXPECT_FALSE(d.allows_directly);
  // The account, by id or root ARN: a delegation, except for the root user itself.
  for (const char* account : {"123456789012", "arn:aws:iam::123456789012:root"}) {
    std::string principal = R"({"AWS": [")" + std::string(account) + "\"]}";
    d = Evaluate(Statement("Allow", principal), User());
    EXPECT_TRUE(d.allows_account) << account;
    EXPECT_FALSE(d.allows_directly) << account;
    d = Evaluate(Statement("Allow", principal), RoleSession());
    EXPECT_TRUE(d.allows_account) << account;
    d = Evaluate(Statement("Allow", principal), Root());
    EXPECT_TRUE(d.allows_directly) << account;
    // Another account's callers are not named.
    EXPECT_FALSE(Evaluate(Statement("Allow", principal), Root(kOther)).allows()) << account;
    EXPECT_FALSE(
        Evaluate(Statement("Allow", principal), User("arn:aws:iam::111122223333:user/bob", kOther))
            .allows())
        << account;
  }
  // Another session of the role, another user: not named.
  d = Evaluate(
      Statement("Allow", R"({"AWS": "arn:aws:sts::123456789012:assumed-role/Trainer/s2"})"),
      RoleSession());
  EXPECT_FALSE(d.allows());
  d = Evaluate(Statement("Allow", R"({"AWS": "arn:aws:iam::123456789012:user/alice"})"), User());
  EXPECT_FALSE(d.allows());
  // A service principal is named by its Service entry only (any case).
  d = Evaluate(Statement("Allow", R"({"Service": "CloudTrail.amazonaws.com"})"), Service());
  EXPECT_TRUE(d.allows_directly);
  EXPECT_FALSE(
      Evaluate(Statement("Allow", R"({"Service": "cloudtrail.amazonaws.com"})"), User()).allows());
  EXPECT_FALSE(
      Evaluate(Statement("Allow", R"({"Service": "s3.amazonaws.com"})"), Service()).allows());
  EXPECT_FALSE(Evaluate(Statement("Allow", R"({"AWS": "123456789012"})"), Service()).allows());
}

TEST_F(ResourcePolicyEvaluatorTest, AGrantNamesTheEntityItWasSavedWithNotItsSuccessor) {
  // The policy was saved while bob had id AIDAOLD and the role AROAOLD.
  ids_[kBob] = "AIDAOLD";
  ids_[kRole] = "AROAOLD";
  std::string both = Statement(
      "Allow", R"({"AWS": [")" + std::string(kBob) + R"(", ")" + std::string(kRole) + "\"]}");
  EXPECT_FALSE(Evaluate(both, User(kBob, kAcct, "AIDANEW")).allows());
  EXPECT_FALSE(Evaluate(both, RoleSession("AROANEW")).allows());
  EXPECT_TRUE(Evaluate(both, User(kBob, kAcct, "AIDAOLD")).allows_directly);
  EXPECT_TRUE(Evaluate(both, RoleSession("AROAOLD")).allows_issuer);
  // A session ARN is no entity: it matches by ARN.
  EXPECT_TRUE(Evaluate(Statement("Allow", R"({"AWS": ")" + std::string(kSession) + "\"}"),
                       RoleSession("AROANEW"))
                  .allows_directly);
}

TEST_F(ResourcePolicyEvaluatorTest, AnApplicableDenyIsFinalWhateverItsPlace) {
  std::string allow_all = Statement("Allow", R"("*")");
  std::string deny_bob = Statement("Deny", R"({"AWS": ")" + std::string(kBob) + "\"}");
  for (const std::string& statements :
       {"[" + allow_all + "," + deny_bob + "]", "[" + deny_bob + "," + allow_all + "]"}) {
    ResourceDecision d = Evaluate(statements, User());
    EXPECT_TRUE(d.explicit_deny);
    EXPECT_FALSE(d.allows());
    // Alice is not denied.
    EXPECT_TRUE(Evaluate(statements, User("arn:aws:iam::123456789012:user/alice")).allows());
  }
  // A deny naming the account denies everyone in it, sessions included.
  std::string deny_account = Statement("Deny", R"({"AWS": "123456789012"})");
  EXPECT_TRUE(Evaluate("[" + allow_all + "," + deny_account + "]", RoleSession()).explicit_deny);
  EXPECT_TRUE(Evaluate("[" + allow_all + "," + deny_account + "]", Root()).explicit_deny);
  EXPECT_FALSE(Evaluate("[" + allow_all + "," + deny_account + "]", Root(kOther)).explicit_deny);
  // The Sid of the denying statement is kept.
  ResourceDecision d = Evaluate(
      R"([{"Sid": "NoBob", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"}, "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}])",
      User());
  EXPECT_EQ(d.denying_sid, "NoBob");
}

TEST_F(ResourcePolicyEvaluatorTest, ActionAndResourceMustCoverTheRequest) {
  std::string s = Statement("Allow", R"("*")");
  EXPECT_TRUE(Evaluate(s, User(), {}, "s3:getobject").allows());  // actions: any case
  EXPECT_FALSE(Evaluate(s, User(), {}, "s3:PutObject").allows());
  EXPECT_FALSE(Evaluate(s, User(), {}, "s3:GetObject", kBucket).allows());
  EXPECT_FALSE(Evaluate(s, User(), {}, "s3:GetObject", "arn:aws:s3:::other/x").allows());
}

TEST_F(ResourcePolicyEvaluatorTest, NotPrincipalDenySparesOnlyACallerNamedFully) {
  std::string allow_all = Statement("Allow", R"("*")");
  auto deny_all_but = [&](std::string_view entries) {
    return "[" + allow_all + "," + Statement("Deny", entries, "", "NotPrincipal") + "]";
  };
  // A user: its ARN and its account.
  std::string user_and_account =
      deny_all_but(R"({"AWS": ["arn:aws:iam::123456789012:user/bob", "123456789012"]})");
  EXPECT_TRUE(Evaluate(user_and_account, User()).allows());
  EXPECT_TRUE(
      Evaluate(user_and_account, User("arn:aws:iam::123456789012:user/alice")).explicit_deny);
  EXPECT_TRUE(Evaluate(user_and_account, Service()).explicit_deny);
  // The user's ARN alone does not spare it: the account is denied, and the user with it.
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": "arn:aws:iam::123456789012:user/bob"})"), User())
                  .explicit_deny);
  // A role session: the session, its role and the account; any two are not enough.
  const std::string session = std::string("\"") + kSession + "\"";
  const std::string role = std::string("\"") + kRole + "\"";
  const std::string account = "\"arn:aws:iam::123456789012:root\"";
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": [)" + session + "," + role + "," + account + "]}"),
                       RoleSession())
                  .allows());
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": [)" + session + "," + account + "]}"), RoleSession())
                  .explicit_deny);
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": [)" + role + "," + account + "]}"), RoleSession())
                  .explicit_deny);
  // The root user: its account.
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": "123456789012"})"), Root()).allows());
  EXPECT_TRUE(Evaluate(deny_all_but(R"({"AWS": "123456789012"})"), Root(kOther)).explicit_deny);
  // A service: its name.
  EXPECT_TRUE(
      Evaluate(deny_all_but(R"({"Service": "cloudtrail.amazonaws.com"})"), Service()).allows());
  // A stale user entry names nobody.
  ids_[kBob] = "AIDAOLD";
  EXPECT_TRUE(Evaluate(user_and_account, User()).explicit_deny);
}

TEST_F(ResourcePolicyEvaluatorTest, NotPrincipalWithAllowGrantsNothing) {
  ResourceDecision d = Evaluate(
      Statement("Allow", R"({"AWS": "arn:aws:iam::111122223333:root"})", "", "NotPrincipal"),
      User());
  EXPECT_FALSE(d.allows());
  EXPECT_FALSE(d.explicit_deny);
}

// The statements S3 documents for CloudTrail's log bucket.
constexpr char kCloudTrailStatements[] = R"([
  {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
   "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
   "Resource": "arn:aws:s3:::logs",
   "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}},
  {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
   "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
   "Resource": "arn:aws:s3:::logs/AWSLogs/123456789012/*",
   "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                  "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}}
])";

TEST_F(ResourcePolicyEvaluatorTest, CloudTrailsBucketPolicyHoldsTheTrailToItsConditions) {
  ConditionContext trail;
  trail.Set("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:123456789012:trail/main");
  ConditionContext put = trail;
  put.Set("s3:x-amz-acl", "bucket-owner-full-control");
  EXPECT_TRUE(Evaluate(kCloudTrailStatements, Service(), trail, "s3:GetBucketAcl", kBucket)
                  .allows_directly);
  EXPECT_TRUE(Evaluate(kCloudTrailStatements, Service(), put, "s3:PutObject").allows_directly);
  // Another trail, or none.
  ConditionContext other = put;
  other.Set("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:123456789012:trail/other");
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), other, "s3:PutObject").allows());
  ConditionContext no_source;
  no_source.Set("s3:x-amz-acl", "bucket-owner-full-control");
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), no_source, "s3:PutObject").allows());
  // Without the canned ACL, or with another one.
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), trail, "s3:PutObject").allows());
  ConditionContext private_acl = trail;
  private_acl.Set("s3:x-amz-acl", "private");
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), private_acl, "s3:PutObject").allows());
  // Outside the prefix the statement covers, another action, another service.
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), put, "s3:PutObject",
                        "arn:aws:s3:::logs/elsewhere/x")
                   .allows());
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service(), put, "s3:GetObject").allows());
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, Service("config.amazonaws.com"), put, "s3:PutObject")
                   .allows());
  // A user is not the service.
  EXPECT_FALSE(Evaluate(kCloudTrailStatements, User(), put, "s3:PutObject").allows());
}

}  // namespace
}  // namespace sagetrail::iam
