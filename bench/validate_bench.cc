// Generic validation of a full CreateTrainingJob request against the SageMaker model (every
// member checked: required, lengths, patterns, enums, ranges). Target: <= 20 us.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "aws/protocol/validator.h"
#include "fakes/test_support.h"

namespace sagetrail {
namespace {

constexpr char kCreateTrainingJob[] = R"json({
  "TrainingJobName": "kmeans-2026-11-22-10-00-00-123",
  "HyperParameters": {"k": "10", "feature_dim": "784", "mini_batch_size": "500",
                      "epochs": "5", "init_method": "kmeans++"},
  "AlgorithmSpecification": {
    "TrainingImage": "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1",
    "TrainingInputMode": "File",
    "MetricDefinitions": [{"Name": "test:msd", "Regex": "#quality_metric: host=\\S+, test msd <loss>=(\\S+)"}]
  },
  "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
  "InputDataConfig": [
    {"ChannelName": "train",
     "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                     "S3Uri": "s3://my-bucket/kmeans/train",
                                     "S3DataDistributionType": "ShardedByS3Key"}},
     "ContentType": "text/csv;label_size=0", "CompressionType": "None", "InputMode": "File"},
    {"ChannelName": "test",
     "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                     "S3Uri": "s3://my-bucket/kmeans/test",
                                     "S3DataDistributionType": "FullyReplicated"}},
     "ContentType": "text/csv;label_size=0"}
  ],
  "OutputDataConfig": {"S3OutputPath": "s3://my-bucket/kmeans/output"},
  "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
  "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
  "Tags": [{"Key": "project", "Value": "sagetrail"}, {"Key": "team", "Value": "ml"}],
  "EnableNetworkIsolation": false,
  "EnableInterContainerTrafficEncryption": false,
  "EnableManagedSpotTraining": false
})json";

void BM_ValidateCreateTrainingJob(benchmark::State& state) {
  const aws::ServiceModel& model = *testing::Models().Find("sagemaker");
  const aws::Operation* op = model.FindOperation("CreateTrainingJob");
  boost::json::value input = boost::json::parse(kCreateTrainingJob);
  aws::Validator validator(model);
  if (validator.Validate(op->input, input)) {
    state.SkipWithError("the sample request does not validate");
    return;
  }
  for (auto _ : state) {
    auto r = validator.Validate(op->input, input);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateCreateTrainingJob);

void BM_ParseAndValidateCreateTrainingJob(benchmark::State& state) {
  const aws::ServiceModel& model = *testing::Models().Find("sagemaker");
  const aws::Operation* op = model.FindOperation("CreateTrainingJob");
  aws::Validator validator(model);
  for (auto _ : state) {
    boost::json::value input = boost::json::parse(kCreateTrainingJob);
    auto r = validator.Validate(op->input, input);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndValidateCreateTrainingJob);

}  // namespace
}  // namespace sagetrail
