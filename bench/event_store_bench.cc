// The audit store: group-commit append throughput of ~1 KB records, and LookupEvents latency
// (newest page, by attribute) with a large history.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "cloudtrail/store/log_event_store.h"
#include "common/random.h"

namespace sagetrail {
namespace {

cloudtrail::EventRecord MakeRecord(int i) {
  cloudtrail::EventRecord r;
  r.account_id = "123456789012";
  r.region = i % 4 == 0 ? "eu-west-1" : "us-east-1";
  r.event_time = FromUnixMillis(1763805600000 + i);
  r.event_id = "6b1b42b9-0d1f-4c8e-9e0a-" + std::to_string(100000000000 + i);
  r.event_name = i % 3 == 0 ? "CreateModel" : "DescribeModel";
  r.event_source = "sagemaker.amazonaws.com";
  r.username = i % 5 == 0 ? "root" : "admin";
  r.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  r.read_only = i % 3 != 0;
  r.resources.push_back(
      {"AWS::SageMaker::Model", "model-" + std::to_string(i % 1000),
       "arn:aws:sagemaker:us-east-1:123456789012:model/model-" + std::to_string(i % 1000)});
  r.body = std::string(1000, 'x');
  return r;
}

std::string FreshDir(const char* name) {
  std::string dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  return dir;
}

void BM_AppendGroupCommit(benchmark::State& state) {
  SystemRandom random;
  std::string dir = FreshDir("sagetrail-store-bench-append");
  cloudtrail::LogStoreOptions options;
  options.durability =
      state.range(1) ? cloudtrail::Durability::kFull : cloudtrail::Durability::kNormal;
  auto store = cloudtrail::LogEventStore::Open(dir, options, random);
  int batch_size = static_cast<int>(state.range(0));
  int i = 0;
  for (auto _ : state) {
    std::vector<cloudtrail::EventRecord> batch;
    for (int j = 0; j < batch_size; ++j) batch.push_back(MakeRecord(i++));
    Status s = (*store)->Append(batch);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  store.value().reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendGroupCommit)->Args({16, 0})->Args({64, 0})->Args({16, 1})->UseRealTime();

void BM_LookupNewestPage(benchmark::State& state) {
  SystemRandom random;
  std::string dir = FreshDir("sagetrail-store-bench-lookup");
  auto store = cloudtrail::LogEventStore::Open(dir, {}, random);
  const int n = static_cast<int>(state.range(0));
  for (int i = 0; i < n; i += 1000) {
    std::vector<cloudtrail::EventRecord> batch;
    for (int j = i; j < i + 1000 && j < n; ++j) batch.push_back(MakeRecord(j));
    (void)(*store)->Append(batch);
  }
  cloudtrail::LookupQuery q;
  q.account_id = "123456789012";
  q.region = "us-east-1";
  q.start = FromUnixMillis(0);
  q.end = FromUnixMillis(1763805600000 + n);
  q.max_results = 50;
  q.attribute = static_cast<cloudtrail::LookupAttribute>(state.range(1));
  q.value = q.attribute == cloudtrail::LookupAttribute::kEventName ? "CreateModel" : "model-7";
  for (auto _ : state) {
    auto page = (*store)->Lookup(q);
    if (!page.ok() || page->events.empty()) state.SkipWithError("empty page");
    benchmark::DoNotOptimize(page);
  }
  store.value().reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LookupNewestPage)
    ->Args({10000, static_cast<int>(cloudtrail::LookupAttribute::kNone)})
    ->Args({1000000, static_cast<int>(cloudtrail::LookupAttribute::kNone)})
    ->Args({1000000, static_cast<int>(cloudtrail::LookupAttribute::kEventName)})
    ->Args({1000000, static_cast<int>(cloudtrail::LookupAttribute::kResourceName)})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sagetrail
