// IamService and StsService over a real IdentityStore: their traits, the resources they resolve
// (the stored entity, whatever the spelling), and trust policies that keep principals' ids.
#include "iam/iam_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "fakes/memory_state.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "iam/iam_authorizer.h"
#include "iam/sts_service.h"

namespace sagetrail::iam {
namespace {

namespace json = boost::json;
using sagetrail::testing::Models;

constexpr char kAcct[] = "123456789012";

class IamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = IdentityStore::Open(state_, state_, random_, clock_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateAccount(kAcct, "").ok());
    auto root = store_->CreateAccessKey(kAcct, "");
    ASSERT_TRUE(root.ok());
    root_ = store_->Find(root->access_key_id, "");
    authorizer_ = std::make_unique<IamAuthorizer>(*store_, clock_);
    iam_ = std::make_unique<IamService>(*store_);
    sts_ = std::make_unique<StsService>(*store_, *authorizer_, clock_, random_);
  }

  aws::RequestContext Ctx(const std::string& service, const std::string& op,
                          const json::value& input,
                          std::shared_ptr<const aws::Credential> who = nullptr) {
    aws::RequestContext ctx;
    ctx.service = Models().Find(service);
    ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.credential = who ? who : root_;
    ctx.identity = ctx.credential->identity;
    ctx.account_id = kAcct;
    ctx.region = "eu-west-1";
    ctx.input = input;
    return ctx;
  }
  // Runs an IAM call as the pipeline would (its saves included); the output or the error.
  Result<json::value, aws::AwsError> Iam(const std::string& op, const json::value& input) {
    auto ctx = Ctx("iam", op, input);
    ctx.resources = iam_->ResolveResources(ctx);
    auto result = iam_->Invoke(ctx);
    for (auto& action : ctx.after_audit) EXPECT_TRUE(action().ok());
    return result;
  }

  testing::TempDir dir_;
  testing::MemoryState state_;
  testing::FakeClock clock_;
  SeededRandom random_{11};
  std::unique_ptr<IdentityStore> store_;
  std::shared_ptr<const aws::Credential> root_;
  std::unique_ptr<IamAuthorizer> authorizer_;
  std::unique_ptr<IamService> iam_;
  std::unique_ptr<StsService> sts_;
};

TEST_F(IamServiceTest, Traits) {
  EXPECT_EQ(iam_->RecordRegion("eu-west-1"), "us-east-1");
  EXPECT_TRUE(iam_->IsReadOnly("GetUser"));
  EXPECT_FALSE(iam_->IsReadOnly("CreateUser"));
  EXPECT_FALSE(iam_->IsDataEvent("CreateUser"));
  // STS: every call read-only; credential-issuing ones keep their response.
  for (const char* op : {"AssumeRole", "GetSessionToken", "GetFederationToken"}) {
    EXPECT_TRUE(sts_->IsReadOnly(op)) << op;
    EXPECT_TRUE(sts_->LogsResponse(op)) << op;
  }
  EXPECT_FALSE(sts_->LogsResponse("GetCallerIdentity"));
  EXPECT_TRUE(sts_->ListsResources("AssumeRole"));
  EXPECT_FALSE(sts_->ListsResources("GetSessionToken"));
  EXPECT_EQ(sts_->RecordRegion("eu-west-1"), "eu-west-1");
}

TEST_F(IamServiceTest, StsDispatchesThroughItsTable) {
  for (const char* op :
       {"GetCallerIdentity", "AssumeRole", "GetFederationToken", "GetSessionToken"}) {
    EXPECT_TRUE(sts_->Implements(op)) << op;
  }
  for (const char* op : {"AssumeRoleWithSAML", "GetAccessKeyInfo", "DecodeAuthorizationMessage"}) {
    EXPECT_FALSE(sts_->Implements(op)) << op;
  }
  auto who = Ctx("sts", "GetCallerIdentity", json::object());
  auto out = sts_->Invoke(who);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*aws::StringField(*out, "Account"), kAcct);
  EXPECT_EQ(*aws::StringField(*out, "Arn"), "arn:aws:iam::123456789012:root");
  auto other = Ctx("sts", "GetAccessKeyInfo", json::parse(R"({"AccessKeyId":"AKIAEXAMPLE"})"));
  auto refused = sts_->Invoke(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "NotImplemented");
  EXPECT_EQ(refused.error().message,
            "sagetrail does not implement STS operation GetAccessKeyInfo yet");
}

