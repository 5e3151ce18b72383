// IamAuthorizer over a real IdentityStore and the real service models: who may call what, on which
// resource, and the exact AccessDenied texts.
#include "iam/iam_authorizer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cloudtrail/cloudtrail_service.h"
#include "fakes/fake_event_store.h"
#include "fakes/manual_scheduler.h"
#include "fakes/memory_state.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "iam/iam_service.h"
#include "iam/sts_service.h"
#include "sagemaker/sagemaker_service.h"

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
    auto s = IdentityStore::Open(state_, state_, random_, clock_);
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
    // The services whose resolution of resources the authorizer relies on.
    iam_ = std::make_unique<IamService>(*store_);
    sts_ = std::make_unique<StsService>(*store_, *authorizer_, clock_, random_);
    auto sm = sagemaker::SageMakerService::Create(state_, state_, clock_, scheduler_);
    ASSERT_TRUE(sm.ok());
    sagemaker_ = std::move(sm).value();
    cloudtrail_ =
        std::make_unique<cloudtrail::CloudTrailService>(events_, clock_, std::chrono::hours(2160));
  }

  aws::Service* ServiceFor(std::string_view name) {
    if (name == "iam") return iam_.get();
    if (name == "sts") return sts_.get();
    if (name == "sagemaker") return sagemaker_.get();
    if (name == "cloudtrail") return cloudtrail_.get();
    return nullptr;
  }

  void PutUserPolicy(const std::string& name, const std::string& document,
                     const std::string& user = "bob") {
    ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", user}, name, document).ok());
  }

  // A request by the holder of `credential` for `service`'s `op` with `input`.
  aws::RequestContext Ctx(std::shared_ptr<const aws::Credential> credential,
                          const std::string& service_name, const std::string& op,
                          std::string_view input = "{}") {
    aws::RequestContext ctx;
    ctx.service = Models().Find(service_name);
    EXPECT_NE(ctx.service, nullptr) << service_name;
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
    // What the pipeline does before authorizing: the service resolves the call's resources.
    if (aws::Service* service = ServiceFor(service_name); service && ctx.operation) {
      ctx.resources = service->ResolveResources(ctx);
      ctx.access = service->AccessFor(ctx);
    }
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
  testing::MemoryState state_;
  testing::FakeClock clock_;
  SeededRandom random_{5};
  std::unique_ptr<IdentityStore> store_;
  std::unique_ptr<IamAuthorizer> authorizer_;
  sagetrail::testing::ManualScheduler scheduler_{clock_};
  sagetrail::testing::FakeEventStore events_;
  std::unique_ptr<IamService> iam_;
  std::unique_ptr<StsService> sts_;
  std::unique_ptr<sagemaker::SageMakerService> sagemaker_;
  std::unique_ptr<cloudtrail::CloudTrailService> cloudtrail_;
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

TEST_F(IamAuthorizerTest, ResourceIsTheLowerCasedArnOrAStar) {
  auto resource = [&](const char* service, const char* op, std::string_view input = "{}") {
    return BobCtx(service, op, input).access.resource;
  };
  EXPECT_EQ(resource("sagemaker", "CreateModel", R"({"ModelName":"MyM"})"),
            "arn:aws:sagemaker:us-east-1:123456789012:model/mym");
  EXPECT_EQ(resource("sagemaker", "DescribeTrainingJob", R"({"TrainingJobName":"Job-1"})"),
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1");
  EXPECT_EQ(resource("sagemaker", "DeleteEndpointConfig", R"({"EndpointConfigName":"EC"})"),
            "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ec");
  // The operation's own resource, not the first one it names.
  EXPECT_EQ(
      resource("sagemaker", "CreateEndpoint", R"({"EndpointName":"E","EndpointConfigName":"C"})"),
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e");
  EXPECT_EQ(resource("sagemaker", "ListModels"), "*");
  EXPECT_EQ(resource("cloudtrail", "LookupEvents"), "*");
  EXPECT_EQ(resource("iam", "GetRole", R"({"RoleName":"R"})"), "arn:aws:iam::123456789012:role/R");
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
  EXPECT_EQ(BobCtx("iam", "ListRoles", R"({"PathPrefix":"/ci/"})").access.resource,
            "arn:aws:iam::123456789012:role/ci/");
  EXPECT_EQ(BobCtx("iam", "ListPolicies").access.resource, "policy path /");
  EXPECT_EQ(BobCtx("sts", "GetFederationToken", R"({"Name":"fed"})").access.resource,
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
  auto role = store_->AddRole(r, {});
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

// Authorization decides on the resource as stored: no spelling of a name (another case) reaches a
// user or role that a policy denies. Every IAM operation that names a user or a role is tried.
TEST_F(IamAuthorizerTest, IamNamesInAnyCaseAreTheStoredEntity) {
  ASSERT_TRUE(store_->CreateUser(kAcct, "admin").ok());
  RoleRecord admin_role;
  admin_role.account_id = kAcct;
  admin_role.role_name = "AdminRole";
  admin_role.path = "/ops/";
  admin_role.trust_policy = "{}";
  ASSERT_TRUE(store_->AddRole(admin_role, {}).ok());
  PutUserPolicy("all", Allow("iam:*"));
  PutUserPolicy("not-admin", R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny",
      "Action":"iam:*","Resource":["arn:aws:iam::123456789012:user/admin",
                                    "arn:aws:iam::123456789012:role/ops/AdminRole"]}]})");
  const aws::ServiceModel* iam = Models().Find("iam");
  ASSERT_NE(iam, nullptr);
  int users = 0, roles = 0;
  for (const aws::Operation* op : iam->operations()) {
    if (op->input == aws::kNoShape) continue;
    const aws::Shape& in = iam->shape(op->input);
    for (const char* member : {"UserName", "RoleName"}) {
      if (in.FindMember(member) == nullptr) continue;
      bool user = std::string_view(member) == "UserName";
      for (const char* spelling : user ? std::vector<const char*>{"Admin", "ADMIN", "admin"}
                                       : std::vector<const char*>{"adminrole", "ADMINROLE"}) {
        json::object input{{member, spelling}};
        auto ctx = Ctx(store_->Find(bob_key_, ""), "iam", op->name, json::serialize(input));
        auto denial = authorizer_->Authorize(ctx);
        ASSERT_TRUE(denial.has_value()) << op->name << " " << spelling;
        EXPECT_NE(denial->find(user ? "on resource: arn:aws:iam::123456789012:user/admin "
                                    : "on resource: arn:aws:iam::123456789012:role/ops/AdminRole "),
                  std::string::npos)
            << *denial;
        // The record indexes the stored name too.
        ASSERT_FALSE(ctx.resources.empty());
        EXPECT_EQ(ctx.resources[0].name, user ? "admin" : "AdminRole");
      }
      (user ? users : roles)++;
    }
  }
  EXPECT_GT(users, 20);  // the model has dozens of each; all were tried
  EXPECT_GT(roles, 10);
  // Another user is not denied.
  EXPECT_EQ(authorizer_->Authorize(BobCtx("iam", "CreateAccessKey", R"({"UserName":"bob"})")),
            std::nullopt);
}

// The same for every SageMaker resource kind, by name and by ARN in any case.
TEST_F(IamAuthorizerTest, SageMakerNamesAndArnsInAnyCaseAreTheStoredResource) {
  PutUserPolicy("all", Allow("sagemaker:*"));
  std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*",
      "Resource":[)";
  sagemaker::SageMakerBackend& backend = sagemaker_->Backend(kAcct, "us-east-1");
  bool first = true;
  for (const sagemaker::ResourceKind& kind : sagemaker::ResourceKinds()) {
    sagemaker::Resource r;
    r.kind = std::string(kind.kind);
    r.name = "PROTECTED";
    r.name_key = "protected";
    r.arn = sagemaker::MakeArn("us-east-1", kAcct, r.kind, r.name);
    {
      std::lock_guard<std::mutex> l(backend.mutex());
      backend.Table(r.kind).Put(r);
    }
    deny += std::string(first ? "" : ",") + "\"" + r.arn + "\"";
    first = false;
  }
  PutUserPolicy("protect", deny + "]}]}");
  const aws::ServiceModel* sm = Models().Find("sagemaker");
  ASSERT_NE(sm, nullptr);
  int tried = 0;
  for (const sagemaker::ResourceKind& kind : sagemaker::ResourceKinds()) {
    std::string stored_arn = sagemaker::MakeArn("us-east-1", kAcct, std::string(kind.kind), "x");
    stored_arn = stored_arn.substr(0, stored_arn.size() - 1) + "protected";
    for (const aws::Operation* op : sm->operations()) {
      if (op->input == aws::kNoShape) continue;
      if (sm->shape(op->input).FindMember(kind.name_member) == nullptr) continue;
      for (const char* spelling : {"PROTECTED", "Protected", "protected"}) {
        json::object input{{std::string(kind.name_member), spelling}};
        auto ctx = BobCtx("sagemaker", op->name, json::serialize(input));
        bool names_kind = false;
        for (const auto& r : ctx.resources) names_kind |= r.arn == stored_arn;
        ASSERT_TRUE(names_kind) << op->name;
        // Denied whether the protected resource is the call's primary one or another it names
        // (CreateEndpoint's endpoint config, CreateTransformJob's model): the denial names it.
        auto denial = authorizer_->Authorize(ctx);
        ASSERT_TRUE(denial.has_value()) << op->name << " " << spelling;
        EXPECT_NE(denial->find(" on resource: " + stored_arn + " "), std::string::npos) << *denial;
        ++tried;
      }
    }
    // ARN-addressed calls (tags), with the name part in another case.
    for (const char* op : {"AddTags", "ListTags", "DeleteTags"}) {
      std::string upper = stored_arn.substr(0, stored_arn.rfind('/') + 1) + "PROTECTED";
      auto ctx = BobCtx("sagemaker", op, R"({"ResourceArn":")" + upper + R"("})");
      EXPECT_EQ(ctx.access.resource, stored_arn) << op;
      ASSERT_FALSE(ctx.resources.empty());
      EXPECT_EQ(ctx.resources[0].name, "PROTECTED");
      EXPECT_TRUE(authorizer_->Authorize(ctx).has_value()) << op << " " << upper;
    }
  }
  EXPECT_GT(tried, 60);
  // Resources that are not protected are allowed.
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "DescribeModel", R"({"ModelName":"open"})")),
            std::nullopt);
}

