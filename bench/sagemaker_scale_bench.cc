// How SageMaker calls scale with the number of stored resources: DescribeEndpoint should stay
// flat, ListTrainingJobs should cost what its page costs (1,000 to 100,000 resources).
// Calls go straight to SageMakerService::Invoke with parsed input (no HTTP, no SigV4).
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <filesystem>

#include "aws/protocol/generic_value.h"
#include "fakes/manual_scheduler.h"
#include "fakes/memory_state.h"
#include "fakes/test_support.h"
#include "sagemaker/sagemaker_service.h"

namespace sagetrail {
namespace {

namespace json = boost::json;
constexpr char kAcct[] = "123456789012";
constexpr char kRegion[] = "us-east-1";

struct Fixture {
  testing::FakeClock clock;
  testing::ManualScheduler scheduler{clock};
  testing::MemoryState state;
  std::unique_ptr<sagemaker::SageMakerService> service;

  explicit Fixture(int n) {
    service =
        std::move(sagemaker::SageMakerService::Create(state, state, clock, scheduler)).value();
    // Stored resources, put straight into the tables (as a restart would load them).
    sagemaker::SageMakerBackend& b = service->Backend(kAcct, kRegion);
    std::lock_guard<std::mutex> l(b.mutex());
    for (int i = 0; i < n; ++i) {
      for (const char* kind : {"endpoint", "training-job"}) {
        sagemaker::Resource r;
        r.kind = kind;
        r.name = std::string(kind) + "-" + std::to_string(i);
        r.name_key = r.name;
        r.arn = sagemaker::MakeArn(kRegion, kAcct, kind, r.name);
        r.created = FromUnixSeconds(1763805600 + i);
        bool endpoint = r.kind == "endpoint";
        r.status = endpoint ? "InService" : "Completed";
        r.body[endpoint ? "EndpointName" : "TrainingJobName"] = r.name;
        r.body[endpoint ? "EndpointArn" : "TrainingJobArn"] = r.arn;
        r.body[endpoint ? "EndpointStatus" : "TrainingJobStatus"] = r.status;
        r.body["CreationTime"] = aws::TimestampValue(r.created);
        r.body["LastModifiedTime"] = aws::TimestampValue(r.created);
        if (!endpoint) r.body["SecondaryStatus"] = "Completed";
        b.Table(kind).Put(std::move(r));
      }
    }
  }

  void Call(const char* operation, const char* input, benchmark::State& state) {
    const aws::ServiceModel& model = *testing::Models().Find("sagemaker");
    aws::RequestContext ctx;
    ctx.service = &model;
    ctx.operation = model.FindOperation(operation);
    ctx.account_id = kAcct;
    ctx.region = kRegion;
    ctx.input = json::parse(input);
    for (auto _ : state) {
      auto r = service->Invoke(ctx);
      if (!r.ok()) {
        state.SkipWithError(r.error().message.c_str());
        return;
      }
      benchmark::DoNotOptimize(r);
    }
  }
};

void BM_DescribeEndpoint(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  f.Call("DescribeEndpoint", R"({"EndpointName":"endpoint-500"})", state);
}
BENCHMARK(BM_DescribeEndpoint)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_ListTrainingJobsPage(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  std::string input = R"({"MaxResults":)" + std::to_string(state.range(1)) +
                      R"(,"SortBy":"CreationTime","SortOrder":"Descending"})";
  f.Call("ListTrainingJobs", input.c_str(), state);
}
BENCHMARK(BM_ListTrainingJobsPage)
    ->Args({1000, 10})
    ->Args({100000, 10})
    ->Args({1000, 100})
    ->Args({100000, 100})
    ->Unit(benchmark::kMicrosecond);

void BM_ListTrainingJobsNameContains(benchmark::State& state) {
  // A selective filter walks until it fills the page: the cost follows how far that is.
  Fixture f(static_cast<int>(state.range(0)));
  f.Call("ListTrainingJobs", R"({"MaxResults":10,"NameContains":"job-99"})", state);
}
BENCHMARK(BM_ListTrainingJobsNameContains)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sagetrail