TEST_F(IamServiceTest, NamesResolveToTheStoredEntity) {
  ASSERT_TRUE(Iam("CreateUser", json::parse(R"({"UserName":"Alice","Path":"/div/"})")).ok());
  ASSERT_TRUE(Iam("CreateRole", json::parse(R"({"RoleName":"Runner","Path":"/ml/",
      "AssumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"sagemaker.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"})"))
                  .ok());
  auto ctx = Ctx("iam", "AttachUserPolicy",
                 json::parse(R"({"UserName":"ALICE","PolicyArn":"arn:aws:iam::aws:policy/x"})"));
  auto got = iam_->ResolveResources(ctx);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, "AWS::IAM::User");
  EXPECT_EQ(got[0].name, "Alice");
  EXPECT_EQ(got[0].arn, "arn:aws:iam::123456789012:user/div/Alice");
  EXPECT_EQ(got[1].type, "AWS::IAM::Policy");
  ctx.resources = got;
  EXPECT_EQ(iam_->AccessFor(ctx).resource, "arn:aws:iam::123456789012:user/div/Alice");
  // Not stored (yet): named as IAM would name it, under the call's path.
  auto create = Ctx("iam", "CreateUser", json::parse(R"({"UserName":"Bob","Path":"/x/"})"));
  got = iam_->ResolveResources(create);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].arn, "arn:aws:iam::123456789012:user/x/Bob");
  // Roles too; STS resolves a role ARN spelled in another case to the stored role.
  got = iam_->ResolveResources(Ctx("iam", "GetRole", json::parse(R"({"RoleName":"runner"})")));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].arn, "arn:aws:iam::123456789012:role/ml/Runner");
  got = sts_->ResolveResources(
      Ctx("sts", "AssumeRole",
          json::parse(
              R"({"RoleArn":"arn:aws:iam::123456789012:role/ml/RUNNER","RoleSessionName":"s"})")));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].arn, "arn:aws:iam::123456789012:role/ml/Runner");
}

// Operations about "the calling user" default to the caller only when the caller is a user. A
// role's or federated user's session (or a service) that names no user is refused before and in
// the handler, and never reaches the root user's keys, whose user name is empty.
TEST_F(IamServiceTest, NonUserCallersMustNameTheUser) {
  const size_t root_keys = store_->ListAccessKeys(kAcct, "").size();
  ASSERT_EQ(root_keys, 1u);
  for (aws::IdentityType type : {aws::IdentityType::kAssumedRole, aws::IdentityType::kFederatedUser,
                                 aws::IdentityType::kAWSService}) {
    auto who = std::make_shared<aws::Credential>();
    who->access_key_id = "ASIAEXAMPLE000000001";
    who->identity.type = type;
    who->identity.account_id = kAcct;
    for (const char* op :
         {"GetUser", "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey"}) {
      json::value input = json::object();
      if (std::string(op) == "UpdateAccessKey" || std::string(op) == "DeleteAccessKey") {
        input = json::object{{"AccessKeyId", root_->access_key_id}, {"Status", "Inactive"}};
      }
      auto ctx = Ctx("iam", op, input, who);
      auto refused = iam_->CheckInput(ctx);
      ASSERT_TRUE(refused.has_value()) << op;
      EXPECT_EQ(refused->code, "ValidationError") << op;
      EXPECT_EQ(refused->message, "Must specify userName when calling with non-User credentials");
      EXPECT_EQ(refused->http_status, 400);
      auto handled = iam_->Invoke(ctx);
      ASSERT_FALSE(handled.ok()) << op;
      EXPECT_EQ(handled.error().code, "ValidationError") << op;
      EXPECT_TRUE(iam_->ResolveResources(ctx).empty()) << op;
      // Naming a user is fine.
      auto named = Ctx("iam", op, json::object{{"UserName", "someone"}}, who);
      EXPECT_FALSE(iam_->CheckInput(named).has_value()) << op;
    }
  }
  // The root user's keys are untouched and still active.
  auto keys = store_->ListAccessKeys(kAcct, "");
  ASSERT_EQ(keys.size(), root_keys);
  EXPECT_TRUE(keys[0].active);
  // Users (root, an IAM user) act on themselves.
  EXPECT_FALSE(iam_->CheckInput(Ctx("iam", "ListAccessKeys", json::object())).has_value());
  ASSERT_TRUE(Iam("CreateUser", json::parse(R"({"UserName":"carol"})")).ok());
  auto carol = std::make_shared<aws::Credential>();
  carol->identity.type = aws::IdentityType::kIAMUser;
  carol->identity.user_name = "carol";
  carol->identity.account_id = kAcct;
  auto own = Ctx("iam", "CreateAccessKey", json::object(), carol);
  EXPECT_FALSE(iam_->CheckInput(own).has_value());
  auto made = iam_->Invoke(own);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(*aws::StringField(made->at("AccessKey"), "UserName"), "carol");
}

