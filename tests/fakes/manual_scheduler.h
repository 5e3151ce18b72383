// ManualScheduler: a Scheduler for tests. Nothing runs until the test says so: RunDue() runs every
// task whose time has come by the FakeClock (including tasks those tasks schedule), and
// AdvanceTo() walks the clock forward task by task, so every intermediate state is reached in
// order, as it would be in real time. Tasks capture whoever scheduled them: a test that
// simulates a restart (a new service on the same store) needs a new ManualScheduler too.
#pragma once

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "common/scheduler.h"
#include "fakes/test_support.h"

namespace sagetrail::testing {

class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(FakeClock& clock) : clock_(clock) {}

  void ScheduleAt(TimePoint at, std::function<void()> task) override {
    std::lock_guard<std::mutex> l(mu_);
    tasks_.push_back({at, order_++, std::move(task)});
  }

  // Runs every task due now; returns how many ran.
  int RunDue() {
    int ran = 0;
    while (auto task = PopDue(clock_.Now())) {
      (*task)();
      ++ran;
    }
    return ran;
  }

  // Moves the clock to each pending task's time in turn (never past `target`), running them,
  // then sets the clock to `target`.
  void AdvanceTo(TimePoint target) {
    while (true) {
      RunDue();
      auto next = NextTime();
      if (!next || *next > target) break;
      clock_.Set(std::max(*next, clock_.Now()));
    }
    clock_.Set(std::max(target, clock_.Now()));
    RunDue();
  }
  void AdvanceBy(std::chrono::milliseconds d) { AdvanceTo(clock_.Now() + d); }

  size_t pending() const {
    std::lock_guard<std::mutex> l(mu_);
    return tasks_.size();
  }

 private:
  struct Task {
    TimePoint at;
    uint64_t order;
    std::function<void()> fn;
  };

  std::optional<TimePoint> NextTime() const {
    std::lock_guard<std::mutex> l(mu_);
    if (tasks_.empty()) return std::nullopt;
    TimePoint t = tasks_.front().at;
    for (const Task& task : tasks_) t = std::min(t, task.at);
    return t;
  }

  std::optional<std::function<void()>> PopDue(TimePoint now) {
    std::lock_guard<std::mutex> l(mu_);
    auto best = tasks_.end();
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (it->at > now) continue;
      if (best == tasks_.end() || it->at < best->at ||
          (it->at == best->at && it->order < best->order)) {
        best = it;
      }
    }
    if (best == tasks_.end()) return std::nullopt;
    std::function<void()> fn = std::move(best->fn);
    tasks_.erase(best);
    return fn;
  }

  FakeClock& clock_;
  mutable std::mutex mu_;
  std::vector<Task> tasks_;
  uint64_t order_ = 0;
};

}  // namespace sagetrail::testing
