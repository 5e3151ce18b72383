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

aws::LogTicket EventWriter::Reserve() {
  std::lock_guard<std::mutex> l(mu_);
  return aws::LogTicket(this, next_position_++);
}

void EventWriter::Abandon(uint64_t position) { Submit(position, Pending{}); }

void EventWriter::Submit(uint64_t position, Pending pending) {
  {
    std::lock_guard<std::mutex> l(mu_);
    submitted_.emplace(position, std::move(pending));
  }
  cv_.notify_one();
}

void EventWriter::Record(std::shared_ptr<aws::RequestContext> ctx,
                         std::function<void(Status)> done) {
  ctx->TakeTicket();
  if (!ctx->ticket.valid()) ctx->ticket = Reserve();
  Pending p;
  // A call that never reached a service is attributed to no account: nothing to record, but
  // its place (and any change, which it cannot have made) still goes through in order.
  if (ctx->reached_service()) p.records = builder_.RecordsFor(*ctx);
  p.mutations = std::move(ctx->mutations);
  p.done = std::move(done);
  Submit(ctx->ticket.Release(), std::move(p));
}

void EventWriter::Commit(aws::LogTicket ticket, store::Mutations mutations,
                         std::function<void(Status)> done) {
  if (!ticket.valid()) ticket = Reserve();
  Submit(ticket.Release(), Pending{{}, std::move(mutations), std::move(done)});
}

Status EventWriter::Ready() const { return store_.health(); }

void EventWriter::Append(EventRecord record, std::function<void(Status)> done) {
  std::vector<EventRecord> records;
  records.push_back(std::move(record));
  AppendAll(std::move(records), std::move(done));
}

void EventWriter::AppendAll(std::vector<EventRecord> records, std::function<void(Status)> done) {
  aws::LogTicket ticket = Reserve();
  Submit(ticket.Release(), Pending{std::move(records), {}, std::move(done)});
}

Status EventWriter::Flush() {
  std::promise<Status> committed;
  auto fut = committed.get_future();
  aws::LogTicket ticket = Reserve();
  Submit(ticket.Release(),
         Pending{{}, {}, [&committed](Status s) { committed.set_value(std::move(s)); }});
  return fut.get();
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
  store::Mutations mutations;
  while (true) {
    {
      std::unique_lock<std::mutex> l(mu_);
      auto ready = [this] {
        return !submitted_.empty() && submitted_.begin()->first == next_commit_;
      };
      cv_.wait_until(l, next_sweep, [&] { return ready() || (stopping_ && submitted_.empty()); });
      if (!ready()) {
        // Stopping with nothing left: every place taken was submitted or given up (those who
        // took them are gone by now).
        if (stopping_ && submitted_.empty()) return;
        l.unlock();
        if (std::chrono::steady_clock::now() >= next_sweep) {
          if (store_.health().ok()) {
            size_t dropped = SweepRetention();
            if (dropped > 0) spdlog::info("dropped {} events past retention", dropped);
          }
          next_sweep = std::chrono::steady_clock::now() + options_.retention_interval;
        }
        continue;
      }
      // The run of consecutive places from next_commit_ on.
      batch.clear();
      while (batch.size() < options_.max_batch && !submitted_.empty() &&
             submitted_.begin()->first == next_commit_) {
        batch.push_back(std::move(submitted_.begin()->second));
        submitted_.erase(submitted_.begin());
        ++next_commit_;
      }
    }
    records.clear();
    mutations.clear();
    for (Pending& p : batch) {
      for (EventRecord& r : p.records) records.push_back(std::move(r));
      for (store::Mutation& m : p.mutations) mutations.push_back(std::move(m));
    }
    // One atomic batch for the whole group; a failed store answers without trying (sticky).
    Status s = store_.health();
    if (s.ok() && (!records.empty() || !mutations.empty())) {
      s = store_.Commit(records, mutations);
      if (!s.ok())
        spdlog::error("commit failed; refusing every call until restart: {}", s.message());
    }
    for (Pending& p : batch) {
      if (p.done) p.done(s);
    }
  }
}

}  // namespace sagetrail::cloudtrail
