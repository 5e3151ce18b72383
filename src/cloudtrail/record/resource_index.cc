#include "cloudtrail/record/resource_index.h"

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"

namespace sagetrail::cloudtrail {
namespace {

struct Rule {
  std::string_view service;
  std::string_view member;      // input member holding the resource's name
  std::string_view type;        // CloudFormation-style type
  std::string_view arn_kind;    // ARN resource kind ("model"), empty if no ARN is derived
  std::string_view arn_member;  // output member holding the ARN, if any
};

constexpr Rule kRules[] = {
    {"sagemaker", "ModelName", "AWS::SageMaker::Model", "model", "ModelArn"},
    {"sagemaker", "EndpointConfigName", "AWS::SageMaker::EndpointConfig", "endpoint-config",
     "EndpointConfigArn"},
    {"sagemaker", "EndpointName", "AWS::SageMaker::Endpoint", "endpoint", "EndpointArn"},
    {"sagemaker", "TrainingJobName", "AWS::SageMaker::TrainingJob", "training-job",
     "TrainingJobArn"},
    {"sagemaker", "NotebookInstanceName", "AWS::SageMaker::NotebookInstance", "notebook-instance",
     "NotebookInstanceArn"},
    {"sagemaker", "NotebookInstanceLifecycleConfigName",
     "AWS::SageMaker::NotebookInstanceLifecycleConfig", "notebook-instance-lifecycle-config",
     "NotebookInstanceLifecycleConfigArn"},
    {"sagemaker", "HyperParameterTuningJobName", "AWS::SageMaker::HyperParameterTuningJob",
     "hyper-parameter-tuning-job", "HyperParameterTuningJobArn"},
    {"sagemaker", "ProcessingJobName", "AWS::SageMaker::ProcessingJob", "processing-job",
     "ProcessingJobArn"},
    {"sagemaker", "TransformJobName", "AWS::SageMaker::TransformJob", "transform-job",
     "TransformJobArn"},
    {"sagemaker-runtime", "EndpointName", "AWS::SageMaker::Endpoint", "endpoint", ""},
    {"cloudtrail", "Name", "AWS::CloudTrail::Trail", "", "TrailARN"},
    {"cloudtrail", "TrailName", "AWS::CloudTrail::Trail", "", ""},
    {"logs", "logGroupName", "AWS::Logs::LogGroup", "", ""},
    {"iam", "UserName", "AWS::IAM::User", "", ""},
    {"iam", "RoleName", "AWS::IAM::Role", "", ""},
    {"iam", "PolicyArn", "AWS::IAM::Policy", "", ""},
    {"s3", "Bucket", "AWS::S3::Bucket", "", ""},
    {"sns", "TopicArn", "AWS::SNS::Topic", "", ""},
};

struct ArnKind {
  std::string_view prefix;  // "arn:aws:sagemaker:" service part, then "<kind>/"
  std::string_view kind;
  std::string_view type;
};

constexpr ArnKind kArnKinds[] = {
    {"sagemaker", "model", "AWS::SageMaker::Model"},
    {"sagemaker", "endpoint-config", "AWS::SageMaker::EndpointConfig"},
    {"sagemaker", "endpoint", "AWS::SageMaker::Endpoint"},
    {"sagemaker", "training-job", "AWS::SageMaker::TrainingJob"},
    {"sagemaker", "notebook-instance-lifecycle-config",
     "AWS::SageMaker::NotebookInstanceLifecycleConfig"},
    {"sagemaker", "notebook-instance", "AWS::SageMaker::NotebookInstance"},
    {"sagemaker", "hyper-parameter-tuning-job", "AWS::SageMaker::HyperParameterTuningJob"},
    {"sagemaker", "processing-job", "AWS::SageMaker::ProcessingJob"},
    {"sagemaker", "transform-job", "AWS::SageMaker::TransformJob"},
    {"cloudtrail", "trail", "AWS::CloudTrail::Trail"},
};

}  // namespace

std::string ResourceTypeOfArn(std::string_view arn) {
  // arn:partition:service:region:account:resource
  auto parts = Split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn") return {};
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) pos = arn.find(':', pos) + 1;
  std::string_view resource = arn.substr(pos);
  for (const ArnKind& k : kArnKinds) {
    if (k.prefix != parts[2]) continue;
    if (resource.size() > k.kind.size() && resource.substr(0, k.kind.size()) == k.kind &&
        resource[k.kind.size()] == '/') {
      return std::string(k.type);
    }
  }
  return {};
}

std::vector<IndexedResource> ResourcesOf(std::string_view service, std::string_view account_id,
                                         std::string_view region, const boost::json::value& input,
                                         const boost::json::value& output) {
  std::vector<IndexedResource> out;
  for (const Rule& r : kRules) {
    if (r.service != service) continue;
    auto name = aws::StringField(input, r.member);
    if (!name) continue;
    IndexedResource res;
    res.type = std::string(r.type);
    res.name = std::string(*name);
    if (!r.arn_member.empty()) {
      if (auto arn = aws::StringField(output, r.arn_member)) res.arn = std::string(*arn);
    }
    if (res.arn.empty() && !r.arn_kind.empty()) {
      res.arn = "arn:aws:sagemaker:" + std::string(region) + ":" + std::string(account_id) + ":" +
                std::string(r.arn_kind) + "/" + AsciiLower(*name);
    }
    if (res.name.rfind("arn:", 0) == 0 && res.arn.empty()) res.arn = res.name;
    out.push_back(std::move(res));
  }
  // Tagging and other ARN-addressed calls.
  if (auto arn = aws::StringField(input, "ResourceArn")) {
    std::string type = ResourceTypeOfArn(*arn);
    if (!type.empty()) {
      std::string_view a = *arn;
      std::string name(a.substr(a.rfind('/') + 1));
      out.push_back({type, name, std::string(a)});
    }
  }
  return out;
}

}  // namespace sagetrail::cloudtrail
