// SageMaker's own calls (a tuning job's CreateTrainingJob/StopTrainingJob) go through the
// pipeline's internal entry as sagemaker.amazonaws.com, recorded as AwsServiceEvent records.
#include <gtest/gtest.h>

#include "sagemaker_service_test.h"

namespace sagetrail::sagemaker::testing {
namespace {

namespace json = boost::json;

class CapturingInvoker final : public aws::InternalInvoker {
 public:
  void Invoke(aws::InternalCall call, std::function<void(aws::InternalResult)> done) override {
    calls.push_back(std::move(call));
    done({"req-1", std::nullopt, json::value{{"TrainingJobArn", "arn"}}});
  }
  std::vector<aws::InternalCall> calls;
};

class ServiceCallsTest : public SageMakerServiceTest {};

TEST_F(ServiceCallsTest, CallsAreMadeAsSageMakerAndRecordedAsServiceEvents) {
  CapturingInvoker invoker;
  service_->SetInternalInvoker(&invoker);
  std::optional<aws::InternalResult> result;
  service_->CallAsService(kAcct, "eu-west-1", "CreateTrainingJob",
                          json::parse(R"({"TrainingJobName":"t-001"})"),
                          json::parse(R"({"hyperParameterTuningJobArn":"arn:tuning"})"),
                          [&](aws::InternalResult r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->output.at("TrainingJobArn").as_string(), "arn");
  ASSERT_EQ(invoker.calls.size(), 1u);
  const aws::InternalCall& c = invoker.calls[0];
  EXPECT_EQ(c.service, "sagemaker");
  EXPECT_EQ(c.operation, "CreateTrainingJob");
  EXPECT_EQ(c.account_id, kAcct);
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.caller.type, aws::IdentityType::kAWSService);
  EXPECT_EQ(c.caller.invoked_by, "sagemaker.amazonaws.com");
  EXPECT_TRUE(c.service_event);
  EXPECT_EQ(c.service_event_details.at("hyperParameterTuningJobArn").as_string(), "arn:tuning");
  EXPECT_EQ(c.input.at("TrainingJobName").as_string(), "t-001");
}

TEST_F(ServiceCallsTest, WithoutAnInvokerTheCallFailsAsAValue) {
  std::optional<aws::InternalResult> result;
  service_->CallAsService(kAcct, kRegion, "StopTrainingJob", json::object(), json::object(),
                          [&](aws::InternalResult r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->error.has_value());
  EXPECT_EQ(result->error->code, "InternalFailure");
}

// IAM's answer to whether SageMaker may assume a role: no to every role.
class TrustsNoRole final : public aws::Authorizer {
 public:
  std::optional<std::string> Authorize(const aws::RequestContext&) const override {
    return std::nullopt;
  }
  bool ServiceCanAssumeRole(std::string_view, std::string_view) const override { return false; }
};

// A call takes its place in the commit order under the backend's lock whatever its outcome: a
// success, a handler's refusal, and the refusal of a role SageMaker may not assume alike. So a
// refusal comes before any change it did not see, even if the pipeline records it later.
TEST_F(ServiceCallsTest, EveryOutcomeTakesItsPlaceUnderTheBackendLock) {
  TrustsNoRole authorizer;
  service_->SetAuthorizer(&authorizer);
  auto invoke = [&](const std::string& op, const char* input) {
    auto ctx = std::make_unique<aws::RequestContext>();
    ctx->service = sagetrail::testing::Models().Find("sagemaker");
    ctx->operation = ctx->service->FindOperation(op);
    ctx->authenticated = true;
    ctx->account_id = kAcct;
    ctx->region = kRegion;
    ctx->identity.account_id = kAcct;
    ctx->input = json::parse(input);
    ctx->audit = &state_;
    auto result = service_->Invoke(*ctx);
    return std::make_pair(std::move(ctx), result.ok() ? std::string() : result.error().message);
  };
  auto [refused_role, role_error] = invoke(
      "CreateModel", R"({"ModelName":"m","ExecutionRoleArn":"arn:aws:iam::123456789012:role/R"})");
  EXPECT_EQ(role_error.rfind("Could not assume role arn:aws:iam::123456789012:role/R.", 0), 0u)
      << role_error;
  EXPECT_TRUE(refused_role->ticket.valid());
  EXPECT_TRUE(refused_role->mutations.empty());

  auto [missing, missing_error] = invoke("DescribeNotebookInstanceLifecycleConfig",
                                         R"({"NotebookInstanceLifecycleConfigName":"c"})");
  EXPECT_FALSE(missing_error.empty());
  EXPECT_TRUE(missing->ticket.valid());

  auto [created, created_error] = invoke("CreateNotebookInstanceLifecycleConfig",
                                         R"({"NotebookInstanceLifecycleConfigName":"c"})");
  EXPECT_TRUE(created_error.empty()) << created_error;
  ASSERT_TRUE(created->ticket.valid());
  // The pipeline's step comes later; it keeps the places taken here.
  missing->TakeTicket();
  refused_role->TakeTicket();
  EXPECT_LT(refused_role->ticket.position(), missing->ticket.position());
  EXPECT_LT(missing->ticket.position(), created->ticket.position());
}

}  // namespace
}  // namespace sagetrail::sagemaker::testing