// IAM keeps the unique id of each principal a trust policy names; once that user is deleted the
// policy shows the id in place of the ARN, and a user created again under the name is another.
TEST_F(IamServiceTest, TrustPoliciesKeepPrincipalIds) {
  auto alice = Iam("CreateUser", json::parse(R"({"UserName":"alice"})"));
  ASSERT_TRUE(alice.ok());
  std::string alice_id(*aws::StringField(*aws::Field(*alice, "User"), "UserId"));
  std::string trust =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]})";
  ASSERT_TRUE(Iam("CreateRole", json::value(json::object{{"RoleName", "Gate"},
                                                         {"AssumeRolePolicyDocument", trust}}))
                  .ok());
  auto shown = [&] {
    auto role = Iam("GetRole", json::parse(R"({"RoleName":"Gate"})"));
    EXPECT_TRUE(role.ok());
    return UriDecode(*aws::StringField(*aws::Field(*role, "Role"), "AssumeRolePolicyDocument"),
                     false);
  };
  EXPECT_EQ(shown(), trust);  // as given while alice exists
  ASSERT_TRUE(Iam("DeleteUser", json::parse(R"({"UserName":"alice"})")).ok());
  auto after = json::parse(shown());
  EXPECT_EQ(after.at("Statement").at(0).at("Principal").at("AWS").as_string(), alice_id);
  ASSERT_TRUE(Iam("CreateUser", json::parse(R"({"UserName":"alice"})")).ok());
  after = json::parse(shown());
  EXPECT_EQ(after.at("Statement").at(0).at("Principal").at("AWS").as_string(), alice_id);
  // A trust policy naming a principal that does not exist is refused.
  auto refused =
      Iam("CreateRole",
          json::value(json::object{{"RoleName", "Gate2"},
                                   {"AssumeRolePolicyDocument",
                                    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::123456789012:user/nobody"},"Action":"sts:AssumeRole"}]})"}}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "MalformedPolicyDocument");
}

// A refused IAM write takes its place in the commit order where a successful one does: in the
// store, under its write lock. So its record comes before a change it did not see, even when the
// pipeline records it only after that change was made (a DeleteUser refused because of a key
// is not logged after the DeleteAccessKey that removed the key).
TEST_F(IamServiceTest, RefusedWritesAreOrderedBeforeChangesTheyDidNotSee) {
  ASSERT_TRUE(Iam("CreateUser", json::parse(R"({"UserName":"bob"})")).ok());
  auto key = Iam("CreateAccessKey", json::parse(R"({"UserName":"bob"})"));
  ASSERT_TRUE(key.ok());
  std::string key_id(*aws::StringField(*aws::Field(*key, "AccessKey"), "AccessKeyId"));

  auto refused = Ctx("iam", "DeleteUser", json::parse(R"({"UserName":"bob"})"));
  refused.audit = &state_;
  auto answer = iam_->Invoke(refused);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "DeleteConflict");
  EXPECT_TRUE(refused.ticket.valid());  // taken by the store, not left to the pipeline
  EXPECT_TRUE(refused.mutations.empty());

  auto removal = Ctx("iam", "DeleteAccessKey",
                     json::value(json::object{{"UserName", "bob"}, {"AccessKeyId", key_id}}));
  removal.audit = &state_;
  ASSERT_TRUE(iam_->Invoke(removal).ok());
  // The pipeline's step, after both calls ran: it takes a place only for calls that have none.
  removal.TakeTicket();
  refused.TakeTicket();
  EXPECT_LT(refused.ticket.position(), removal.ticket.position());
}

// The same for a trust policy refused because a principal it names does not exist: the check
// runs under the store's write lock, and the refusal comes before the user's creation.
TEST_F(IamServiceTest, RefusedTrustPolicyIsOrderedBeforeThePrincipalsCreation) {
  auto refused =
      Ctx("iam", "CreateRole",
          json::value(json::object{{"RoleName", "Gate"},
                                   {"AssumeRolePolicyDocument",
                                    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::123456789012:user/carol"},"Action":"sts:AssumeRole"}]})"}}));
  refused.audit = &state_;
  auto answer = iam_->Invoke(refused);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "MalformedPolicyDocument");
  EXPECT_EQ(answer.error().message,
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:user/carol\"");
  EXPECT_TRUE(refused.ticket.valid());

  auto create = Ctx("iam", "CreateUser", json::parse(R"({"UserName":"carol"})"));
  create.audit = &state_;
  ASSERT_TRUE(iam_->Invoke(create).ok());
  refused.TakeTicket();
  EXPECT_LT(refused.ticket.position(), create.ticket.position());
}

}  // namespace
}  // namespace sagetrail::iam
