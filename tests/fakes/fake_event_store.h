// FakeEventStore: an EventStore in memory whose Append can be held (to observe group commit) or
// made to fail (to observe the unhealthy path), plus helpers that make varied EventRecords and
// answer lookups the slow, obvious way (a reference for the real store's indexes).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cloudtrail/store/event_store.h"
#include "common/time_format.h"

namespace sagetrail::testing {

inline constexpr char kAccountA[] = "111122223333";
inline constexpr char kAccountB[] = "444455556666";

// A lower-case UUID-shaped id made from `i`.
inline std::string TestEventId(uint64_t i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(i));
  return buf;
}

// The record body the tests store: enough of a CloudTrail record to check rewrites.
inline std::string TestRecordBody(const cloudtrail::EventRecord& r) {
  return "{\"eventVersion\":\"1.11\",\"eventTime\":\"" + FormatIso8601(r.event_time) +
         "\",\"eventName\":\"" + r.event_name + "\",\"eventID\":\"" + r.event_id +
         "\",\"awsRegion\":\"" + r.region + "\",\"recipientAccountId\":\"" + r.account_id + "\"}";
}

// Record number `i`: its fields cycle through small value sets so every lookup attribute has
// several values with several events each.
inline cloudtrail::EventRecord TestRecord(uint64_t i, TimePoint t,
                                          const std::string& account = kAccountA,
                                          const std::string& region = "us-east-1") {
  static const char* kNames[] = {"CreateModel", "DescribeModel", "DeleteModel", "ListModels"};
  static const char* kUsers[] = {"alice", "bob", "root"};
  static const char* kKeys[] = {"AKIAALICE0000000000A", "AKIABOB00000000000B0", ""};
  cloudtrail::EventRecord r;
  r.account_id = account;
  r.region = region;
  r.event_time = t;
  r.event_id = TestEventId(i);
  r.event_name = kNames[i % 4];
  r.read_only = r.event_name == "DescribeModel" || r.event_name == "ListModels";
  r.event_source = i % 5 == 0 ? "cloudtrail.amazonaws.com" : "sagemaker.amazonaws.com";
  r.username = kUsers[i % 3];
  r.access_key_id = kKeys[i % 3];
  if (r.event_name != "ListModels") {
    std::string name = "model-" + std::to_string(i % 7);
    r.resources.push_back({"AWS::SageMaker::Model", name,
                           "arn:aws:sagemaker:" + region + ":" + account + ":model/" + name});
  }
  if (i % 6 == 0) {
    r.resources.push_back({"AWS::SageMaker::Endpoint", "ep-" + std::to_string(i % 4), ""});
  }
  r.body = TestRecordBody(r);
  return r;
}

// Whether `r` matches one lookup attribute, the obvious way.
inline bool MatchesLookupAttribute(const cloudtrail::EventRecord& r, cloudtrail::LookupAttribute a,
                                   const std::string& v) {
  using cloudtrail::LookupAttribute;
  switch (a) {
    case LookupAttribute::kNone:
      return true;
    case LookupAttribute::kEventId:
      return r.event_id == v;
    case LookupAttribute::kEventName:
      return r.event_name == v;
    case LookupAttribute::kReadOnly:
      return (r.read_only ? "true" : "false") == v;
    case LookupAttribute::kUsername:
      return !v.empty() && r.username == v;
    case LookupAttribute::kEventSource:
      return r.event_source == v;
    case LookupAttribute::kAccessKeyId:
      return !v.empty() && r.access_key_id == v;
    case LookupAttribute::kResourceType:
      return std::any_of(r.resources.begin(), r.resources.end(),
                         [&](const auto& res) { return res.type == v; });
    case LookupAttribute::kResourceName:
      return std::any_of(r.resources.begin(), r.resources.end(), [&](const auto& res) {
        return res.name == v || (!res.arn.empty() && res.arn == v);
      });
  }
  return false;
}

// The event ids `q` should return from `records` (all pages), newest first.
inline std::vector<std::string> ExpectedLookup(const std::vector<cloudtrail::EventRecord>& records,
                                               const cloudtrail::LookupQuery& q) {
  std::vector<const cloudtrail::EventRecord*> hits;
  for (const auto& r : records) {
    if (!r.management || r.account_id != q.account_id || r.region != q.region) continue;
    if (r.event_time < q.start || r.event_time > q.end) continue;
    if (!MatchesLookupAttribute(r, q.attribute, q.value)) continue;
    hits.push_back(&r);
  }
  std::sort(hits.begin(), hits.end(), [](auto* a, auto* b) { return a->seq > b->seq; });
  std::vector<std::string> ids;
  for (auto* r : hits) ids.push_back(r->event_id);
  return ids;
}