// A call that names a second resource (the config an endpoint deploys, the model a transform job
// runs) must be allowed on it too.
TEST_F(IamAuthorizerTest, EveryResourceACallNamesIsAuthorized) {
  PutUserPolicy("all", Allow("sagemaker:*"));
  const std::string config_arn =
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/protected";
  const std::string model_arn = "arn:aws:sagemaker:us-east-1:123456789012:model/protected";
  PutUserPolicy("protect", R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny",
      "Action":"sagemaker:*","Resource":[")" +
                               config_arn + R"(",")" + model_arn + R"("]}]})");
  struct Case {
    const char* op;
    const char* input;
    std::string denied_on;
  } cases[] = {
      {"CreateEndpoint", R"({"EndpointName":"open","EndpointConfigName":"PROTECTED"})", config_arn},
      {"UpdateEndpoint", R"({"EndpointName":"open","EndpointConfigName":"Protected"})", config_arn},
      {"CreateTransformJob", R"({"TransformJobName":"open","ModelName":"protected"})", model_arn},
  };
  for (const Case& c : cases) {
    auto ctx = BobCtx("sagemaker", c.op, c.input);
    EXPECT_EQ(ctx.access.also_resources, std::vector<std::string>{c.denied_on}) << c.op;
    auto denial = authorizer_->Authorize(ctx);
    ASSERT_TRUE(denial.has_value()) << c.op;
    EXPECT_EQ(*denial,
              "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
              "sagemaker:" +
                  std::string(c.op) + " on resource: " + c.denied_on +
                  " with an explicit deny in an identity-based policy")
        << c.op;
  }
  // Both resources open: allowed.
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "CreateEndpoint",
                                          R"({"EndpointName":"a","EndpointConfigName":"b"})")),
            std::nullopt);
}

