// AuditSink: the commit path. A finished call goes here before its response may be sent: its
// CloudTrail record and the state changes it made (RequestContext::mutations) are committed
// together, in one durable batch, and `done` runs once they are durable (or with the error that
// kept them from being; the pipeline then answers with a server error instead of the real
// answer). State changes made outside any call (a lifecycle step) go through Commit().
//
// Order. Every commit takes a place in one total order (a LogTicket). A service takes its place
// while the state the call read or changed is still locked, so that the log holds calls in the
// order in which they saw the state: a call that observed another's change is never durable
// before it. Commits happen strictly in ticket order.
//
// `done` may run on any thread. Implementations must be thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/status.h"
#include "store/mutation.h"

namespace sagetrail::aws {

struct RequestContext;
class AuditSink;

// A place in the commit order. Move-only; a ticket dropped without being committed gives its
// place up (the commits after it do not wait for it).
class LogTicket {
 public:
  LogTicket() = default;
  LogTicket(AuditSink* sink, uint64_t position) : sink_(sink), position_(position) {}
  LogTicket(LogTicket&& o) noexcept : sink_(o.sink_), position_(o.position_) { o.sink_ = nullptr; }
  LogTicket& operator=(LogTicket&& o) noexcept;
  LogTicket(const LogTicket&) = delete;
  LogTicket& operator=(const LogTicket&) = delete;
  ~LogTicket() { Abandon(); }

  bool valid() const { return sink_ != nullptr; }
  uint64_t position() const { return position_; }
  // Hands the place over to the sink that will commit at it; the ticket is empty afterwards.
  uint64_t Release() {
    sink_ = nullptr;
    return position_;
  }

 private:
  void Abandon();
  AuditSink* sink_ = nullptr;
  uint64_t position_ = 0;
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;

  // The next place in the commit order.
  virtual LogTicket Reserve() = 0;
  // Records `ctx` (if it reached a service) and commits ctx->mutations at ctx->ticket (a place
  // is taken now if the call took none).
  virtual void Record(std::shared_ptr<RequestContext> ctx, std::function<void(Status)> done) = 0;
  // Commits state changes that belong to no call at `ticket`.
  virtual void Commit(LogTicket ticket, store::Mutations mutations,
                      std::function<void(Status)> done) = 0;
  // Whether commits can succeed right now. When not, the pipeline refuses calls before they
  // run, so nothing happens that could not be recorded.
  virtual Status Ready() const { return Status::Ok(); }

 protected:
  friend class LogTicket;
  // A ticket gave its place up without a commit.
  virtual void Abandon(uint64_t position) = 0;
};

inline LogTicket& LogTicket::operator=(LogTicket&& o) noexcept {
  if (this != &o) {
    Abandon();
    sink_ = o.sink_;
    position_ = o.position_;
    o.sink_ = nullptr;
  }
  return *this;
}

inline void LogTicket::Abandon() {
  if (sink_ != nullptr) {
    AuditSink* sink = sink_;
    sink_ = nullptr;
    sink->Abandon(position_);
  }
}

// Records nothing; every commit completes at once (tests and benchmarks of other layers).
class NullAuditSink final : public AuditSink {
 public:
  LogTicket Reserve() override { return LogTicket(this, ++next_); }
  void Record(std::shared_ptr<RequestContext>, std::function<void(Status)> done) override {
    done(Status::Ok());
  }
  void Commit(LogTicket ticket, store::Mutations, std::function<void(Status)> done) override {
    ticket.Release();
    done(Status::Ok());
  }

 protected:
  void Abandon(uint64_t) override {}

 private:
  std::atomic<uint64_t> next_{0};
};

}  // namespace sagetrail::aws
