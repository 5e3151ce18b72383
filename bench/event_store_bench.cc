// The event store (RocksEventStore over the Database) against its targets:
//  - group-commit append throughput of ~1 KB CloudTrail records, with normal durability and
//    with full durability (one fdatasync per group commit), at groups of 16, 64 and 256
//    (and 1024 with fsync);
//  - LookupEvents latency, p50 and p99 over per-call timings, for every lookup attribute and
//    for a bare time range, on a store holding 1 million events (and 10 million when
//    SAGETRAIL_BENCH_10M=1 is set: that build writes ~13 GB and takes a few minutes);
//  - bytes on disk per event against the gzipped record plus its index entries.
//
//   ./build/bench/event_store_bench
//   SAGETRAIL_BENCH_10M=1 ./build/bench/event_store_bench --benchmark_filter='Lookup|StoreSize'
//
// Stores live in the system temp directory and are deleted when the process exits.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail/store/rocks_event_store.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/time_format.h"
#include "store/database.h"

namespace sagetrail {
namespace {

using cloudtrail::EventRecord;
using cloudtrail::LookupAttribute;
using cloudtrail::LookupQuery;

// ---------------------------------------------------------------------------------------------
// A synthetic history. Every choice about event i is a pure function of i, so a query can be
// made from "what event j holds" without keeping the events. One account and one region: the
// largest Event history partition a store can have.

constexpr char kAccount[] = "123456789012";
constexpr char kRegion[] = "us-east-1";
constexpr int64_t kStartMs = 1763769600000;  // 2025-11-22T00:00:00Z
constexpr int64_t kStepMs = 100;             // one event per 100 ms on average
constexpr uint64_t kUsers = 500;             // IAM users, two access keys each
constexpr uint64_t kHotResources = 100;      // long-lived resources per type ("...-prod-07")
constexpr uint64_t kResourceWindow = 1024;   // short-lived resources in use at a time

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// An independent 64-bit draw per (event, purpose).
uint64_t Draw(uint64_t i, uint64_t purpose) { return Mix(Mix(i) ^ (purpose << 56)); }

// The smaller of two uniform draws in [0, n): value k has probability ~2(n-k)/n^2, so the first
// values are common and the last ones rare (a long tail, as real usage has).
uint64_t Skewed(uint64_t h, uint64_t n) { return std::min((h & 0xffffffffu) % n, (h >> 32) % n); }

void AppendHex(uint64_t v, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int d = digits - 1; d >= 0; --d) out->push_back(kHex[(v >> (4 * d)) & 0xf]);
}

// A version-4-shaped UUID from two draws.
std::string UuidOf(uint64_t a, uint64_t b) {
  std::string s;
  s.reserve(36);
  AppendHex(a >> 32, 8, &s);
  s.push_back('-');
  AppendHex((a >> 16) & 0xffff, 4, &s);
  s.push_back('-');
  AppendHex(0x4000 | (a & 0x0fff), 4, &s);
  s.push_back('-');
  AppendHex(0x8000 | ((b >> 48) & 0x3fff), 4, &s);
  s.push_back('-');
  AppendHex(b & 0xffffffffffffULL, 12, &s);
  return s;
}

// `n` characters of an upper-case base32 alphabet, as AWS key ids use.
std::string Base32Of(uint64_t seed, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string s;
  uint64_t bits = Mix(seed);
  for (size_t c = 0; c < n; ++c) {
    if (c % 12 == 11) bits = Mix(bits);
    s.push_back(kAlphabet[bits & 31]);
    bits >>= 5;
  }
  return s;
}

struct ResourceKind {
  const char* type;
  const char* prefix;    // of generated names
  const char* arn_path;  // ARN resource part before the name
  const char* param;     // the request parameter that names it
  const char* arn_param;
};

enum Kind : int {
  kNoResource = -1,
  kModel,
  kEndpoint,
  kEndpointConfig,
  kTrainingJob,
  kProcessingJob,
  kTransformJob,
  kNotebook,
  kRole
};

constexpr ResourceKind kKinds[] = {
    {"AWS::SageMaker::Model", "model", "model/", "modelName", "modelArn"},
    {"AWS::SageMaker::Endpoint", "endpoint", "endpoint/", "endpointName", "endpointArn"},
    {"AWS::SageMaker::EndpointConfig", "endpoint-config", "endpoint-config/", "endpointConfigName",
     "endpointConfigArn"},
    {"AWS::SageMaker::TrainingJob", "training-job", "training-job/", "trainingJobName",
     "trainingJobArn"},
    {"AWS::SageMaker::ProcessingJob", "processing-job", "processing-job/", "processingJobName",
     "processingJobArn"},
    {"AWS::SageMaker::TransformJob", "transform-job", "transform-job/", "transformJobName",
     "transformJobArn"},
    {"AWS::SageMaker::NotebookInstance", "notebook", "notebook-instance/", "notebookInstanceName",
     "notebookInstanceArn"},
    {"AWS::IAM::Role", "role", "role/", "roleName", "roleArn"},
};

struct Op {
  const char* name;
  bool read_only;
  int kind;
};

// Most frequent first (Skewed picks among them).
constexpr Op kSageMakerOps[] = {
    {"DescribeTrainingJob", true, kTrainingJob},
    {"DescribeEndpoint", true, kEndpoint},
    {"ListTrainingJobs", true, kNoResource},
    {"DescribeModel", true, kModel},
    {"ListEndpoints", true, kNoResource},
    {"DescribeProcessingJob", true, kProcessingJob},
    {"ListModels", true, kNoResource},
    {"DescribeEndpointConfig", true, kEndpointConfig},
    {"DescribeNotebookInstance", true, kNotebook},
    {"ListProcessingJobs", true, kNoResource},
    {"CreateTrainingJob", false, kTrainingJob},
    {"DescribeTransformJob", true, kTransformJob},
    {"ListNotebookInstances", true, kNoResource},
    {"CreateModel", false, kModel},
    {"CreateProcessingJob", false, kProcessingJob},
    {"CreateEndpointConfig", false, kEndpointConfig},
    {"UpdateEndpoint", false, kEndpoint},
    {"CreateEndpoint", false, kEndpoint},
    {"StopTrainingJob", false, kTrainingJob},
    {"CreateTransformJob", false, kTransformJob},
    {"DeleteModel", false, kModel},
    {"DeleteEndpointConfig", false, kEndpointConfig},
    {"DeleteEndpoint", false, kEndpoint},
    {"StartNotebookInstance", false, kNotebook},
    {"StopNotebookInstance", false, kNotebook},
    {"CreateNotebookInstance", false, kNotebook},
    {"DeleteNotebookInstance", false, kNotebook},
};
constexpr Op kIamOps[] = {
    {"GetRole", true, kRole},
    {"ListRoles", true, kNoResource},
    {"CreateRole", false, kRole},
    {"AttachRolePolicy", false, kRole},
};
constexpr Op kStsOps[] = {
    {"AssumeRole", true, kRole},
    {"GetCallerIdentity", true, kNoResource},
};
constexpr const char* kSources[] = {"sagemaker.amazonaws.com", "iam.amazonaws.com",
                                    "sts.amazonaws.com"};

constexpr const char* kUserAgents[] = {
    "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18.0 md/arch#x86_64 lang/python#3.11.7 "
    "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.43.11",
    "aws-cli/2.27.40 md/awscrt#0.26.1 ua/2.1 os/linux#6.1.0-28-cloud-amd64 md/arch#x86_64 "
    "lang/python#3.13.4 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#debian.12 md/prompt#off",
    "aws-sdk-java/2.31.63 Linux/6.1.0 OpenJDK_64-Bit_Server_VM/21.0.7+6-LTS Java/21.0.7 "
    "vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy",
    "sagemaker-python-sdk/2.244.0 Boto3/1.38.27 md/Botocore#1.38.27 ua/2.1 os/linux#5.10.236 "
    "md/arch#x86_64 lang/python#3.10.16 md/pyimpl#CPython cfg/retry-mode#standard",
};

int64_t TimeOfMs(uint64_t i) {
  return kStartMs + static_cast<int64_t>(i) * kStepMs + static_cast<int64_t>(Draw(i, 1) % kStepMs);
}

std::string EventIdOf(uint64_t i) { return UuidOf(Draw(i, 2), Draw(i, 3)); }

std::string UserName(uint64_t user) {
  static constexpr const char* kRoles[] = {"ml-engineer", "data-scientist", "svc-pipeline",
                                           "ci-deploy", "ops"};
  return std::string(kRoles[user % std::size(kRoles)]) + "-" + std::to_string(user);
}

std::string AccessKeyOf(uint64_t key) { return "AKIA" + Base32Of(key * 2 + 1, 16); }

std::string HotResourceName(int kind, uint64_t k) {
  return std::string(kKinds[kind].prefix) + "-prod-" + std::to_string(k);
}

std::string ArnOf(int kind, const std::string& name) {
  const char* service = kind == kRole ? "arn:aws:iam::" : "arn:aws:sagemaker:us-east-1:";
  return std::string(service) + kAccount + ":" + kKinds[kind].arn_path + name;
}

// What event i is: which call, by whom, on what.
struct Choice {
  const char* source;
  const Op* op;
  uint64_t user;
  uint64_t key;
  std::string resource;  // empty when the call names none
  bool hot = false;      // a long-lived resource
};

Choice Choose(uint64_t i) {
  Choice c;
  uint64_t service = Draw(i, 4) % 100;
  uint64_t pick = Draw(i, 5);
  if (service < 5) {
    c.source = kSources[2];
    c.op = &kStsOps[Skewed(pick, std::size(kStsOps))];
  } else if (service < 10) {
    c.source = kSources[1];
    c.op = &kIamOps[Skewed(pick, std::size(kIamOps))];
  } else {
    c.source = kSources[0];
    c.op = &kSageMakerOps[Skewed(pick, std::size(kSageMakerOps))];
  }
  c.user = Skewed(Draw(i, 6), kUsers);
  c.key = 2 * c.user + (Draw(i, 7) & 1);
  if (c.op->kind != kNoResource) {
    uint64_t h = Draw(i, 8);
    if (h % 10 == 0) {
      // One of a few long-lived resources: hundreds of events each over the whole history.
      c.hot = true;
      c.resource = HotResourceName(c.op->kind, (h >> 8) % kHotResources);
    } else {
      // One of the short-lived resources in use around event i: a new one every 32 events,
      // each named by events over the next ~55 minutes (a handful to a few dozen events).
      uint64_t id = i / 32 - std::min(i / 32, (h >> 8) % kResourceWindow);
      char buf[48];
      std::snprintf(buf, sizeof(buf), "%s-%08llu", kKinds[c.op->kind].prefix,
                    static_cast<unsigned long long>(id));
      c.resource = buf;
    }
  }
  return c;
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  out->append("\"").append(key).append("\":\"").append(value).append("\"");
}

// The record's JSON: the fields and order sagetrail's EventBuilder writes for an IAM user's call.
std::string BodyOf(uint64_t i, const Choice& c, const EventRecord& r, const std::string& arn) {
  std::string user = r.username;
  std::string b;
  b.reserve(1600);
  b.append("{\"eventVersion\":\"1.11\",\"userIdentity\":{\"type\":\"IAMUser\",");
  AppendField(&b, "principalId", "AIDA" + Base32Of(c.user * 2, 17));
  b.push_back(',');
  AppendField(&b, "arn", std::string("arn:aws:iam::") + kAccount + ":user/" + user);
  b.push_back(',');
  AppendField(&b, "accountId", kAccount);
  b.push_back(',');
  AppendField(&b, "accessKeyId", r.access_key_id);
  b.push_back(',');
  AppendField(&b, "userName", user);
  b.append("},");
  AppendField(&b, "eventTime", FormatIso8601(r.event_time));
  b.push_back(',');
  AppendField(&b, "eventSource", r.event_source);
  b.push_back(',');
  AppendField(&b, "eventName", r.event_name);
  b.push_back(',');
  AppendField(&b, "awsRegion", kRegion);
  b.push_back(',');
  uint64_t ip = Draw(c.user, 9);
  AppendField(&b, "sourceIPAddress",
              "10." + std::to_string(ip & 0xff) + "." + std::to_string((ip >> 8) & 0xff) + "." +
                  std::to_string(((ip >> 16) & 0x7f) + (Draw(i, 10) & 1)));
  b.push_back(',');
  AppendField(&b, "userAgent", kUserAgents[c.user % std::size(kUserAgents)]);
  bool failed = Draw(i, 11) % 50 == 0;
  if (failed) {
    b.push_back(',');
    AppendField(&b, "errorCode", "ValidationException");
    b.push_back(',');
    AppendField(&b, "errorMessage",
                c.resource.empty() ? "Invalid pagination token" : "Could not find " + c.resource);
  }
  b.append(",\"requestParameters\":");
  std::string response = "null";
  const std::string& name = r.event_name;
  if (c.op->kind == kNoResource) {
    b.append(c.op->read_only
                 ? "{\"maxResults\":100,\"sortBy\":\"CreationTime\",\"sortOrder\":\"Descending\"}"
                 : "{}");
  } else if (name == "AssumeRole") {
    b.append("{");
    AppendField(&b, "roleArn", arn);
    b.push_back(',');
    AppendField(&b, "roleSessionName", "session-" + std::to_string(i));
    b.append(",\"durationSeconds\":3600}");
    // The issued credentials (never the secret): a long, incompressible token.
    response = "{\"credentials\":{";
    AppendField(&response, "accessKeyId", "ASIA" + Base32Of(i, 16));
    response.push_back(',');
    std::string token;
    for (int k = 0; k < 8; ++k) token += Base32Of(Draw(i, 20 + k), 40);
    AppendField(&response, "sessionToken", token);
    response.push_back(',');
    AppendField(&response, "expiration",
                FormatRecordTimestamp(r.event_time + std::chrono::hours(1)));
    response.append("},\"assumedRoleUser\":{");
    AppendField(&response, "assumedRoleId",
                "AROA" + Base32Of(Draw(i, 12), 17) + ":session-" + std::to_string(i));
    response.push_back(',');
    AppendField(&response, "arn",
                std::string("arn:aws:sts::") + kAccount + ":assumed-role/" + c.resource +
                    "/session-" + std::to_string(i));
    response.append("}}");
  } else {
    const ResourceKind& kind = kKinds[c.op->kind];
    b.append("{");
    AppendField(&b, kind.param, c.resource);
    if (name.rfind("Create", 0) == 0) {
      b.push_back(',');
      AppendField(&b, "roleArn",
                  std::string("arn:aws:iam::") + kAccount + ":role/SageMakerExecution-" + user);
      b.append(
          ",\"resourceConfig\":{\"instanceType\":\"ml.g5.2xlarge\",\"instanceCount\":1,"
          "\"volumeSizeInGB\":50},\"stoppingCondition\":{\"maxRuntimeInSeconds\":86400},");
      AppendField(&b, "image",
                  "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5.1-gpu-py311");
      b.push_back(',');
      AppendField(&b, "s3OutputPath",
                  std::string("s3://ml-artifacts-") + kAccount + "/" + user + "/" + c.resource);
      b.append(",\"tags\":[{\"key\":\"team\",\"value\":\"team-" + std::to_string(c.user % 17) +
               "\"},{\"key\":\"cost-center\",\"value\":\"cc-" + std::to_string(c.user % 5) +
               "\"}]");
      if (!failed) {
        response = "{";
        AppendField(&response, kind.arn_param, arn);
        response.append("}");
      }
    }
    b.append("}");
  }
  b.append(",\"responseElements\":").append(failed ? "null" : response).append(",");
  AppendField(&b, "requestID", UuidOf(Draw(i, 13), Draw(i, 14)));
  b.push_back(',');
  AppendField(&b, "eventID", r.event_id);
  b.append(",\"readOnly\":").append(r.read_only ? "true" : "false");
  if (name == "AssumeRole") {
    b.append(",\"resources\":[{");
    AppendField(&b, "accountId", kAccount);
    b.push_back(',');
    AppendField(&b, "type", kKinds[kRole].type);
    b.push_back(',');
    AppendField(&b, "ARN", arn);
    b.append("}]");
  }
  b.append(
      ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":"
      "\"123456789012\","
      "\"eventCategory\":\"Management\"}");
  return b;
}

EventRecord MakeRecord(uint64_t i) {
  Choice c = Choose(i);
  EventRecord r;
  r.account_id = kAccount;
  r.region = kRegion;
  r.event_time = FromUnixMillis(TimeOfMs(i));
  r.event_id = EventIdOf(i);
  r.event_name = c.op->name;
  r.event_source = c.source;
  r.username = UserName(c.user);
  r.access_key_id = AccessKeyOf(c.key);
  r.read_only = c.op->read_only;
  std::string arn;
  if (!c.resource.empty()) {
    arn = ArnOf(c.op->kind, c.resource);
    r.resources.push_back({kKinds[c.op->kind].type, c.resource, arn});
  }
  r.body = BodyOf(i, c, r, arn);
  return r;
}

std::string FreshDir(const std::string& name) {
  std::string dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Append throughput.

// Records built ahead, as the request threads hand them to the writer; each batch copies them.
const std::vector<EventRecord>& RecordPool() {
  static const std::vector<EventRecord> pool = [] {
    std::vector<EventRecord> p;
    for (uint64_t i = 0; i < 8192; ++i) p.push_back(MakeRecord(i));
    return p;
  }();
  return pool;
}

// Args: group size, full durability (fdatasync per group commit) or normal.
void BM_AppendGroupCommit(benchmark::State& state) {
  const std::vector<EventRecord>& pool = RecordPool();
  SystemRandom random;
  std::string dir = FreshDir("sagetrail-store-bench-append");
  store::DatabaseOptions options;  // as the server's (server/storage.cc)
  options.sync = state.range(1) != 0;
  options.index_run_prefix = cloudtrail::RocksEventStore::IndexRunPrefix;
  auto db = store::Database::Open(dir, options);
  if (!db.ok()) {
    state.SkipWithError(db.error().message().c_str());
    return;
  }
  auto store = cloudtrail::RocksEventStore::Open(**db, random);
  if (!store.ok()) {
    state.SkipWithError(store.error().message().c_str());
    return;
  }
  const size_t group = static_cast<size_t>(state.range(0));
  uint64_t n = 0;
  int64_t bytes = 0;
  std::vector<EventRecord> batch;
  batch.reserve(group);
  for (auto _ : state) {
    batch.clear();
    for (size_t j = 0; j < group; ++j, ++n) {
      batch.push_back(pool[n % pool.size()]);
      // Times keep rising, so the store never rewrites a body's eventTime.
      batch.back().event_time = FromUnixMillis(kStartMs + static_cast<int64_t>(n));
      bytes += static_cast<int64_t>(batch.back().body.size());
    }
    Status s = (*store)->Append(batch);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.SetBytesProcessed(bytes);
  store.value().reset();
  db.value().reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendGroupCommit)
    ->ArgNames({"group", "fsync"})
    ->Args({16, 0})
    ->Args({64, 0})
    ->Args({256, 0})
    ->Args({16, 1})
    ->Args({64, 1})
    ->Args({256, 1})
    ->Args({1024, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------------------------
// A large store, built once per size and shared by the lookup and size benchmarks.

// gzip -6 (a gzip member with its header and trailer), reusing one deflate state.
class Gzip {
 public:
  Gzip() { deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); }
  ~Gzip() { deflateEnd(&z_); }
  Gzip(const Gzip&) = delete;
  Gzip& operator=(const Gzip&) = delete;

  size_t Size(std::string_view data) {
    deflateReset(&z_);
    out_.resize(deflateBound(&z_, static_cast<uLong>(data.size())) + 64);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    z_.next_out = reinterpret_cast<Bytef*>(out_.data());
    z_.avail_out = static_cast<uInt>(out_.size());
    return deflate(&z_, Z_FINISH) == Z_STREAM_END ? z_.total_out : 0;
  }

 private:
  z_stream z_{};
  std::string out_;
};

// Heap bytes in use (main arena and mmapped blocks; the store is built on this thread).
size_t HeapBytesInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

class History {
 public:
  // The store with `n` events; builds it (dropping any other size first) on first use.
  static History* Get(uint64_t n) {
    static std::unique_ptr<History> current;
    if (!current || current->n_ != n) {
      current.reset();
      current.reset(new History(n));
    }
    return current->store_ ? current.get() : nullptr;
  }

  ~History() {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  cloudtrail::RocksEventStore& store() { return *store_; }

  struct Stats {
    double json_bytes = 0;          // record JSON, mean
    double gzip_record_bytes = 0;   // each record gzipped alone, mean
    double gzip_file_bytes = 0;     // per event, 1000 records gzipped as one log file
    double index_entry_bytes = 0;   // per event: the log design's Meta, postings and id entry
    double heap_after_open = 0;     // MB of heap the reopened store holds
    double disk_bytes = 0;          // per event: file sizes in the store directory, as built
    double disk_compacted = 0;      // per event: the same after a full compaction
    double build_events_per_s = 0;  // appends while building (groups of 1000, normal)
    double reopen_s = 0;            // Database::Open + RocksEventStore::Open of the built store
  };
  const Stats& stats() const { return stats_; }

 private:
  explicit History(uint64_t n) : n_(n) {
    dir_ = FreshDir("sagetrail-store-bench-" + std::to_string(n));
    std::fprintf(stderr, "building a store of %llu events in %s ...\n",
                 static_cast<unsigned long long>(n), dir_.c_str());
    SystemRandom random;
    if (!Open(random)) return;

    // Gzip samples: ~64k single records and ~64 whole batches, spread over the history.
    constexpr uint64_t kBatch = 1000;
    const uint64_t record_stride = std::max<uint64_t>(1, n / 65536);
    const uint64_t batch_stride = std::max<uint64_t>(1, n / kBatch / 64);
    Gzip gzip;
    double json = 0, gzip_records = 0, gzip_files = 0, entries = 0;
    uint64_t record_samples = 0, file_samples = 0;
    std::chrono::steady_clock::duration appending{};
    std::vector<EventRecord> batch;
    std::string file;
    for (uint64_t first = 0; first < n; first += kBatch) {
      batch.clear();
      for (uint64_t i = first; i < std::min(n, first + kBatch); ++i) {
        batch.push_back(MakeRecord(i));
        const EventRecord& r = batch.back();
        json += static_cast<double>(r.body.size());
        // Meta (40 B) + id map entry (16 B key + 8 B seq) + 8 B per posting entry: name,
        // source, user, access key, read-only, and type, name and ARN per resource.
        entries += 40 + 24 + 8 * (5 + 3 * static_cast<double>(r.resources.size()));
        if (i % record_stride == 0) {
          gzip_records += static_cast<double>(gzip.Size(r.body));
          ++record_samples;
        }
      }
      if ((first / kBatch) % batch_stride == 0) {
        file = "{\"Records\":[";
        for (const EventRecord& r : batch) file.append(r.body).push_back(',');
        file.back() = ']';
        file.push_back('}');
        gzip_files += static_cast<double>(gzip.Size(file)) / static_cast<double>(batch.size());
        ++file_samples;
      }
      auto t0 = std::chrono::steady_clock::now();
      Status s = store_->Append(batch);
      appending += std::chrono::steady_clock::now() - t0;
      if (!s.ok()) {
        std::fprintf(stderr, "append failed: %s\n", s.message().c_str());
        store_.reset();
        return;
      }
    }
    const double events = static_cast<double>(n);
    stats_.json_bytes = json / events;
    stats_.gzip_record_bytes = gzip_records / static_cast<double>(record_samples);
    stats_.gzip_file_bytes = gzip_files / static_cast<double>(file_samples);
    stats_.index_entry_bytes = entries / events;
    stats_.build_events_per_s = events / Seconds(appending);

    // Let background flushes and compactions settle as a running server's would, then reopen:
    // nothing is rebuilt, RocksDB reads its manifest and opens table files as lookups need them.
    stats_.disk_bytes = static_cast<double>(DirBytes()) / events;
    store_.reset();
    db_.reset();
    malloc_trim(0);
    const size_t heap_before = HeapBytesInUse();
    auto t0 = std::chrono::steady_clock::now();
    if (!Open(random)) return;
    stats_.reopen_s = Seconds(std::chrono::steady_clock::now() - t0);
    auto range = store_->SeqRange();
    if (!range.ok() || range->second != n) {
      std::fprintf(stderr, "reopen failed\n");
      store_.reset();
      return;
    }
    const size_t heap_after = HeapBytesInUse();
    stats_.heap_after_open =
        static_cast<double>(heap_after - std::min(heap_after, heap_before)) / 1e6;
    if (db_->CompactAll().ok()) stats_.disk_compacted = static_cast<double>(DirBytes()) / events;
    std::fprintf(stderr, "built: %.0f events/s appended, reopened in %.3f s\n",
                 stats_.build_events_per_s, stats_.reopen_s);
  }

  bool Open(Random& random) {
    store::DatabaseOptions options;  // as the server's (server/storage.cc)
    options.index_run_prefix = cloudtrail::RocksEventStore::IndexRunPrefix;
    auto db = store::Database::Open(dir_, options);
    if (!db.ok()) {
      std::fprintf(stderr, "open failed: %s\n", db.error().message().c_str());
      return false;
    }
    db_ = std::move(db).value();
    auto store = cloudtrail::RocksEventStore::Open(*db_, random);
    if (!store.ok()) return false;
    store_ = std::move(store).value();
    return true;
  }

  uint64_t DirBytes() const {
    uint64_t size = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      struct stat st;
      if (::stat(entry.path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        size += static_cast<uint64_t>(st.st_size);
      }
    }
    return size;
  }

  uint64_t n_;
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<cloudtrail::RocksEventStore> store_;
  Stats stats_;
};

void BM_StoreSize(benchmark::State& state, uint64_t n) {
  History* h = History::Get(n);
  if (h == nullptr) {
    state.SkipWithError("cannot build the store");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(h);
  const History::Stats& s = h->stats();
  state.counters["json_B"] = s.json_bytes;
  state.counters["gzip_rec_B"] = s.gzip_record_bytes;
  state.counters["gzip_file_B"] = s.gzip_file_bytes;
  state.counters["idx_entries_B"] = s.index_entry_bytes;
  state.counters["heap_open_MB"] = s.heap_after_open;
  state.counters["disk_B"] = s.disk_bytes;
  state.counters["disk_compacted_B"] = s.disk_compacted;
  state.counters["heap_now_MB"] = static_cast<double>(HeapBytesInUse()) / 1e6;
  state.counters["build_ev/s"] = s.build_events_per_s;
  state.counters["reopen_s"] = s.reopen_s;
}

// ---------------------------------------------------------------------------------------------
// LookupEvents latency.

enum class QueryKind {
  kTimeRange,     // no attribute; a one-hour window in the middle of the history
  kEventId,       // one event
  kEventName,     // every call name in turn, common to rare
  kReadOnly,      // "true": about 80% of all events
  kUsername,      // every user in turn, common to rare
  kResourceType,  // every type in turn
  kResourceName,  // short-lived resources (a few events each), by name or ARN
  kHotResource,   // long-lived resources (hundreds to thousands of events each)
  kEventSource,   // the three services in turn
  kAccessKeyId,   // every key in turn
};

// Queries of one kind, varied. Attribute queries ask for the newest page up to an end time
// drawn over the whole history (StartTime: the history's start), as paging through a long
// result does; EventId and ResourceName queries span the whole history.
std::vector<LookupQuery> MakeQueries(QueryKind kind, uint64_t n, size_t count) {
  std::vector<LookupQuery> queries;
  const int64_t last_ms = TimeOfMs(n - 1);
  for (uint64_t k = 0; k < count; ++k) {
    LookupQuery q;
    q.account_id = kAccount;
    q.region = kRegion;
    q.max_results = 50;
    q.start = FromUnixMillis(kStartMs);
    q.end = FromUnixMillis(TimeOfMs(Draw(k, 40) % n));
    uint64_t h = Draw(k, 41);
    switch (kind) {
      case QueryKind::kTimeRange: {
        uint64_t end = n / 10 + h % (n - n / 5);
        q.end = FromUnixMillis(TimeOfMs(end));
        q.start = q.end - std::chrono::hours(1);
        break;
      }
      case QueryKind::kEventId:
        q.attribute = LookupAttribute::kEventId;
        q.value = EventIdOf(h % n);
        q.end = FromUnixMillis(last_ms);
        break;
      case QueryKind::kEventName: {
        q.attribute = LookupAttribute::kEventName;
        size_t all = std::size(kSageMakerOps) + std::size(kIamOps) + std::size(kStsOps);
        size_t o = k % all;
        q.value = o < std::size(kSageMakerOps) ? kSageMakerOps[o].name
                  : o < std::size(kSageMakerOps) + std::size(kIamOps)
                      ? kIamOps[o - std::size(kSageMakerOps)].name
                      : kStsOps[o - std::size(kSageMakerOps) - std::size(kIamOps)].name;
        break;
      }
      case QueryKind::kReadOnly:
        q.attribute = LookupAttribute::kReadOnly;
        q.value = "true";
        break;
      case QueryKind::kUsername:
        q.attribute = LookupAttribute::kUsername;
        q.value = UserName(k % kUsers);
        break;
      case QueryKind::kResourceType:
        q.attribute = LookupAttribute::kResourceType;
        q.value = kKinds[k % std::size(kKinds)].type;
        break;
      case QueryKind::kResourceName: {
        q.attribute = LookupAttribute::kResourceName;
        q.end = FromUnixMillis(last_ms);
        // The resource of some event j that names a short-lived one.
        for (uint64_t j = h % n;; j = (j + 1) % n) {
          Choice c = Choose(j);
          if (c.resource.empty() || c.hot) continue;
          q.value = k % 2 == 0 ? c.resource : ArnOf(c.op->kind, c.resource);
          break;
        }
        break;
      }
      case QueryKind::kHotResource:
        q.attribute = LookupAttribute::kResourceName;
        q.value = HotResourceName(static_cast<int>(k % (std::size(kKinds) - 1)),
                                  (k / std::size(kKinds)) % kHotResources);
        break;
      case QueryKind::kEventSource:
        q.attribute = LookupAttribute::kEventSource;
        q.value = kSources[k % std::size(kSources)];
        break;
      case QueryKind::kAccessKeyId:
        q.attribute = LookupAttribute::kAccessKeyId;
        q.value = AccessKeyOf(k % (2 * kUsers));
        break;
    }
    queries.push_back(std::move(q));
  }
  return queries;
}

double Percentile(const std::vector<double>& sorted, double p) {
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

void BM_Lookup(benchmark::State& state, uint64_t n, QueryKind kind) {
  History* h = History::Get(n);
  if (h == nullptr) {
    state.SkipWithError("cannot build the store");
    return;
  }
  const std::vector<LookupQuery> queries = MakeQueries(kind, n, 4096);
  std::vector<double> micros;
  micros.reserve(static_cast<size_t>(state.max_iterations));
  size_t next = 0, events = 0, empty = 0;
  for (auto _ : state) {
    const LookupQuery& q = queries[next++ % queries.size()];
    auto t0 = std::chrono::steady_clock::now();
    auto page = h->store().Lookup(q);
    micros.push_back(Seconds(std::chrono::steady_clock::now() - t0) * 1e6);
    if (!page.ok()) {
      state.SkipWithError(page.error().message().c_str());
      break;
    }
    events += page->events.size();
    if (page->events.empty()) ++empty;
    benchmark::DoNotOptimize(page);
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = Percentile(micros, 0.50);
  state.counters["p99_us"] = Percentile(micros, 0.99);
  state.counters["max_us"] = micros.back();
  state.counters["events/page"] = static_cast<double>(events) / static_cast<double>(micros.size());
  state.counters["empty"] = static_cast<double>(empty) / static_cast<double>(micros.size());
}

int RegisterLargeStoreBenchmarks() {
  std::vector<uint64_t> sizes = {1000000};
  if (const char* e = std::getenv("SAGETRAIL_BENCH_10M"); e != nullptr && std::string(e) == "1") {
    sizes.push_back(10000000);
  }
  struct Named {
    const char* name;
    QueryKind kind;
  };
  constexpr Named kKindsToRun[] = {
      {"TimeRange", QueryKind::kTimeRange},       {"EventId", QueryKind::kEventId},
      {"EventName", QueryKind::kEventName},       {"ReadOnly", QueryKind::kReadOnly},
      {"Username", QueryKind::kUsername},         {"ResourceType", QueryKind::kResourceType},
      {"ResourceName", QueryKind::kResourceName}, {"ResourceNameHot", QueryKind::kHotResource},
      {"EventSource", QueryKind::kEventSource},   {"AccessKeyId", QueryKind::kAccessKeyId},
  };
  for (uint64_t n : sizes) {
    std::string suffix = "/" + std::to_string(n);
    benchmark::RegisterBenchmark(("BM_StoreSize" + suffix).c_str(), BM_StoreSize, n)->Iterations(1);
    for (const Named& k : kKindsToRun) {
      benchmark::RegisterBenchmark(("BM_Lookup" + suffix + "/" + k.name).c_str(), BM_Lookup, n,
                                   k.kind)
          ->Iterations(5000)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return 0;
}
[[maybe_unused]] const int kRegistered = RegisterLargeStoreBenchmarks();

}  // namespace
}  // namespace sagetrail
