// EventWriter: the audit path. Request threads build a call's record (CPU only) and queue it;
// one writer thread appends everything queued so far in a single transaction (group commit) and
// then releases every waiting response. Request threads never touch the disk or wait on a lock
// held across I/O.
//
// If an append fails, the waiting calls get the error (their responses become server errors)
// and Ready() reports the store unavailable until a probe write succeeds again, so mutating
// calls are refused before they run rather than served unaudited.
//
// The writer also drops records older than the retention window, in small batches when idle.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "aws/audit_sink.h"
#include "aws/service_events.h"
#include "cloudtrail/record/event_builder.h"
#include "cloudtrail/store/event_store.h"
#include "common/clock.h"

namespace sagetrail::cloudtrail {

struct EventWriterOptions {
  std::chrono::hours retention{24 * 90};
  size_t max_batch = 1024;
  std::chrono::milliseconds retention_interval{60'000};
};

class EventWriter final : public aws::AuditSink, public aws::ServiceEventSink {
 public:
  EventWriter(EventStore& store, const EventBuilder& builder, const Clock& clock,
              EventWriterOptions options = {});
  // Drains everything queued, then stops the thread.
  ~EventWriter() override;

  void Record(std::shared_ptr<const aws::RequestContext> ctx,
              std::function<void(Status)> done) override;
  Status Ready() const override;
  void RecordServiceEvent(aws::ServiceEvent event, std::function<void(Status)> done) override;

  // Appends a prebuilt record (tests, tools).
  void Append(EventRecord record, std::function<void(Status)> done);
  // Appends records that must commit together (one call's copies for several accounts).
  void AppendAll(std::vector<EventRecord> records, std::function<void(Status)> done);
  // Blocks until everything queued before the call is committed.
  void Flush();
  // Runs one retention sweep now (tests); returns records dropped.
  size_t SweepRetention();

 private:
  struct Pending {
    std::vector<EventRecord> records;  // committed together; empty for a Flush marker
    std::function<void(Status)> done;
  };
  void Run();

  EventStore& store_;
  const EventBuilder& builder_;
  const Clock& clock_;
  EventWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::atomic<bool> healthy_{true};
  std::thread thread_;
};

}  // namespace sagetrail::cloudtrail
