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

}  // namespace
}  // namespace sagetrail::sagemaker::testing
