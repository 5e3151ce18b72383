#include "common/thread_scheduler.h"

#include <algorithm>
#include <chrono>

namespace sagetrail {

ThreadScheduler::ThreadScheduler(const Clock& clock) : clock_(clock) {
  thread_ = std::thread([this] { Run(); });
}

ThreadScheduler::~ThreadScheduler() { Stop(); }

void ThreadScheduler::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ThreadScheduler::ScheduleAt(TimePoint at, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    queue_.push({at, next_order_++, std::move(task)});
  }
  cv_.notify_one();
}

void ThreadScheduler::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(l);
      continue;
    }
    TimePoint now = clock_.Now();
    if (queue_.top().at > now) {
      // Sleep until the earliest task, re-reading the clock at least every second (the clock is
      // not necessarily the steady one the condition variable waits on).
      auto wait =
          std::min<std::chrono::nanoseconds>(queue_.top().at - now, std::chrono::seconds(1));
      cv_.wait_for(l, wait);
      continue;
    }
    Entry e = std::move(const_cast<Entry&>(queue_.top()));
    queue_.pop();
    l.unlock();
    e.task();
    l.lock();
  }
}

}  // namespace sagetrail
