// IamAuthorizer with resource-based policies (an S3 bucket's policy, as S3 would hand it over in
// AccessRequest): service principals, same-account and cross-account callers, sessions, explicit
// denies, the entity a policy names, the condition keys, and the exact denial texts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fakes/memory_state.h"
#include "fakes/test_support.h"
#include "iam/iam_authorizer.h"
#include "iam/policy/resource_policy_validator.h"

namespace sagetrail::iam {
namespace {

using sagetrail::testing::Models;

constexpr char kAcct[] = "123456789012";
constexpr char kOther[] = "111122223333";
constexpr char kBobArn[] = "arn:aws:iam::123456789012:user/bob";
constexpr char kCarolArn[] = "arn:aws:iam::111122223333:user/carol";
constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/Trainer";
constexpr char kSessionArn[] = "arn:aws:sts::123456789012:assumed-role/Trainer/s";
constexpr char kFederatedArn[] = "arn:aws:sts::123456789012:federated-user/fed";
constexpr char kTrailArn[] = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main";
constexpr char kObject[] = "arn:aws:s3:::logs/data/x.csv";
constexpr char kLogFile[] =
    "arn:aws:s3:::logs/AWSLogs/123456789012/CloudTrail/us-east-1/2025/11/22/x.json.gz";

// A bucket policy of `statements` (a JSON list).
std::string BucketPolicy(const std::string& statements) {
  return R"({"Version": "2012-10-17", "Statement": )" + statements + "}";
}

// One statement allowing (or denying) `actions` on the bucket's objects to `principal`.
std::string Grant(const std::string& principal, const std::string& effect = "Allow",
                  const std::string& actions = R"(["s3:GetObject", "s3:PutObject"])",
                  const std::string& condition = "") {
  std::string s = R"({"Effect": ")" + effect + R"(", "Principal": )" + principal +
                  R"(, "Action": )" + actions + R"(, "Resource": "arn:aws:s3:::logs/*")";
  if (!condition.empty()) s += R"(, "Condition": )" + condition;
  return s + "}";
}

std::string Aws(const std::string& entry) { return R"({"AWS": ")" + entry + "\"}"; }

std::string IdentityAllow(const std::string& action, const std::string& condition = "") {
  std::string s = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" + action +
                  R"(","Resource":"*")";
  if (!condition.empty()) s += R"(,"Condition":)" + condition;
  return s + "}]}";
}

std::string IdentityDeny(const std::string& action) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":")" + action +
         R"(","Resource":"*"}]})";
}

// The CloudTrail log bucket policy S3 documents, for bucket `logs` and trail `main`.
const std::string& CloudTrailPolicy() {
  static const std::string kPolicy =
      std::string(
          R"({"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs","Condition":{"StringEquals":{"aws:SourceArn":")") +
      kTrailArn +
      R"("}}},{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/123456789012/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":")" +
      kTrailArn + R"("}}}]})";
  return kPolicy;
}

std::string Denied(const std::string& who, const std::string& action, const std::string& resource,
                   const std::string& because) {
  return "User: " + who + " is not authorized to perform: " + action + " on resource: " + resource +
         " " + because;
}
std::string NoResourcePolicy(const std::string& action) {
  return "because no resource-based policy allows the " + action + " action";
}
std::string NoIdentityPolicy(const std::string& action) {
  return "because no identity-based policy allows the " + action + " action";
}
std::string NoSessionPolicy(const std::string& action) {
  return "because no session policy allows the " + action + " action";
}
constexpr char kResourceDeny[] = "with an explicit deny in a resource-based policy";
constexpr char kIdentityDeny[] = "with an explicit deny in an identity-based policy";

class IamAuthorizerResourcePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = IdentityStore::Open(state_, state_, random_, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateAccount(kAcct, "acme").ok());
    ASSERT_TRUE(store_->CreateAccount(kOther, "partner").ok());
    root_ = KeyOf(kAcct, "");
    other_root_ = KeyOf(kOther, "");
    ASSERT_TRUE(store_->CreateUser(kAcct, "bob").ok());
    bob_ = KeyOf(kAcct, "bob");
    ASSERT_TRUE(store_->CreateUser(kOther, "carol").ok());
    carol_ = KeyOf(kOther, "carol");
    RoleRecord r;
    r.account_id = kAcct;
    r.role_name = "Trainer";
    r.trust_policy = "{}";
    ASSERT_TRUE(store_->AddRole(r, {}).ok());
    authorizer_ = std::make_unique<IamAuthorizer>(*store_, clock_);
  }

  std::shared_ptr<const aws::Credential> KeyOf(const std::string& account,
                                               const std::string& user) {
    auto key = store_->CreateAccessKey(account, user);
    EXPECT_TRUE(key.ok());
    return key.ok() ? store_->Find(key->access_key_id, "") : nullptr;
  }

  void PutPolicy(const std::string& account, const PrincipalRef& who, const std::string& doc) {
    ASSERT_TRUE(store_->PutInlinePolicy(account, who, "p" + std::to_string(++policies_), doc).ok());
  }

  std::shared_ptr<const aws::Credential> Session(SessionClaims claims) {
    claims.expires_at = clock_.Now() + std::chrono::hours(1);
    std::string token = store_->tokens().Seal(claims, random_);
    auto c = store_->Find(claims.access_key_id, token);
    EXPECT_NE(c, nullptr);
    return c;
  }
  std::shared_ptr<const aws::Credential> RoleSession(std::optional<std::string> policy = {}) {
    auto role = store_->GetRole(kAcct, "Trainer");
    SessionClaims c;
    c.access_key_id = "ASIAROLESESSION00001";
    c.secret_access_key = "x";
    c.identity.type = aws::IdentityType::kAssumedRole;
    c.identity.principal_id = role->role_id + ":s";
    c.identity.arn = kSessionArn;
    c.identity.account_id = kAcct;
    c.identity.session_name = "s";
    c.identity.session.emplace();
    c.identity.session->issuer =
        aws::SessionIssuer{"Role", role->role_id, role->arn, kAcct, role->role_name};
    if (policy) {
      c.session_policy = *policy;
      c.has_session_policy = true;
    }
    return Session(std::move(c));
  }
  std::shared_ptr<const aws::Credential> FederatedSession(const std::string& policy) {
    auto bob = store_->GetUser(kAcct, "bob");
    SessionClaims c;
    c.access_key_id = "ASIAFEDERATED0000001";
    c.secret_access_key = "x";
    c.identity.type = aws::IdentityType::kFederatedUser;
    c.identity.principal_id = "123456789012:fed";
    c.identity.arn = kFederatedArn;
    c.identity.account_id = kAcct;
    c.identity.session_name = "fed";
    c.identity.session.emplace();
    c.identity.session->issuer =
        aws::SessionIssuer{"IAMUser", bob->user_id, bob->arn, kAcct, "bob"};
    c.has_session_policy = true;
    c.session_policy = policy;
    return Session(std::move(c));
  }

  // A call of S3's `op` on `resource` in bucket `logs` (account kAcct) with `policy`, validated
  // and its principals resolved as S3 does when it saves a policy.
  aws::RequestContext S3Call(std::shared_ptr<const aws::Credential> credential,
                             const std::string& op, const std::string& resource,
                             const std::string& policy) {
    aws::RequestContext ctx;
    ctx.service = Models().Find("s3");
    EXPECT_NE(ctx.service, nullptr);
    if (ctx.service) ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.authenticated = true;
    ctx.credential = credential;
    if (credential) ctx.identity = credential->identity;
    ctx.account_id = kAcct;
    ctx.region = "us-east-1";
    ctx.source_ip = "203.0.113.7";
    ctx.access.resource = resource;
    ctx.access.resource_policy_applies = true;
    ctx.access.resource_account = kAcct;
    ctx.access.resource_policy = policy;
    if (!policy.empty()) {
      auto valid = ValidateResourcePolicy(policy, ResourcePolicyType::kS3Bucket, "logs");
      EXPECT_TRUE(valid.ok()) << valid.error() << "\n" << policy;
      if (valid.ok()) {
        auto ids = store_->PrincipalIds(valid->principal_arns);
        EXPECT_TRUE(ids.ok());
        if (ids.ok()) ctx.access.resource_policy_principal_ids = *ids;
      }
    }
    return ctx;
  }

  // The trail `main` writing as cloudtrail.amazonaws.com.
  aws::RequestContext TrailCall(const std::string& op, const std::string& resource,
                                const std::string& policy, const std::string& acl,
                                const std::string& source_arn = kTrailArn) {
    aws::RequestContext ctx = S3Call(nullptr, op, resource, policy);
    ctx.identity = aws::Identity{};
    ctx.identity.type = aws::IdentityType::kAWSService;
    ctx.identity.invoked_by = "cloudtrail.amazonaws.com";
    ctx.source_ip = "cloudtrail.amazonaws.com";
    ctx.source_arn = source_arn;
    ctx.source_account = kAcct;
    if (!acl.empty()) ctx.access.condition_values = {{"s3:x-amz-acl", acl}};
    return ctx;
  }

  std::optional<std::string> Authorize(const aws::RequestContext& ctx) {
    return authorizer_->Authorize(ctx);
  }

  testing::MemoryState state_;
  testing::FakeClock clock_;
  SeededRandom random_{11};
  std::unique_ptr<IdentityStore> store_;
  std::unique_ptr<IamAuthorizer> authorizer_;
  std::shared_ptr<const aws::Credential> root_, other_root_, bob_, carol_;
  int policies_ = 0;
};

TEST_F(IamAuthorizerResourcePolicyTest, CloudTrailWritesOnlyWhatTheBucketPolicyAllows) {
  const std::string& policy = CloudTrailPolicy();
  EXPECT_EQ(Authorize(TrailCall("GetBucketAcl", "arn:aws:s3:::logs", policy, "")), std::nullopt);
  EXPECT_EQ(Authorize(TrailCall("PutObject", kLogFile, policy, "bucket-owner-full-control")),
            std::nullopt);

  // Without the canned ACL the policy requires, or with another.
  auto no_acl = Authorize(TrailCall("PutObject", kLogFile, policy, ""));
  ASSERT_TRUE(no_acl.has_value());
  EXPECT_EQ(*no_acl, Denied("cloudtrail.amazonaws.com", "s3:PutObject", kLogFile,
                            NoResourcePolicy("s3:PutObject")));
  EXPECT_TRUE(Authorize(TrailCall("PutObject", kLogFile, policy, "private")).has_value());
  // Another trail (the confused deputy the condition is there for), or none named.
  EXPECT_TRUE(Authorize(TrailCall("PutObject", kLogFile, policy, "bucket-owner-full-control",
                                  "arn:aws:cloudtrail:us-east-1:999999999999:trail/main"))
                  .has_value());
  EXPECT_TRUE(Authorize(TrailCall("PutObject", kLogFile, policy, "bucket-owner-full-control", ""))
                  .has_value());
  auto acl_check = Authorize(TrailCall("GetBucketAcl", "arn:aws:s3:::logs", policy, "",
                                       "arn:aws:cloudtrail:us-east-1:123456789012:trail/other"));
  ASSERT_TRUE(acl_check.has_value());
  EXPECT_EQ(*acl_check, Denied("cloudtrail.amazonaws.com", "s3:GetBucketAcl", "arn:aws:s3:::logs",
                               NoResourcePolicy("s3:GetBucketAcl")));
  // Outside the prefix the policy grants.
  EXPECT_TRUE(Authorize(TrailCall("PutObject", "arn:aws:s3:::logs/elsewhere/x.json.gz", policy,
                                  "bucket-owner-full-control"))
                  .has_value());
}

TEST_F(IamAuthorizerResourcePolicyTest, AServicePrincipalNeedsAResourcePolicyOnlyWhereOneApplies) {
  // A bucket without a policy: nothing allows the service.
  auto bare = Authorize(TrailCall("PutObject", kLogFile, "", "bucket-owner-full-control"));
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(*bare, Denied("cloudtrail.amazonaws.com", "s3:PutObject", kLogFile,
                          NoResourcePolicy("s3:PutObject")));
  // Identity-based policies do not apply to it, whatever they say: none is consulted.
  // A resource kind without resource policies: allowed, as before.
  auto ctx = TrailCall("PutObject", kLogFile, "", "bucket-owner-full-control");
  ctx.access.resource_policy_applies = false;
  EXPECT_EQ(Authorize(ctx), std::nullopt);
  // An explicit deny in the bucket policy refuses it even where another statement allows.
  std::string denying =
      BucketPolicy("[" + Grant(R"({"Service": "cloudtrail.amazonaws.com"})") + "," +
                   Grant(R"("*")", "Deny", R"("s3:PutObject")",
                         R"({"Bool": {"aws:SecureTransport": "false"}})") +
                   "]");
  auto insecure = Authorize(TrailCall("PutObject", kObject, denying, ""));
  ASSERT_TRUE(insecure.has_value());
  EXPECT_EQ(*insecure, Denied("cloudtrail.amazonaws.com", "s3:PutObject", kObject, kResourceDeny));
  EXPECT_EQ(Authorize(TrailCall("GetObject", kObject, denying, "")), std::nullopt);
}

TEST_F(IamAuthorizerResourcePolicyTest, ServicePrincipalConditionKeys) {
  auto with = [&](const std::string& condition) {
    return Authorize(TrailCall("GetObject", kObject,
                               BucketPolicy("[" +
                                            Grant(R"({"Service": "cloudtrail.amazonaws.com"})",
                                                  "Allow", R"("s3:GetObject")", condition) +
                                            "]"),
                               ""));
  };
  EXPECT_EQ(with(R"({"StringEquals": {"aws:PrincipalServiceName": "cloudtrail.amazonaws.com"}})"),
            std::nullopt);
  EXPECT_EQ(with(R"({"StringEquals": {"aws:SourceAccount": "123456789012"}})"), std::nullopt);
  EXPECT_EQ(with(R"({"Bool": {"aws:PrincipalIsAWSService": "true"}})"), std::nullopt);
  EXPECT_EQ(with(R"({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}})"),
            std::nullopt);
  EXPECT_TRUE(with(R"({"StringEquals": {"aws:SourceAccount": "111122223333"}})").has_value());
  // A service principal has no ARN or account of its own.
  EXPECT_TRUE(with(R"({"StringLike": {"aws:PrincipalArn": "*"}})").has_value());
  EXPECT_TRUE(with(R"({"StringLike": {"aws:PrincipalAccount": "*"}})").has_value());
}

TEST_F(IamAuthorizerResourcePolicyTest, SameAccountEitherSideAllows) {
  auto get = [&](const std::string& policy) {
    return Authorize(S3Call(bob_, "GetObject", kObject, policy));
  };
  // Neither: the identity-based text.
  auto neither = get("");
  ASSERT_TRUE(neither.has_value());
  EXPECT_EQ(*neither, Denied(kBobArn, "s3:GetObject", kObject, NoIdentityPolicy("s3:GetObject")));
  // The bucket policy naming bob is enough on its own; so is one naming everyone.
  EXPECT_EQ(get(BucketPolicy("[" + Grant(Aws(kBobArn)) + "]")), std::nullopt);
  EXPECT_EQ(get(BucketPolicy("[" + Grant(R"("*")") + "]")), std::nullopt);
  // Naming the account only delegates to bob's own policies.
  const std::string account_policy = BucketPolicy("[" + Grant(Aws(kAcct)) + "]");
  EXPECT_TRUE(get(account_policy).has_value());
  // Bob's identity-based policy is enough on its own.
  PutPolicy(kAcct, {"user", "bob"}, IdentityAllow("s3:GetObject"));
  EXPECT_EQ(get(""), std::nullopt);
  EXPECT_EQ(get(account_policy), std::nullopt);
  // Another action neither allows.
  auto put = Authorize(S3Call(bob_, "PutObject", kObject, account_policy));
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(*put, Denied(kBobArn, "s3:PutObject", kObject, NoIdentityPolicy("s3:PutObject")));
}

TEST_F(IamAuthorizerResourcePolicyTest, AnExplicitDenyAnywhereWins) {
  PutPolicy(kAcct, {"user", "bob"}, IdentityAllow("s3:*"));
  std::string deny_bob =
      BucketPolicy("[" + Grant(R"("*")") + "," + Grant(Aws(kBobArn), "Deny") + "]");
  auto denied = Authorize(S3Call(bob_, "GetObject", kObject, deny_bob));
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(*denied, Denied(kBobArn, "s3:GetObject", kObject, kResourceDeny));
  // A deny in bob's own policy wins over the bucket's grant, with its own text.
  PutPolicy(kAcct, {"user", "bob"}, IdentityDeny("s3:GetObject"));
  auto identity =
      Authorize(S3Call(bob_, "GetObject", kObject, BucketPolicy("[" + Grant(Aws(kBobArn)) + "]")));
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(*identity, Denied(kBobArn, "s3:GetObject", kObject, kIdentityDeny));
}

TEST_F(IamAuthorizerResourcePolicyTest, TheOwnersRootIsAlwaysAllowed) {
  std::string deny_all = BucketPolicy("[" + Grant(R"("*")", "Deny", R"("s3:*")") + "]");
  EXPECT_EQ(Authorize(S3Call(root_, "GetObject", kObject, deny_all)), std::nullopt);
  EXPECT_EQ(Authorize(S3Call(root_, "PutObject", kObject, "")), std::nullopt);
}

TEST_F(IamAuthorizerResourcePolicyTest, AnotherAccountsRootOnlyThroughTheResourcePolicy) {
  const std::string other_root_arn = "arn:aws:iam::111122223333:root";
  auto none = Authorize(S3Call(other_root_, "GetObject", kObject, ""));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none,
            Denied(other_root_arn, "s3:GetObject", kObject, NoResourcePolicy("s3:GetObject")));
  for (const std::string& principal : {Aws(kOther), Aws(other_root_arn), std::string(R"("*")")}) {
    EXPECT_EQ(Authorize(S3Call(other_root_, "GetObject", kObject,
                               BucketPolicy("[" + Grant(principal) + "]"))),
              std::nullopt)
        << principal;
  }
  // Naming a user of that account does not name its root; a deny applies to it.
  EXPECT_TRUE(Authorize(S3Call(other_root_, "GetObject", kObject,
                               BucketPolicy("[" + Grant(Aws(kCarolArn)) + "]")))
                  .has_value());
  auto deny = Authorize(
      S3Call(other_root_, "GetObject", kObject,
             BucketPolicy("[" + Grant(Aws(kOther)) + "," + Grant(R"("*")", "Deny") + "]")));
  ASSERT_TRUE(deny.has_value());
  EXPECT_EQ(*deny, Denied(other_root_arn, "s3:GetObject", kObject, kResourceDeny));
}

TEST_F(IamAuthorizerResourcePolicyTest, CrossAccountBothSidesMustAllow) {
  auto get = [&](const std::string& policy) {
    return Authorize(S3Call(carol_, "GetObject", kObject, policy));
  };
  const std::string names_carol = BucketPolicy("[" + Grant(Aws(kCarolArn)) + "]");
  const std::string names_account = BucketPolicy("[" + Grant(Aws(kOther)) + "]");
  // The bucket names her, but her own account grants her nothing.
  auto no_identity = get(names_carol);
  ASSERT_TRUE(no_identity.has_value());
  EXPECT_EQ(*no_identity,
            Denied(kCarolArn, "s3:GetObject", kObject, NoIdentityPolicy("s3:GetObject")));
  PutPolicy(kOther, {"user", "carol"}, IdentityAllow("s3:GetObject"));
  // Her policy allows, but the bucket's owner does not.
  auto no_resource = get("");
  ASSERT_TRUE(no_resource.has_value());
  EXPECT_EQ(*no_resource,
            Denied(kCarolArn, "s3:GetObject", kObject, NoResourcePolicy("s3:GetObject")));
  EXPECT_TRUE(get(BucketPolicy("[" + Grant(Aws(kAcct)) + "]")).has_value());
  EXPECT_TRUE(get(BucketPolicy("[" + Grant(Aws(kBobArn)) + "]")).has_value());
  // Both: by name, by her account, or everyone.
  EXPECT_EQ(get(names_carol), std::nullopt);
  EXPECT_EQ(get(names_account), std::nullopt);
  EXPECT_EQ(get(BucketPolicy("[" + Grant(R"("*")") + "]")), std::nullopt);
  // A deny in the bucket policy still wins.
  auto deny =
      get(BucketPolicy("[" + Grant(Aws(kOther)) + "," + Grant(Aws(kCarolArn), "Deny") + "]"));
  ASSERT_TRUE(deny.has_value());
  EXPECT_EQ(*deny, Denied(kCarolArn, "s3:GetObject", kObject, kResourceDeny));
  // A bucket owned by her own account is a same-account call: her policy is enough.
  auto own = S3Call(carol_, "GetObject", kObject, "");
  own.account_id = kOther;
  own.access.resource_account = kOther;
  EXPECT_EQ(Authorize(own), std::nullopt);
}

TEST_F(IamAuthorizerResourcePolicyTest, ARoleArnGrantIsBoundedByTheSessionPolicyASessionArnIsNot) {
  const std::string to_role = BucketPolicy("[" + Grant(Aws(kRoleArn)) + "]");
  const std::string to_session = BucketPolicy("[" + Grant(Aws(kSessionArn)) + "]");
  const std::string other_things = IdentityAllow("sagemaker:*");
  // No identity-based policy on the role; the bucket names it.
  EXPECT_EQ(Authorize(S3Call(RoleSession(), "GetObject", kObject, to_role)), std::nullopt);
  EXPECT_EQ(Authorize(S3Call(RoleSession(), "GetObject", kObject, to_session)), std::nullopt);
  // A session policy that does not allow the action bounds the role's grant...
  auto bounded = Authorize(S3Call(RoleSession(other_things), "GetObject", kObject, to_role));
  ASSERT_TRUE(bounded.has_value());
  EXPECT_EQ(*bounded,
            Denied(kSessionArn, "s3:GetObject", kObject, NoSessionPolicy("s3:GetObject")));
  EXPECT_EQ(
      Authorize(S3Call(RoleSession(IdentityAllow("s3:GetObject")), "GetObject", kObject, to_role)),
      std::nullopt);
  // ...but not a grant to the session itself.
  EXPECT_EQ(Authorize(S3Call(RoleSession(other_things), "GetObject", kObject, to_session)),
            std::nullopt);
  // An explicit deny in the session policy wins over either.
  auto session_deny = Authorize(
      S3Call(RoleSession(IdentityDeny("s3:GetObject")), "GetObject", kObject, to_session));
  ASSERT_TRUE(session_deny.has_value());
  EXPECT_EQ(*session_deny, Denied(kSessionArn, "s3:GetObject", kObject,
                                  "with an explicit deny in a session policy"));
  // Another role is not this session's.
  RoleRecord other;
  other.account_id = kAcct;
  other.role_name = "Other";
  other.trust_policy = "{}";
  ASSERT_TRUE(store_->AddRole(other, {}).ok());
  EXPECT_TRUE(Authorize(S3Call(RoleSession(), "GetObject", kObject,
                               BucketPolicy(
                                   "[" + Grant(Aws("arn:aws:iam::123456789012:role/Other")) + "]")))
                  .has_value());
}

TEST_F(IamAuthorizerResourcePolicyTest, FederatedUsersLikewise) {
  const std::string to_bob = BucketPolicy("[" + Grant(Aws(kBobArn)) + "]");
  const std::string to_session = BucketPolicy("[" + Grant(Aws(kFederatedArn)) + "]");
  // Bob has no identity-based policy; the bucket names him: his federated user gets what its
  // session policy also allows.
  EXPECT_EQ(
      Authorize(S3Call(FederatedSession(IdentityAllow("s3:*")), "GetObject", kObject, to_bob)),
      std::nullopt);
  auto bounded = Authorize(
      S3Call(FederatedSession(IdentityAllow("sagemaker:*")), "GetObject", kObject, to_bob));
  ASSERT_TRUE(bounded.has_value());
  EXPECT_EQ(*bounded,
            Denied(kFederatedArn, "s3:GetObject", kObject, NoSessionPolicy("s3:GetObject")));
  EXPECT_EQ(Authorize(S3Call(FederatedSession(IdentityAllow("sagemaker:*")), "GetObject", kObject,
                             to_session)),
            std::nullopt);
}

// As for trust policies: a policy names the user or role it named when saved, not a successor of
// the same name.
TEST_F(IamAuthorizerResourcePolicyTest, AGrantToADeletedUserDoesNotPassToItsSuccessor) {
  ASSERT_TRUE(store_->CreateUser(kAcct, "dave").ok());
  auto first = store_->CreateAccessKey(kAcct, "dave");
  ASSERT_TRUE(first.ok());
  const std::string dave_arn = "arn:aws:iam::123456789012:user/dave";
  const std::string policy = BucketPolicy("[" + Grant(Aws(dave_arn)) + "]");
  // Saved while the first dave exists.
  aws::RequestContext ctx =
      S3Call(store_->Find(first->access_key_id, ""), "GetObject", kObject, policy);
  EXPECT_EQ(Authorize(ctx), std::nullopt);
  const auto saved_ids = ctx.access.resource_policy_principal_ids;
  ASSERT_EQ(saved_ids.count(dave_arn), 1u);

  ASSERT_TRUE(store_->RemoveAccessKey(kAcct, "dave", first->access_key_id).ok());
  ASSERT_TRUE(store_->RemoveUser(kAcct, "dave").ok());
  ASSERT_TRUE(store_->CreateUser(kAcct, "dave").ok());
  auto second = KeyOf(kAcct, "dave");
  aws::RequestContext again = S3Call(second, "GetObject", kObject, policy);
  again.access.resource_policy_principal_ids = saved_ids;  // the policy as it was saved
  auto denied = Authorize(again);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(*denied, Denied(dave_arn, "s3:GetObject", kObject, NoIdentityPolicy("s3:GetObject")));
  // Saved again now, it names the new dave.
  EXPECT_EQ(Authorize(S3Call(second, "GetObject", kObject, policy)), std::nullopt);
}

TEST_F(IamAuthorizerResourcePolicyTest, PrincipalIdsRefuseAUserThatDoesNotExist) {
  auto ids = store_->PrincipalIds({kBobArn, kRoleArn, "arn:aws:iam::999999999999:user/elsewhere",
                                   "arn:aws:sts::123456789012:assumed-role/Trainer/s"});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 2u);
  EXPECT_EQ(ids->at(kBobArn), store_->GetUser(kAcct, "bob")->user_id);
  EXPECT_EQ(ids->at(kRoleArn), store_->GetRole(kAcct, "Trainer")->role_id);
  auto missing = store_->PrincipalIds({kBobArn, "arn:aws:iam::123456789012:user/nobody"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "arn:aws:iam::123456789012:user/nobody");
}

TEST_F(IamAuthorizerResourcePolicyTest, PrincipalConditionKeys) {
  auto with = [&](std::shared_ptr<const aws::Credential> who, const std::string& condition) {
    return Authorize(
        S3Call(who, "GetObject", kObject,
               BucketPolicy("[" + Grant(R"("*")", "Allow", R"("s3:GetObject")", condition) + "]")));
  };
  PutPolicy(kOther, {"user", "carol"}, IdentityAllow("s3:GetObject"));
  EXPECT_EQ(with(bob_, R"({"StringEquals": {"aws:PrincipalType": "User"}})"), std::nullopt);
  EXPECT_EQ(with(RoleSession(), R"({"StringEquals": {"aws:PrincipalType": "AssumedRole"}})"),
            std::nullopt);
  EXPECT_EQ(with(other_root_, R"({"StringEquals": {"aws:PrincipalType": "Account"}})"),
            std::nullopt);
  EXPECT_EQ(with(FederatedSession(IdentityAllow("s3:*")),
                 R"({"StringEquals": {"aws:PrincipalType": "FederatedUser"}})"),
            std::nullopt);
  EXPECT_EQ(with(carol_, R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})"),
            std::nullopt);
  EXPECT_TRUE(
      with(bob_, R"({"StringEquals": {"aws:PrincipalAccount": "111122223333"}})").has_value());
  // A role session's aws:PrincipalArn is its role's ARN.
  EXPECT_EQ(with(RoleSession(),
                 R"({"ArnEquals": {"aws:PrincipalArn": ")" + std::string(kRoleArn) + "\"}}"),
            std::nullopt);
  EXPECT_EQ(with(bob_, R"({"Bool": {"aws:SecureTransport": "false"}})"), std::nullopt);
  EXPECT_EQ(with(bob_, R"({"Bool": {"aws:PrincipalIsAWSService": "false"}})"), std::nullopt);
}

TEST_F(IamAuthorizerResourcePolicyTest, ServiceConditionValuesReachEveryPolicy) {
  using Values = std::vector<std::pair<std::string, std::string>>;
  auto put = [&](const std::string& policy, Values values) {
    auto ctx = S3Call(bob_, "PutObject", kObject, policy);
    ctx.access.condition_values = std::move(values);
    return Authorize(ctx);
  };
  // The bucket policy lets bob put objects with the bucket-owner-full-control canned ACL only.
  const std::string policy =
      BucketPolicy("[" +
                   Grant(Aws(kBobArn), "Allow", R"("s3:PutObject")",
                         R"({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})") +
                   "]");
  EXPECT_EQ(put(policy, {{"s3:x-amz-acl", "bucket-owner-full-control"}}), std::nullopt);
  EXPECT_TRUE(put(policy, {{"s3:x-amz-acl", "private"}}).has_value());
  EXPECT_TRUE(put(policy, {}).has_value());
  // Identity-based policies see the keys too.
  PutPolicy(kAcct, {"user", "bob"},
            IdentityAllow("s3:PutObject", R"({"StringEquals": {"s3:x-amz-acl": "private"}})"));
  EXPECT_EQ(put("", {{"s3:x-amz-acl", "private"}}), std::nullopt);
  EXPECT_TRUE(put("", {{"s3:x-amz-acl", "public-read"}}).has_value());
  // A key given twice is multivalued: a plain condition does not hold for it, ForAnyValue does.
  const Values both = {{"s3:x-amz-acl", "private"}, {"s3:x-amz-acl", "public-read"}};
  EXPECT_TRUE(put("", both).has_value());
  PutPolicy(kAcct, {"user", "bob"},
            IdentityAllow("s3:PutObject",
                          R"({"ForAnyValue:StringEquals": {"s3:x-amz-acl": "public-read"}})"));
  EXPECT_EQ(put("", both), std::nullopt);
}

}  // namespace
}  // namespace sagetrail::iam
