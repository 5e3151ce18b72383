// MemoryState: the durable state and the commit path, in memory, for tests of services: a
// StateReader over a map, and an AuditSink that applies a commit's mutations to the map at once
// (or refuses them all, after SetCommitStatus with an error). Records are not kept.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "aws/audit_sink.h"
#include "aws/request_context.h"
#include "store/state_reader.h"

namespace sagetrail::testing {

class MemoryState final : public store::StateReader, public aws::AuditSink {
 public:
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    std::map<std::string, std::string> copy;
    {
      std::lock_guard<std::mutex> l(mu_);
      copy = values_;
    }
    for (auto it = copy.lower_bound(std::string(prefix));
         it != copy.end() && std::string_view(it->first).starts_with(prefix); ++it) {
      if (!fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  aws::LogTicket Reserve() override {
    std::lock_guard<std::mutex> l(mu_);
    return aws::LogTicket(this, ++reserved_);
  }
  void Record(std::shared_ptr<aws::RequestContext> ctx, std::function<void(Status)> done) override {
    ctx->ticket.Release();
    done(Apply(ctx->mutations));
  }
  void Commit(aws::LogTicket ticket, store::Mutations mutations,
              std::function<void(Status)> done) override {
    ticket.Release();
    done(Apply(mutations));
  }
  Status Ready() const override {
    std::lock_guard<std::mutex> l(mu_);
    return status_;
  }

  // Applies `mutations` now, unless commits are set to fail.
  Status Apply(const store::Mutations& mutations) {
    std::lock_guard<std::mutex> l(mu_);
    if (!status_.ok()) return status_;
    for (const store::Mutation& m : mutations) {
      if (m.value) {
        values_[m.key] = *m.value;
      } else {
        values_.erase(m.key);
      }
    }
    ++commits_;
    return Status::Ok();
  }
  // Every later commit fails with `s` (OK: they succeed again).
  void SetCommitStatus(Status s) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = std::move(s);
  }
  size_t commits() const {
    std::lock_guard<std::mutex> l(mu_);
    return commits_;
  }
  size_t size() const {
    std::lock_guard<std::mutex> l(mu_);
    return values_.size();
  }

 protected:
  void Abandon(uint64_t) override {}

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;  // guarded by mu_
  uint64_t reserved_ = 0;                      // guarded by mu_
  size_t commits_ = 0;                         // guarded by mu_
  Status status_;                              // guarded by mu_
};

}  // namespace sagetrail::testing
