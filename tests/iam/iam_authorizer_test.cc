// IamAuthorizer over a real IdentityStore and the real service models: who may call what, on which
// resource, and the exact AccessDenied texts.
#include "iam/iam_authorizer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fakes/temp_dir.h"
#include "fakes/test_support.h"

namespace sagetrail::iam {
namespace {

namespace json = boost::json;
using sagetrail::testing::Models;

constexpr char kAcct[] = "123456789012";
constexpr char kUserArn[] = "arn:aws:iam::123456789012:user/bob";
constexpr char kAdminArn[] = "arn:aws:iam::aws:policy/AdministratorAccess";

std::string Allow(const std::string& action, const std::string& resource = "*",
                  const std::string& condition = "") {
  std::string s = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" + action +
                  R"(","Resource":")" + resource + "\"";
  if (!condition.empty()) s += R"(,"Condition":)" + condition;
  return s + "}]}";
}

std::string Deny(const std::string& action) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":")" + action +
         R"(","Resource":"*"}]})";
}

class IamAuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = IdentityStore::Open(dir_.Sub("iam.db"), random_, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateAccount(kAcct, "acme").ok());
    auto root = store_->CreateAccessKey(kAcct, "");
    ASSERT_TRUE(root.ok());
    root_key_ = root->access_key_id;
    ASSERT_TRUE(store_->CreateUser(kAcct, "bob").ok());
    auto bob = store_->CreateAccessKey(kAcct, "bob");
    ASSERT_TRUE(bob.ok());
    bob_key_ = bob->access_key_id;
    authorizer_ = std::make_unique<IamAuthorizer>(*store_, clock_);
  }

  void PutUserPolicy(const std::string& name, const std::string& document,
                     const std::string& user = "bob") {
    ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", user}, name, document).ok());
  }

  // A request by the holder of `credential` for `service`'s `op` with `input`.
  aws::RequestContext Ctx(std::shared_ptr<const aws::Credential> credential,
                          const std::string& service, const std::string& op,
                          std::string_view input = "{}") {
    aws::RequestContext ctx;
    ctx.service = Models().Find(service);
    EXPECT_NE(ctx.service, nullptr) << service;
    if (ctx.service) ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.authenticated = true;
    EXPECT_NE(credential, nullptr);
    ctx.credential = credential;
    if (credential) {
      ctx.identity = credential->identity;
      ctx.account_id = credential->identity.account_id;
    }
    ctx.region = "us-east-1";
    ctx.source_ip = "203.0.113.7";
    ctx.input = json::parse(input);
    return ctx;
  }
  aws::RequestContext BobCtx(const std::string& service, const std::string& op,
                             std::string_view input = "{}") {
    return Ctx(store_->Find(bob_key_, ""), service, op, input);
  }

  // Temporary credentials for `claims`, as the store opens them from their token.
  std::shared_ptr<const aws::Credential> Session(SessionClaims claims) {
    claims.expires_at = clock_.Now() + std::chrono::hours(1);
    std::string token = store_->tokens().Seal(claims, random_);
    auto c = store_->Find(claims.access_key_id, token);
    EXPECT_NE(c, nullptr);
    return c;
  }
  std::shared_ptr<const aws::Credential> RoleSession(const std::string& role_name,
                                                     std::optional<std::string> policy = {}) {
    auto role = store_->GetRole(kAcct, role_name);
    EXPECT_TRUE(role.has_value());
    SessionClaims c;
    c.access_key_id = "ASIAROLESESSION00001";
    c.secret_access_key = "x";
    c.identity.type = aws::IdentityType::kAssumedRole;
    c.identity.principal_id = role->role_id + ":s";
    c.identity.arn = "arn:aws:sts::123456789012:assumed-role/" + role_name + "/s";
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
  std::shared_ptr<const aws::Credential> FederatedSession(bool by_root,
                                                          std::optional<std::string> policy = {}) {
    SessionClaims c;
    c.access_key_id = "ASIAFEDERATED0000001";
    c.secret_access_key = "x";
    c.identity.type = aws::IdentityType::kFederatedUser;
    c.identity.principal_id = "123456789012:fed";
    c.identity.arn = "arn:aws:sts::123456789012:federated-user/fed";
    c.identity.account_id = kAcct;
    c.identity.session_name = "fed";
    c.identity.session.emplace();
    auto bob = store_->GetUser(kAcct, "bob");
    c.identity.session->issuer =
        by_root ? aws::SessionIssuer{"Root", kAcct, "arn:aws:iam::123456789012:root", kAcct, ""}
                : aws::SessionIssuer{"IAMUser", bob->user_id, bob->arn, kAcct, "bob"};
    c.has_session_policy = true;
    if (policy) c.session_policy = *policy;
    return Session(std::move(c));
  }

  static std::string Denied(const std::string& who, const std::string& action,
                            const std::string& resource, const std::string& because) {
    std::string out = "User: " + who + " is not authorized to perform: " + action;
    if (!resource.empty()) out += " on resource: " + resource;
    return out + " " + because;
  }
  static std::string NoIdentityPolicy(const std::string& action) {
    return "because no identity-based policy allows the " + action + " action";
  }
  static std::string NoSessionPolicy(const std::string& action) {
    return "because no session policy allows the " + action + " action";
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  SeededRandom random_{5};
  std::unique_ptr<IdentityStore> store_;
  std::unique_ptr<IamAuthorizer> authorizer_;
  std::string root_key_, bob_key_;
};

TEST_F(IamAuthorizerTest, RootNeedsNoPolicy) {
  auto root = store_->Find(root_key_, "");
  ASSERT_NE(root, nullptr);
  for (const char* op : {"CreateModel", "DeleteModel", "ListModels"}) {
    EXPECT_EQ(authorizer_->Authorize(Ctx(root, "sagemaker", op, R"({"ModelName":"m"})")),
              std::nullopt)
        << op;
  }
  EXPECT_EQ(authorizer_->Authorize(Ctx(root, "iam", "CreateUser", R"({"UserName":"x"})")),
            std::nullopt);
}

TEST_F(IamAuthorizerTest, UserWithoutPoliciesIsDeniedWithTheExactMessage) {
  auto denial = authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", R"({"ModelName":"M"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_EQ(*denial,
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "sagemaker:CreateModel on resource: "
            "arn:aws:sagemaker:us-east-1:123456789012:model/m because no "
            "identity-based policy allows the sagemaker:CreateModel action");
}

// Each user's parsed policies are cached; any change in the store must show at once.
TEST_F(IamAuthorizerTest, PolicyChangesApplyToTheVeryNextCall) {
  auto describe = [&] {
    return authorizer_->Authorize(BobCtx("sagemaker", "DescribeModel", R"({"ModelName":"m"})"));
  };
  EXPECT_TRUE(describe().has_value());
  PutUserPolicy("p1", Allow("sagemaker:Describe*"));
  EXPECT_EQ(describe(), std::nullopt);
  EXPECT_EQ(describe(), std::nullopt);  // from the cache
  PutUserPolicy("p2", Deny("sagemaker:DescribeModel"));
  EXPECT_TRUE(describe().has_value());
  ASSERT_TRUE(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "p2").ok());
  EXPECT_EQ(describe(), std::nullopt);
  ASSERT_TRUE(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "p1").ok());
  EXPECT_TRUE(describe().has_value());
  // An attached managed policy, then detached.
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, kAdminArn).ok());
  EXPECT_EQ(describe(), std::nullopt);
  ASSERT_TRUE(store_->Detach(kAcct, {"user", "bob"}, kAdminArn).ok());
  EXPECT_TRUE(describe().has_value());
}

