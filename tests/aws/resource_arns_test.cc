// ResourcesOf (which resources a call names, per service) and ResourceTypeOfArn.
#include "aws/resource_arns.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sagetrail::aws {
namespace {

namespace json = boost::json;

constexpr char kAcct[] = "123456789012";
constexpr char kRegion[] = "eu-west-1";

std::vector<CallResource> Of(std::string_view service, std::string_view input,
                             std::string_view output = "null") {
  return ResourcesOf(service, kAcct, kRegion, json::parse(input), json::parse(output));
}

struct NameCase {
  const char* member;
  const char* type;
  const char* arn_kind;
  const char* arn_member;
};

TEST(ResourceIndexTest, EverySageMakerNameMember) {
  const NameCase cases[] = {
      {"ModelName", "AWS::SageMaker::Model", "model", "ModelArn"},
      {"EndpointConfigName", "AWS::SageMaker::EndpointConfig", "endpoint-config",
       "EndpointConfigArn"},
      {"EndpointName", "AWS::SageMaker::Endpoint", "endpoint", "EndpointArn"},
      {"TrainingJobName", "AWS::SageMaker::TrainingJob", "training-job", "TrainingJobArn"},
      {"NotebookInstanceName", "AWS::SageMaker::NotebookInstance", "notebook-instance",
       "NotebookInstanceArn"},
      {"NotebookInstanceLifecycleConfigName", "AWS::SageMaker::NotebookInstanceLifecycleConfig",
       "notebook-instance-lifecycle-config", "NotebookInstanceLifecycleConfigArn"},
      {"HyperParameterTuningJobName", "AWS::SageMaker::HyperParameterTuningJob",
       "hyper-parameter-tuning-job", "HyperParameterTuningJobArn"},
      {"ProcessingJobName", "AWS::SageMaker::ProcessingJob", "processing-job", "ProcessingJobArn"},
      {"TransformJobName", "AWS::SageMaker::TransformJob", "transform-job", "TransformJobArn"},
  };
  for (const NameCase& c : cases) {
    SCOPED_TRACE(c.member);
    json::object in{{c.member, "My-Thing"}};
    // Without output: the ARN is derived, with the name lower-cased.
    auto got = ResourcesOf("sagemaker", kAcct, kRegion, in, nullptr);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, c.type);
    EXPECT_EQ(got[0].name, "My-Thing");
    EXPECT_EQ(got[0].arn,
              std::string("arn:aws:sagemaker:eu-west-1:123456789012:") + c.arn_kind + "/my-thing");
    EXPECT_EQ(ResourceTypeOfArn(got[0].arn), c.type);
    // With the ARN in the output, that one is used.
    json::object out{{c.arn_member, "arn:aws:sagemaker:eu-west-1:123456789012:x/from-output"}};
    got = ResourcesOf("sagemaker", kAcct, kRegion, in, out);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].arn, "arn:aws:sagemaker:eu-west-1:123456789012:x/from-output");
    // The member means nothing to another service.
    EXPECT_TRUE(ResourcesOf("sts", kAcct, kRegion, in, nullptr).empty());
  }
}