// An EventStore in memory. A non-empty commit can be held open (Hold/Release) or made to fail
// (SetAppendStatus): as the real store, a failure is sticky (health()) until ClearFailure().
// Committed state mutations are kept (state()).
class FakeEventStore final : public cloudtrail::EventStore {
 public:
  Status Commit(std::vector<cloudtrail::EventRecord>& batch,
                const store::Mutations& mutations) override {
    if (batch.empty() && mutations.empty()) return Status::Ok();  // nothing to write
    std::unique_lock<std::mutex> l(mu_);
    ++appends_started_;
    cv_.notify_all();
    cv_.wait(l, [this] { return !held_; });
    Status result = failure_.ok() ? append_status_ : failure_;
    std::vector<std::string> ids;
    if (result.ok()) {
      for (auto& r : batch) {
        r.seq = next_seq_++;
        records_.push_back(r);
        ids.push_back(r.event_id);
      }
      for (const store::Mutation& m : mutations) {
        if (m.value) {
          state_[m.key] = *m.value;
        } else {
          state_.erase(m.key);
        }
      }
    } else {
      failure_ = result;
    }
    batches_.push_back(std::move(ids));
    ++appends_finished_;
    cv_.notify_all();
    return result;
  }
  Status health() const override {
    std::lock_guard<std::mutex> l(mu_);
    return failure_;
  }
  // Forgets a failure (a restart, for the tests of what follows one).
  void ClearFailure() {
    std::lock_guard<std::mutex> l(mu_);
    failure_ = Status::Ok();
  }
  std::map<std::string, std::string> state() const {
    std::lock_guard<std::mutex> l(mu_);
    return state_;
  }
  Result<cloudtrail::LookupPage> Lookup(const cloudtrail::LookupQuery& q) override {
    std::lock_guard<std::mutex> l(mu_);
    cloudtrail::LookupPage page;
    for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
      const auto& r = *it;
      if (q.after && r.seq >= q.after->second) continue;
      if (!r.management || r.account_id != q.account_id || r.region != q.region) continue;
      if (r.event_time < q.start || r.event_time > q.end) continue;
      if (!MatchesLookupAttribute(r, q.attribute, q.value)) continue;
      if (page.events.size() == q.max_results) {
        page.more = true;
        break;
      }
      page.events.push_back(r);
    }
    return page;
  }
  Result<std::vector<cloudtrail::EventRecord>> ReadAfter(uint64_t after_seq,
                                                         size_t limit) override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<cloudtrail::EventRecord> out;
    for (const auto& r : records_) {
      if (out.size() >= limit) break;
      if (r.seq > after_seq) out.push_back(r);
    }
    return out;
  }
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override {
    std::lock_guard<std::mutex> l(mu_);
    if (records_.empty()) return std::make_pair(uint64_t{0}, uint64_t{0});
    return std::make_pair(records_.front().seq, records_.back().seq);
  }
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override {
    std::lock_guard<std::mutex> l(mu_);
    ++deletes_;
    size_t n = 0;
    while (!records_.empty() && n < limit && records_.front().event_time < cutoff) {
      records_.erase(records_.begin());
      ++n;
    }
    return n;
  }
  const std::string& secret() const override { return secret_; }

  // Appends wait in the store until Release().
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    held_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    held_ = false;
    cv_.notify_all();
  }
  void SetAppendStatus(Status s) {
    std::lock_guard<std::mutex> l(mu_);
    append_status_ = std::move(s);
  }

  // Waits (at most `timeout`) until at least `n` appends have started; true if they have.
  bool WaitForAppendsStarted(int n, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return appends_started_ >= n; });
  }

  int appends_started() const {
    std::lock_guard<std::mutex> l(mu_);
    return appends_started_;
  }
  int appends_finished() const {
    std::lock_guard<std::mutex> l(mu_);
    return appends_finished_;
  }
  int deletes() const {
    std::lock_guard<std::mutex> l(mu_);
    return deletes_;
  }
  // The event ids of every non-empty Append call's batch (failed ones: empty), in call order.
  std::vector<std::vector<std::string>> batches() const {
    std::lock_guard<std::mutex> l(mu_);
    return batches_;
  }
  std::vector<cloudtrail::EventRecord> records() const {
    std::lock_guard<std::mutex> l(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  Status append_status_;
  Status failure_;  // sticky, as the real store's
  std::map<std::string, std::string> state_;
  int appends_started_ = 0;
  int appends_finished_ = 0;
  int deletes_ = 0;
  uint64_t next_seq_ = 1;
  std::vector<std::vector<std::string>> batches_;
  std::vector<cloudtrail::EventRecord> records_;
  std::string secret_ = std::string(32, 's');
};

}  // namespace sagetrail::testing