// Conditions are evaluated against the request's context, built only when a statement that
// covers the call has a condition (or a policy variable).
TEST_F(IamAuthorizerTest, ConditionContextIsBuiltWhenAStatementNeedsIt) {
  PutUserPolicy("ip", Allow("sagemaker:ListModels", "*",
                            R"({"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}})"));
  PutUserPolicy("own", Allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "ListModels")), std::nullopt);
  auto elsewhere = BobCtx("sagemaker", "ListModels");
  elsewhere.source_ip = "198.51.100.1";
  EXPECT_TRUE(authorizer_->Authorize(elsewhere).has_value());
  EXPECT_EQ(authorizer_->Authorize(BobCtx("iam", "GetUser")), std::nullopt);
  EXPECT_EQ(authorizer_->Authorize(BobCtx("iam", "GetUser", R"({"UserName":"bob"})")),
            std::nullopt);
  EXPECT_TRUE(
      authorizer_->Authorize(BobCtx("iam", "GetUser", R"({"UserName":"alice"})")).has_value());
}

TEST_F(IamAuthorizerTest, AdministratorAccessAllowsEverything) {
  ASSERT_TRUE(store_->AttachPolicyNow(kAcct, {"user", "bob"}, kAdminArn).ok());
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", R"({"ModelName":"m"})")),
            std::nullopt);
  EXPECT_EQ(authorizer_->Authorize(BobCtx("iam", "CreateUser", R"({"UserName":"x"})")),
            std::nullopt);
  EXPECT_EQ(authorizer_->Authorize(BobCtx("cloudtrail", "LookupEvents")), std::nullopt);
}