TEST(ResourceIndexTest, SeveralNamesInOneCall) {
  auto got = Of("sagemaker", R"({"EndpointName":"ep","EndpointConfigName":"cfg","Tags":[]})",
                R"({"EndpointArn":"arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ep"})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, "AWS::SageMaker::EndpointConfig");
  EXPECT_EQ(got[0].name, "cfg");
  EXPECT_EQ(got[0].arn, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/cfg");
  EXPECT_EQ(got[1].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(got[1].arn, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ep");
}

TEST(ResourceIndexTest, NamesThatAreNotStringsAreIgnored) {
  EXPECT_TRUE(Of("sagemaker", R"({"ModelName":42})").empty());
  EXPECT_TRUE(Of("sagemaker", R"({"ModelName":null})").empty());
  EXPECT_TRUE(Of("sagemaker", R"({})").empty());
  EXPECT_TRUE(Of("sagemaker", R"([])").empty());
  EXPECT_TRUE(Of("sagemaker", R"(null)").empty());
}

TEST(ResourceIndexTest, RuntimeEndpoint) {
  auto got = Of("sagemaker-runtime", R"({"EndpointName":"Prod-EP","Body":"eA=="})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(got[0].name, "Prod-EP");
  EXPECT_EQ(got[0].arn, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/prod-ep");
}

TEST(ResourceIndexTest, OtherServices) {
  auto trail = Of("cloudtrail", R"({"Name":"main"})",
                  R"({"TrailARN":"arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"})");
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].type, "AWS::CloudTrail::Trail");
  EXPECT_EQ(trail[0].name, "main");
  EXPECT_EQ(trail[0].arn, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main");
  // A trail named by ARN keeps the ARN as both.
  auto by_arn = Of("cloudtrail", R"({"TrailName":"arn:aws:cloudtrail:eu-west-1:1:trail/t"})");
  ASSERT_EQ(by_arn.size(), 1u);
  EXPECT_EQ(by_arn[0].name, "arn:aws:cloudtrail:eu-west-1:1:trail/t");
  EXPECT_EQ(by_arn[0].arn, "arn:aws:cloudtrail:eu-west-1:1:trail/t");
  // IAM names are turned into their (global) ARNs.
  auto user = Of("iam", R"({"UserName":"bob"})");
  ASSERT_EQ(user.size(), 1u);
  EXPECT_EQ(user[0].type, "AWS::IAM::User");
  EXPECT_EQ(user[0].arn, "arn:aws:iam::123456789012:user/bob");
  auto bucket = Of("s3", R"({"Bucket":"my-bucket","Key":"k"})");
  ASSERT_EQ(bucket.size(), 1u);
  EXPECT_EQ(bucket[0].type, "AWS::S3::Bucket");
  auto topic = Of("sns", R"({"TopicArn":"arn:aws:sns:eu-west-1:123456789012:t"})");
  ASSERT_EQ(topic.size(), 1u);
  EXPECT_EQ(topic[0].type, "AWS::SNS::Topic");
  EXPECT_EQ(topic[0].arn, "arn:aws:sns:eu-west-1:123456789012:t");
  auto group = Of("logs", R"({"logGroupName":"/aws/sagemaker/TrainingJobs"})");
  ASSERT_EQ(group.size(), 1u);
  EXPECT_EQ(group[0].type, "AWS::Logs::LogGroup");
  EXPECT_TRUE(Of("unknown-service", R"({"ModelName":"m"})").empty());
}

TEST(ResourceIndexTest, TaggingCallsNameTheirResourceByArn) {
  auto got = Of("sagemaker",
                R"({"ResourceArn":"arn:aws:sagemaker:eu-west-1:123456789012:endpoint/prod",
                    "Tags":[{"Key":"k","Value":"v"}]})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(got[0].name, "prod");
  EXPECT_EQ(got[0].arn, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/prod");
  got = Of("sagemaker",
           R"({"ResourceArn":"arn:aws:sagemaker:eu-west-1:123456789012:training-job/tj-1"})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "AWS::SageMaker::TrainingJob");
  // An ARN of a kind we do not know is not indexed.
  EXPECT_TRUE(
      Of("sagemaker", R"({"ResourceArn":"arn:aws:sagemaker:eu-west-1:1:workteam/w"})").empty());
  EXPECT_TRUE(Of("sagemaker", R"({"ResourceArn":"not-an-arn"})").empty());
}

TEST(ResourceIndexTest, ResourceTypeOfArn) {
  const std::pair<const char*, const char*> cases[] = {
      {"arn:aws:sagemaker:us-east-1:1:model/m", "AWS::SageMaker::Model"},
      {"arn:aws:sagemaker:us-east-1:1:endpoint-config/c", "AWS::SageMaker::EndpointConfig"},
      {"arn:aws:sagemaker:us-east-1:1:endpoint/e", "AWS::SageMaker::Endpoint"},
      {"arn:aws:sagemaker:us-east-1:1:training-job/t", "AWS::SageMaker::TrainingJob"},
      {"arn:aws:sagemaker:us-east-1:1:notebook-instance/n", "AWS::SageMaker::NotebookInstance"},
      {"arn:aws:sagemaker:us-east-1:1:notebook-instance-lifecycle-config/l",
       "AWS::SageMaker::NotebookInstanceLifecycleConfig"},
      {"arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job/h",
       "AWS::SageMaker::HyperParameterTuningJob"},
      {"arn:aws:sagemaker:us-east-1:1:processing-job/p", "AWS::SageMaker::ProcessingJob"},
      {"arn:aws:sagemaker:us-east-1:1:transform-job/t", "AWS::SageMaker::TransformJob"},
      {"arn:aws:cloudtrail:us-east-1:1:trail/t", "AWS::CloudTrail::Trail"},
      {"arn:aws-cn:sagemaker:cn-north-1:1:model/m", "AWS::SageMaker::Model"},
      // Not recognised.
      {"arn:aws:sagemaker:us-east-1:1:model", ""},
      {"arn:aws:sagemaker:us-east-1:1:models/m", ""},
      {"arn:aws:sagemaker:us-east-1:1:endpointx/e", ""},
      {"arn:aws:s3:::bucket/key", ""},
      {"arn:aws:iam::1:model/m", ""},
      {"arn:aws:sagemaker:us-east-1", ""},
      {"urn:aws:sagemaker:us-east-1:1:model/m", ""},
      {"", ""},
  };
  for (const auto& [arn, type] : cases) EXPECT_EQ(ResourceTypeOfArn(arn), type) << arn;
}

}  // namespace
}  // namespace sagetrail::aws
