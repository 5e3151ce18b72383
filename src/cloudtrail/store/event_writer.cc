#include "cloudtrail/store/event_writer.h"

#include <spdlog/spdlog.h>

#include <future>
#include <vector>

namespace sagetrail::cloudtrail {

EventWriter::EventWriter(EventStore& store, const EventBuilder& builder, const Clock& clock,
                         EventWriterOptions options)
    : store_(store), builder_(builder), clock_(clock), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

EventWriter::~EventWriter() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventWriter::Record(std::shared_ptr<const aws::RequestContext> ctx,
                         std::function<void(Status)> done) {
  if (!ctx->reached_service()) {
    done(Status::Ok());  // not attributable to an account: nothing to record
    return;
  }
  AppendAll(builder_.RecordsFor(*ctx), std::move(done));
}

void EventWriter::RecordServiceEvent(aws::ServiceEvent event, std::function<void(Status)> done) {
  Append(builder_.FromServiceEvent(event, clock_.Now()), std::move(done));
}

Status EventWriter::Ready() const {
  if (healthy_.load(std::memory_order_relaxed)) return Status::Ok();
  return Status::Unavailable("the event store cannot commit records");
}

void EventWriter::Append(EventRecord record, std::function<void(Status)> done) {
  std::vector<EventRecord> records;
  records.push_back(std::move(record));
  AppendAll(std::move(records), std::move(done));
}

void EventWriter::AppendAll(std::vector<EventRecord> records, std::function<void(Status)> done) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      // Shutting down: the call is refused rather than left unrecorded.
      done(Status::Unavailable("the server is shutting down"));
      return;
    }
    queue_.push_back({std::move(records), std::move(done)});
  }
  cv_.notify_one();
}

void EventWriter::Flush() {
  std::promise<void> committed;
  auto fut = committed.get_future();
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back({{}, [&committed](Status) { committed.set_value(); }});
  }
  cv_.notify_one();
  fut.wait();
}

size_t EventWriter::SweepRetention() {
  size_t total = 0;
  TimePoint cutoff = clock_.Now() - options_.retention;
  while (true) {
    auto n = store_.DeleteOlderThan(cutoff, 5000);
    if (!n.ok()) {
      spdlog::warn("event retention sweep failed: {}", n.error().message());
      break;
    }
    total += *n;
    if (*n < 5000) break;
  }
  return total;
}

void EventWriter::Run() {
  auto next_sweep = std::chrono::steady_clock::now();
  std::vector<Pending> batch;
  std::vector<EventRecord> records;
  while (true) {
    {
      std::unique_lock<std::mutex> l(mu_);
      auto wake =
          healthy_ ? next_sweep : std::chrono::steady_clock::now() + std::chrono::seconds(1);
      cv_.wait_until(l, wake, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        if (stopping_) return;
        l.unlock();
        if (!healthy_) {
          if (store_.Probe().ok()) {
            healthy_ = true;
            spdlog::info("event store writable again");
          }
          continue;
        }
        if (std::chrono::steady_clock::now() >= next_sweep) {
          size_t dropped = SweepRetention();
          if (dropped > 0) spdlog::info("dropped {} events past retention", dropped);
          next_sweep = std::chrono::steady_clock::now() + options_.retention_interval;
        }
        continue;
      }
      size_t n = std::min(queue_.size(), options_.max_batch);
      batch.clear();
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    records.clear();
    for (Pending& p : batch) {
      for (EventRecord& r : p.records) records.push_back(std::move(r));
    }
    // A batch of Flush markers alone commits nothing, so it says nothing about the store's
    // health (an empty Append succeeds even on a failing store).
    Status s = records.empty() ? Status::Ok() : store_.Append(records);
    if (!s.ok()) {
      if (healthy_.exchange(false)) spdlog::error("event store append failed: {}", s.message());
    } else if (!records.empty()) {
      healthy_ = true;
    }
    for (Pending& p : batch) p.done(s);
  }
}

}  // namespace sagetrail::cloudtrail