TEST_F(IamAuthorizerTest, WildcardActionsAllowOnlyWhatTheyMatch) {
  PutUserPolicy("read", Allow("sagemaker:Describe*"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "DescribeModel", R"({"ModelName":"m"})")),
            std::nullopt);
  EXPECT_EQ(
      authorizer_->Authorize(BobCtx("sagemaker", "DescribeEndpoint", R"({"EndpointName":"e"})")),
      std::nullopt);
  auto denial = authorizer_->Authorize(BobCtx("sagemaker", "DeleteModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_EQ(*denial, Denied(kUserArn, "sagemaker:DeleteModel",
                            "arn:aws:sagemaker:us-east-1:123456789012:model/m",
                            NoIdentityPolicy("sagemaker:DeleteModel")));
  // A resource-scoped allow: only that model.
  PutUserPolicy("one-model",
                Allow("sagemaker:DeleteModel", "arn:aws:sagemaker:*:123456789012:model/keep-*"));
  EXPECT_EQ(
      authorizer_->Authorize(BobCtx("sagemaker", "DeleteModel", R"({"ModelName":"Keep-This"})")),
      std::nullopt);
  EXPECT_TRUE(
      authorizer_->Authorize(BobCtx("sagemaker", "DeleteModel", R"({"ModelName":"other"})")));
}

TEST_F(IamAuthorizerTest, ExplicitDenyWins) {
  ASSERT_TRUE(store_->AttachPolicyNow(kAcct, {"user", "bob"}, kAdminArn).ok());
  PutUserPolicy("no-deletes", Deny("sagemaker:Delete*"));
  auto denial = authorizer_->Authorize(BobCtx("sagemaker", "DeleteModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_EQ(*denial, Denied(kUserArn, "sagemaker:DeleteModel",
                            "arn:aws:sagemaker:us-east-1:123456789012:model/m",
                            "with an explicit deny in an identity-based policy"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", R"({"ModelName":"m"})")),
            std::nullopt);
}

TEST_F(IamAuthorizerTest, ResourceOfIsTheLowerCasedArnOrAStar) {
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("sagemaker", "CreateModel", R"({"ModelName":"MyM"})")),
            "arn:aws:sagemaker:us-east-1:123456789012:model/mym");
  EXPECT_EQ(IamAuthorizer::ResourceOf(
                BobCtx("sagemaker", "DescribeTrainingJob", R"({"TrainingJobName":"Job-1"})")),
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1");
  EXPECT_EQ(IamAuthorizer::ResourceOf(
                BobCtx("sagemaker", "DeleteEndpointConfig", R"({"EndpointConfigName":"EC"})")),
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ec");
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("sagemaker", "ListModels")), "*");
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("cloudtrail", "LookupEvents")), "*");
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("iam", "GetRole", R"({"RoleName":"R"})")),
            "arn:aws:iam::123456789012:role/R");
  EXPECT_EQ(IamAuthorizer::ActionOf(BobCtx("sagemaker", "ListModels")), "sagemaker:ListModels");
  EXPECT_EQ(IamAuthorizer::ActionOf(BobCtx("iam", "ListUsers")), "iam:ListUsers");
}