// Credentials of a deleted user or role never pick up the policies of a successor with the same
// name, even if they reach the authorizer.
TEST_F(IamAuthorizerTest, PoliciesBelongToTheEntityNotItsName) {
  PutUserPolicy("read", Allow("sagemaker:List*"));
  auto old_bob = store_->Find(bob_key_, "");
  ASSERT_NE(old_bob, nullptr);
  EXPECT_EQ(authorizer_->Authorize(Ctx(old_bob, "sagemaker", "ListModels")), std::nullopt);
  ASSERT_TRUE(store_->RemoveAccessKey(kAcct, "bob", bob_key_).ok());
  ASSERT_TRUE(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "read").ok());
  ASSERT_TRUE(store_->RemoveUser(kAcct, "bob").ok());
  ASSERT_TRUE(store_->CreateUser(kAcct, "Bob").ok());
  ASSERT_TRUE(store_->AttachPolicyNow(kAcct, {"user", "Bob"}, kAdminArn).ok());
  EXPECT_TRUE(authorizer_->Authorize(Ctx(old_bob, "sagemaker", "ListModels")).has_value());
}

// iam:PassRole on every role a call hands to SageMaker, as stored, with iam:PassedToService.
TEST_F(IamAuthorizerTest, PassingARoleNeedsPassRoleOnTheStoredRole) {
  RoleRecord exec;
  exec.account_id = kAcct;
  exec.role_name = "Exec";
  exec.trust_policy = "{}";
  ASSERT_TRUE(store_->AddRole(exec, {}).ok());
  const std::string exec_arn = "arn:aws:iam::123456789012:role/Exec";
  PutUserPolicy("sm", Allow("sagemaker:*"));
  struct Case {
    const char* op;
    std::string input;
  };
  const Case cases[] = {
      {"CreateModel", R"({"ModelName":"m","ExecutionRoleArn":"ROLE"})"},
      {"CreateTrainingJob", R"({"TrainingJobName":"t","RoleArn":"ROLE"})"},
      {"CreateProcessingJob", R"({"ProcessingJobName":"p","RoleArn":"ROLE"})"},
      {"CreateNotebookInstance", R"({"NotebookInstanceName":"n","RoleArn":"ROLE"})"},
      {"UpdateNotebookInstance", R"({"NotebookInstanceName":"n","RoleArn":"ROLE"})"},
      {"CreateEndpointConfig", R"({"EndpointConfigName":"c","ExecutionRoleArn":"ROLE"})"},
      {"CreateHyperParameterTuningJob",
       R"({"HyperParameterTuningJobName":"h","TrainingJobDefinition":{"RoleArn":"ROLE"}})"},
      {"CreateHyperParameterTuningJob",
       R"({"HyperParameterTuningJobName":"h","TrainingJobDefinitions":[{"RoleArn":"ROLE"}]})"},
  };
  auto with_role = [](std::string input, const std::string& role) {
    size_t at = input.find("ROLE");
    return input.replace(at, 4, role);
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    // Spelled in another case, it is still the stored role that is named.
    auto denial = authorizer_->Authorize(
        BobCtx("sagemaker", c.op, with_role(c.input, "arn:aws:iam::123456789012:role/EXEC")));
    ASSERT_TRUE(denial.has_value());
    EXPECT_NE(denial->find("is not authorized to perform: iam:PassRole on resource: " + exec_arn +
                           " because no identity-based policy allows the iam:PassRole action"),
              std::string::npos)
        << *denial;
  }
  // AmazonSageMakerFullAccess allows passing roles to SageMaker only.
  ASSERT_TRUE(store_
                  ->AttachPolicyNow(kAcct, {"user", "bob"},
                                    "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
                  .ok());
  for (const Case& c : cases) {
    EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", c.op, with_role(c.input, exec_arn))),
              std::nullopt)
        << c.op;
  }
  PutUserPolicy("not-exec", R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny",
      "Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/Exec"}]})");
  auto denial = authorizer_->Authorize(
      BobCtx("sagemaker", "CreateModel",
             R"({"ModelName":"m","ExecutionRoleArn":"arn:aws:iam::123456789012:role/exec"})"));
  ASSERT_TRUE(denial.has_value());
  EXPECT_NE(denial->find("with an explicit deny"), std::string::npos) << *denial;
  // Reads hand over nothing.
  EXPECT_TRUE(BobCtx("sagemaker", "ListModels").access.passed_roles.empty());
}

