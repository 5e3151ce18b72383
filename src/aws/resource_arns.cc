#include "aws/resource_arns.h"

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"

namespace sagetrail::aws {
namespace {

// One input member that names a resource. `arn` is a template: {region}, {account}, {name},
// {lname} (the name lower-cased, as SageMaker ARNs have it); empty when the member is an ARN
// itself or none can be derived. `arn_member` is an output member holding the real ARN.
struct Rule {
  std::string_view service;
  std::string_view member;
  std::string_view type;
  std::string_view arn;
  std::string_view arn_member;
};

constexpr Rule kRules[] = {
    {"sagemaker", "ModelName", "AWS::SageMaker::Model",
     "arn:aws:sagemaker:{region}:{account}:model/{lname}", "ModelArn"},
    {"sagemaker", "EndpointConfigName", "AWS::SageMaker::EndpointConfig",
     "arn:aws:sagemaker:{region}:{account}:endpoint-config/{lname}", "EndpointConfigArn"},
    {"sagemaker", "EndpointName", "AWS::SageMaker::Endpoint",
     "arn:aws:sagemaker:{region}:{account}:endpoint/{lname}", "EndpointArn"},
    {"sagemaker", "TrainingJobName", "AWS::SageMaker::TrainingJob",
     "arn:aws:sagemaker:{region}:{account}:training-job/{lname}", "TrainingJobArn"},
    {"sagemaker", "NotebookInstanceName", "AWS::SageMaker::NotebookInstance",
     "arn:aws:sagemaker:{region}:{account}:notebook-instance/{lname}", "NotebookInstanceArn"},
    {"sagemaker", "NotebookInstanceLifecycleConfigName",
     "AWS::SageMaker::NotebookInstanceLifecycleConfig",
     "arn:aws:sagemaker:{region}:{account}:notebook-instance-lifecycle-config/{lname}",
     "NotebookInstanceLifecycleConfigArn"},
    {"sagemaker", "HyperParameterTuningJobName", "AWS::SageMaker::HyperParameterTuningJob",
     "arn:aws:sagemaker:{region}:{account}:hyper-parameter-tuning-job/{lname}",
     "HyperParameterTuningJobArn"},
    {"sagemaker", "ProcessingJobName", "AWS::SageMaker::ProcessingJob",
     "arn:aws:sagemaker:{region}:{account}:processing-job/{lname}", "ProcessingJobArn"},
    {"sagemaker", "TransformJobName", "AWS::SageMaker::TransformJob",
     "arn:aws:sagemaker:{region}:{account}:transform-job/{lname}", "TransformJobArn"},
    {"sagemaker-runtime", "EndpointName", "AWS::SageMaker::Endpoint",
     "arn:aws:sagemaker:{region}:{account}:endpoint/{lname}", ""},
    {"cloudtrail", "Name", "AWS::CloudTrail::Trail",
     "arn:aws:cloudtrail:{region}:{account}:trail/{name}", "TrailARN"},
    {"cloudtrail", "TrailName", "AWS::CloudTrail::Trail",
     "arn:aws:cloudtrail:{region}:{account}:trail/{name}", ""},
    {"logs", "logGroupName", "AWS::Logs::LogGroup",
     "arn:aws:logs:{region}:{account}:log-group:{name}", ""},
    {"iam", "UserName", "AWS::IAM::User", "arn:aws:iam::{account}:user/{name}", ""},
    {"iam", "RoleName", "AWS::IAM::Role", "arn:aws:iam::{account}:role/{name}", ""},
    {"iam", "PolicyArn", "AWS::IAM::Policy", "", ""},
    {"sts", "RoleArn", "AWS::IAM::Role", "", ""},
    {"s3", "Bucket", "AWS::S3::Bucket", "arn:aws:s3:::{name}", ""},
    {"sns", "TopicArn", "AWS::SNS::Topic", "", ""},
};

struct ArnKind {
  std::string_view service;
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

std::string Expand(std::string_view tpl, std::string_view region, std::string_view account,
                   std::string_view name) {
  std::string out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] != '{') {
      out.push_back(tpl[i]);
      continue;
    }
    size_t close = tpl.find('}', i);
    std::string_view var = tpl.substr(i + 1, close - i - 1);
    if (var == "region") out.append(region);
    if (var == "account") out.append(account);
    if (var == "name") out.append(name);
    if (var == "lname") out += AsciiLower(name);
    i = close;
  }
  return out;
}

}  // namespace

std::string ResourceTypeOfArn(std::string_view arn) {
  // arn:partition:service:region:account:resource
  auto parts = Split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn") return {};
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) pos = arn.find(':', pos) + 1;
  std::string_view resource = arn.substr(pos);
  for (const ArnKind& k : kArnKinds) {
    if (k.service != parts[2]) continue;
    if (resource.size() > k.kind.size() && resource.substr(0, k.kind.size()) == k.kind &&
        resource[k.kind.size()] == '/') {
      return std::string(k.type);
    }
  }
  return {};
}

std::vector<CallResource> ResourcesOf(std::string_view service, std::string_view account_id,
                                      std::string_view region, const boost::json::value& input,
                                      const boost::json::value& output) {
  std::vector<CallResource> out;
  for (const Rule& r : kRules) {
    if (r.service != service) continue;
    auto name = StringField(input, r.member);
    if (!name) continue;
    CallResource res;
    res.type = std::string(r.type);
    res.name = std::string(*name);
    if (!r.arn_member.empty()) {
      if (auto arn = StringField(output, r.arn_member)) res.arn = std::string(*arn);
    }
    // A name member may already hold an ARN (CloudTrail takes a trail's name or ARN).
    if (res.arn.empty() && res.name.rfind("arn:", 0) == 0) res.arn = res.name;
    if (res.arn.empty() && !r.arn.empty()) res.arn = Expand(r.arn, region, account_id, *name);
    out.push_back(std::move(res));
  }
  // Tagging and other ARN-addressed calls.
  if (auto arn = StringField(input, "ResourceArn")) {
    std::string type = ResourceTypeOfArn(*arn);
    if (!type.empty()) {
      std::string_view a = *arn;
      out.push_back({type, std::string(a.substr(a.rfind('/') + 1)), std::string(a)});
    }
  }
  // AssumeRole: Event history also finds the call by the new session and its key.
  if (service == "sts") {
    if (const boost::json::value* user = Field(output, "AssumedRoleUser")) {
      auto id = StringField(*user, "AssumedRoleId");
      auto arn = StringField(*user, "Arn");
      if (auto session = StringField(input, "RoleSessionName")) {
        out.push_back({"AWS::STS::AssumedRole", std::string(*session), ""});
      }
      if (id) out.push_back({"AWS::STS::AssumedRole", std::string(*id), ""});
      if (arn) out.push_back({"AWS::STS::AssumedRole", std::string(*arn), ""});
    }
    if (const boost::json::value* creds = Field(output, "Credentials")) {
      if (auto key = StringField(*creds, "AccessKeyId")) {
        out.push_back({"AWS::IAM::AccessKey", std::string(*key), ""});
      }
    }
  }
  return out;
}

}  // namespace sagetrail::aws