TEST_F(IamAuthorizerTest, SageMakerListDenialsHaveNoResourceClause) {
  auto list = authorizer_->Authorize(BobCtx("sagemaker", "ListModels"));
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(*list,
            Denied(kUserArn, "sagemaker:ListModels", "", NoIdentityPolicy("sagemaker:ListModels")));
  EXPECT_EQ(list->find("on resource"), std::string::npos);
  // Nor does CloudTrail's LookupEvents.
  auto lookup = authorizer_->Authorize(BobCtx("cloudtrail", "LookupEvents"));
  ASSERT_TRUE(lookup.has_value());
  EXPECT_EQ(*lookup, Denied(kUserArn, "cloudtrail:LookupEvents", "",
                            NoIdentityPolicy("cloudtrail:LookupEvents")));
  // IAM lists are authorized on the listed path, GetFederationToken on the federated user.
  EXPECT_EQ(*authorizer_->Authorize(BobCtx("iam", "ListUsers")),
            Denied(kUserArn, "iam:ListUsers", "arn:aws:iam::123456789012:user/",
                   NoIdentityPolicy("iam:ListUsers")));
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("iam", "ListRoles", R"({"PathPrefix":"/ci/"})")),
            "arn:aws:iam::123456789012:role/ci/");
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("iam", "ListPolicies")), "policy path /");
  EXPECT_EQ(IamAuthorizer::ResourceOf(BobCtx("sts", "GetFederationToken", R"({"Name":"fed"})")),
            "arn:aws:sts::123456789012:federated-user/fed");
  // And SageMaker calls on a resource name it.
  auto describe =
      authorizer_->Authorize(BobCtx("sagemaker", "DescribeModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(describe.has_value());
  EXPECT_NE(describe->find(" on resource: arn:aws:sagemaker:us-east-1:123456789012:model/m "),
            std::string::npos)
      << *describe;
}

TEST_F(IamAuthorizerTest, AssumedRoleSessionsUseTheRolesPoliciesAndTheirSessionPolicy) {
  RoleRecord r;
  r.account_id = kAcct;
  r.role_name = "Trainer";
  r.trust_policy = "{}";
  auto role = store_->AddRole(r);
  ASSERT_TRUE(role.ok());
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"role", "Trainer"}, "sm", Allow("sagemaker:*")).ok());
  // Bob's own policies do not apply to the role's session, and the role's do not apply to bob.
  PutUserPolicy("ct", Allow("cloudtrail:*"));
  const std::string session_arn = "arn:aws:sts::123456789012:assumed-role/Trainer/s";

  auto plain = RoleSession("Trainer");
  EXPECT_EQ(authorizer_->Authorize(Ctx(plain, "sagemaker", "CreateModel", R"({"ModelName":"m"})")),
            std::nullopt);
  auto ct = authorizer_->Authorize(Ctx(plain, "cloudtrail", "LookupEvents"));
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(*ct, Denied(session_arn, "cloudtrail:LookupEvents", "",
                        NoIdentityPolicy("cloudtrail:LookupEvents")));
  EXPECT_TRUE(authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", R"({"ModelName":"m"})")));

  // A session policy narrows the role: the intersection applies.
  auto narrowed = RoleSession("Trainer", Allow("sagemaker:Describe*"));
  EXPECT_EQ(
      authorizer_->Authorize(Ctx(narrowed, "sagemaker", "DescribeModel", R"({"ModelName":"m"})")),
      std::nullopt);
  auto denial =
      authorizer_->Authorize(Ctx(narrowed, "sagemaker", "CreateModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_EQ(*denial, Denied(session_arn, "sagemaker:CreateModel",
                            "arn:aws:sagemaker:us-east-1:123456789012:model/m",
                            NoSessionPolicy("sagemaker:CreateModel")));
  // ... and never widens it.
  auto wide = RoleSession("Trainer", Allow("*"));
  auto wide_denial = authorizer_->Authorize(Ctx(wide, "cloudtrail", "LookupEvents"));
  ASSERT_TRUE(wide_denial.has_value());
  EXPECT_EQ(*wide_denial, Denied(session_arn, "cloudtrail:LookupEvents", "",
                                 NoIdentityPolicy("cloudtrail:LookupEvents")));
  // Session policies by ARN count too.
  SessionClaims by_arn;
  by_arn.access_key_id = "ASIAROLESESSION00002";
  by_arn.identity = plain->identity;
  by_arn.session_policy_arns = {"arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"};
  by_arn.has_session_policy = true;
  auto ro = Session(by_arn);
  EXPECT_EQ(authorizer_->Authorize(Ctx(ro, "sagemaker", "ListModels")), std::nullopt);
  auto ro_denial =
      authorizer_->Authorize(Ctx(ro, "sagemaker", "DeleteModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(ro_denial.has_value());
  EXPECT_NE(ro_denial->find(NoSessionPolicy("sagemaker:DeleteModel")), std::string::npos);
}

TEST_F(IamAuthorizerTest, FederatedUsersNeedASessionPolicyWithinTheIssuersPermissions) {
  PutUserPolicy("sm-read", Allow("sagemaker:Describe*"));
  const std::string fed_arn = "arn:aws:sts::123456789012:federated-user/fed";
  // No session policy: nothing, even what the issuing user may do.
  auto bare = FederatedSession(false);
  auto denial =
      authorizer_->Authorize(Ctx(bare, "sagemaker", "DescribeModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_EQ(*denial, Denied(fed_arn, "sagemaker:DescribeModel",
                            "arn:aws:sagemaker:us-east-1:123456789012:model/m",
                            NoSessionPolicy("sagemaker:DescribeModel")));
  // With one: what both allow.
  auto fed = FederatedSession(false, Allow("sagemaker:*"));
  EXPECT_EQ(authorizer_->Authorize(Ctx(fed, "sagemaker", "DescribeModel", R"({"ModelName":"m"})")),
            std::nullopt);
  auto create =
      authorizer_->Authorize(Ctx(fed, "sagemaker", "CreateModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(create.has_value());
  EXPECT_EQ(*create, Denied(fed_arn, "sagemaker:CreateModel",
                            "arn:aws:sagemaker:us-east-1:123456789012:model/m",
                            NoIdentityPolicy("sagemaker:CreateModel")));
}

TEST_F(IamAuthorizerTest, FederatedByRootHasTheSessionPolicysPermissions) {
  auto fed = FederatedSession(true, Allow("sagemaker:CreateModel"));
  EXPECT_EQ(authorizer_->Authorize(Ctx(fed, "sagemaker", "CreateModel", R"({"ModelName":"m"})")),
            std::nullopt);
  auto denial =
      authorizer_->Authorize(Ctx(fed, "sagemaker", "DeleteModel", R"({"ModelName":"m"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_NE(denial->find(NoSessionPolicy("sagemaker:DeleteModel")), std::string::npos);
  EXPECT_TRUE(authorizer_->Authorize(Ctx(FederatedSession(true), "sagemaker", "ListModels")));
}

TEST_F(IamAuthorizerTest, SomeStsCallsNeedNoPermission) {
  for (const char* op : {"GetCallerIdentity", "GetSessionToken", "AssumeRole"}) {
    EXPECT_EQ(
        authorizer_->Authorize(BobCtx(
            "sts", op, R"({"RoleArn":"arn:aws:iam::123456789012:role/R","RoleSessionName":"s"})")),
        std::nullopt)
        << op;
  }
  auto denial = authorizer_->Authorize(BobCtx("sts", "GetFederationToken", R"({"Name":"fed"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_NE(denial->find("sts:GetFederationToken"), std::string::npos);
  PutUserPolicy("fed", Allow("sts:GetFederationToken"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sts", "GetFederationToken", R"({"Name":"fed"})")),
            std::nullopt);
}

TEST_F(IamAuthorizerTest, SourceIpCondition) {
  PutUserPolicy("office",
                Allow("sagemaker:*", "*", R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"));
  auto inside = BobCtx("sagemaker", "ListModels");
  inside.source_ip = "10.1.2.3";
  EXPECT_EQ(authorizer_->Authorize(inside), std::nullopt);
  auto outside = BobCtx("sagemaker", "ListModels");
  outside.source_ip = "192.0.2.1";
  EXPECT_TRUE(authorizer_->Authorize(outside).has_value());
  ConditionContext context = authorizer_->ContextOf(inside);
  const auto* ip = context.Find("aws:SourceIp");
  ASSERT_NE(ip, nullptr);
  EXPECT_EQ(*ip, std::vector<std::string>{"10.1.2.3"});
}

TEST_F(IamAuthorizerTest, UsernameVariableInResource) {
  ASSERT_TRUE(store_->CreateUser(kAcct, "alice").ok());
  PutUserPolicy("self", Allow("iam:GetUser", "arn:aws:iam::123456789012:user/${aws:username}"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("iam", "GetUser", R"({"UserName":"bob"})")),
            std::nullopt);
  auto other = authorizer_->Authorize(BobCtx("iam", "GetUser", R"({"UserName":"alice"})"));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(*other, Denied(kUserArn, "iam:GetUser", "arn:aws:iam::123456789012:user/alice",
                           NoIdentityPolicy("iam:GetUser")));
  ConditionContext context = authorizer_->ContextOf(BobCtx("iam", "GetUser"));
  ASSERT_NE(context.Find("aws:username"), nullptr);
  EXPECT_EQ(*context.Find("aws:username"), std::vector<std::string>{"bob"});
}

}  // namespace
}  // namespace sagetrail::iam
