#include "sagemaker/resource.h"

#include <boost/json.hpp>

#include "aws/resource_arns.h"
#include "common/strings.h"

namespace sagetrail::sagemaker {

std::string MakeArn(const std::string& region, const std::string& account_id,
                    const std::string& kind, const std::string& name) {
  return "arn:aws:sagemaker:" + region + ":" + account_id + ":" + kind + "/" + AsciiLower(name);
}

std::optional<ArnRef> ParseResourceArn(std::string_view arn, std::string_view region,
                                       std::string_view account_id) {
  auto parts = aws::ParseArn(arn);
  if (!parts || parts->partition != "aws" || parts->service != "sagemaker" ||
      parts->region != region || parts->account != account_id) {
    return std::nullopt;
  }
  std::string_view rest = parts->resource;
  size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size()) {
    return std::nullopt;
  }
  return ArnRef{std::string(rest.substr(0, slash)), AsciiLower(rest.substr(slash + 1))};
}

namespace {

constexpr ResourceKind kKinds[] = {
    {"model", "ModelName", "AWS::SageMaker::Model"},
    {"endpoint-config", "EndpointConfigName", "AWS::SageMaker::EndpointConfig"},
    {"endpoint", "EndpointName", "AWS::SageMaker::Endpoint"},
    {"training-job", "TrainingJobName", "AWS::SageMaker::TrainingJob"},
    {"notebook-instance", "NotebookInstanceName", "AWS::SageMaker::NotebookInstance"},
    {"notebook-instance-lifecycle-config", "NotebookInstanceLifecycleConfigName",
     "AWS::SageMaker::NotebookInstanceLifecycleConfig"},
    {"hyper-parameter-tuning-job", "HyperParameterTuningJobName",
     "AWS::SageMaker::HyperParameterTuningJob"},
    {"processing-job", "ProcessingJobName", "AWS::SageMaker::ProcessingJob"},
    {"transform-job", "TransformJobName", "AWS::SageMaker::TransformJob"},
};

}  // namespace

std::span<const ResourceKind> ResourceKinds() { return kKinds; }

const ResourceKind* FindResourceKind(std::string_view kind) {
  for (const ResourceKind& k : kKinds) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

std::optional<TimePoint> NextTransition(const Resource& r) {
  auto it = r.meta.find("next_at");
  if (it == r.meta.end() || !it->value().is_int64()) return std::nullopt;
  return FromUnixMillis(it->value().get_int64());
}

int64_t TransitionGeneration(const Resource& r) {
  auto it = r.meta.find("gen");
  return it != r.meta.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

}  // namespace sagetrail::sagemaker
