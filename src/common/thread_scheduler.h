// ThreadScheduler: a Scheduler with one thread that sleeps until the earliest task is due by
// the given Clock. Tasks must not block for long; they run one at a time. The destructor stops
// the thread; tasks not yet due are dropped (their state is persisted by their owners and
// scheduled again on the next start).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "common/scheduler.h"

namespace sagetrail {

class ThreadScheduler final : public Scheduler {
 public:
  explicit ThreadScheduler(const Clock& clock);
  ~ThreadScheduler() override;

  void ScheduleAt(TimePoint at, std::function<void()> task) override;

  // Stops the thread now (idempotent).
  void Stop();

 private:
  struct Entry {
    TimePoint at;
    uint64_t order;
    std::function<void()> task;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  void Run();

  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_;  // guarded by mu_
  uint64_t next_order_ = 0;                                                    // guarded by mu_
  bool stopping_ = false;                                                      // guarded by mu_
  std::thread thread_;
};

}  // namespace sagetrail