TEST_F(IamAuthorizerTest, PassedToServiceCondition) {
  RoleRecord exec;
  exec.account_id = kAcct;
  exec.role_name = "Exec";
  exec.trust_policy = "{}";
  ASSERT_TRUE(store_->AddRole(exec, {}).ok());
  PutUserPolicy("sm", Allow("sagemaker:*"));
  PutUserPolicy("pass-ec2",
                Allow("iam:PassRole", "*",
                      R"({"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}})"));
  const char* input =
      R"({"ModelName":"m","ExecutionRoleArn":"arn:aws:iam::123456789012:role/Exec"})";
  EXPECT_TRUE(authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", input)).has_value());
  PutUserPolicy("pass-sm",
                Allow("iam:PassRole", "*",
                      R"({"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}})"));
  EXPECT_EQ(authorizer_->Authorize(BobCtx("sagemaker", "CreateModel", input)), std::nullopt);
}

TEST_F(IamAuthorizerTest, ServiceCanAssumeOnlyRolesThatTrustIt) {
  auto add = [&](const char* name, const char* trust) {
    RoleRecord r;
    r.account_id = kAcct;
    r.role_name = name;
    r.trust_policy = trust;
    ASSERT_TRUE(store_->AddRole(r, {}).ok());
  };
  add("Sm", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]})");
  add("Ec2", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]})");
  add("Denied", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"},
      {"Effect":"Deny","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]})");
  const char* sm = "sagemaker.amazonaws.com";
  EXPECT_TRUE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/Sm", sm));
  EXPECT_TRUE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/sm", sm));
  EXPECT_FALSE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/Ec2", sm));
  EXPECT_FALSE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/Denied", sm));
  EXPECT_FALSE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/Missing", sm));
  EXPECT_FALSE(authorizer_->ServiceCanAssumeRole("arn:aws:iam::123456789012:role/x/Sm", sm));
  EXPECT_FALSE(authorizer_->ServiceCanAssumeRole("not-an-arn", sm));
}

}  // namespace
}  // namespace sagetrail::iam
