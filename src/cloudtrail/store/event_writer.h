// EventWriter: the commit path (an aws::AuditSink). Request threads build a call's record (CPU
// only) and queue it with the call's state changes at the call's place in the commit order; one
// writer thread commits everything queued in order so far in a single atomic batch (group
// commit: records, their index keys and the state changes together) and then releases every
// waiting response. Request threads never touch the disk or wait on a lock held across I/O.
//
// Places are handed out by Reserve() and committed strictly in order: the writer waits for a
// place that was taken but not yet submitted (a call still being handled), and skips one that
// was given up (LogTicket dropped).
//
// Failure is sticky: once a commit fails, that commit and every later one are answered with the
// error and Ready() reports the store unavailable, until the process restarts and the store
// recovers. Nothing of a failed commit is ever acknowledged.
//
// The writer also drops records older than the retention window, in small batches when idle.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "aws/audit_sink.h"
#include "aws/request_context.h"
#include "cloudtrail/record/event_builder.h"
#include "cloudtrail/store/event_store.h"
#include "common/clock.h"

namespace sagetrail::cloudtrail {

struct EventWriterOptions {
  std::chrono::hours retention{24 * 90};
  size_t max_batch = 1024;
  std::chrono::milliseconds retention_interval{60'000};
};

class EventWriter final : public aws::AuditSink {
 public:
  EventWriter(EventStore& store, const EventBuilder& builder, const Clock& clock,
              EventWriterOptions options = {});
  // Commits everything submitted (waiting for places still taken), then stops the thread.
  ~EventWriter() override;

  aws::LogTicket Reserve() override;
  void Record(std::shared_ptr<aws::RequestContext> ctx, std::function<void(Status)> done) override;
  void Commit(aws::LogTicket ticket, store::Mutations mutations,
              std::function<void(Status)> done) override;
  Status Ready() const override;

  // Appends a prebuilt record (tests, tools).
  void Append(EventRecord record, std::function<void(Status)> done);
  // Appends records that must commit together (one call's copies for several accounts).
  void AppendAll(std::vector<EventRecord> records, std::function<void(Status)> done);
  // Blocks until everything submitted before the call is committed; returns the store's health.
  Status Flush();
  // Runs one retention sweep now (tests); returns records dropped.
  size_t SweepRetention();

 protected:
  void Abandon(uint64_t position) override;

 private:
  struct Pending {
    std::vector<EventRecord> records;
    store::Mutations mutations;
    std::function<void(Status)> done;  // null for a place given up
  };
  void Submit(uint64_t position, Pending pending);
  void Run();

  EventStore& store_;
  const EventBuilder& builder_;
  const Clock& clock_;
  EventWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_position_ = 1;             // guarded by mu_: the next place handed out
  uint64_t next_commit_ = 1;               // guarded by mu_: the next place to commit
  std::map<uint64_t, Pending> submitted_;  // guarded by mu_, by place
  bool stopping_ = false;                  // guarded by mu_
  std::thread thread_;
};

}  // namespace sagetrail::cloudtrail
