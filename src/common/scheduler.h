// Scheduler: runs a task once the Clock reaches a given time. State machines (jobs finishing,
// endpoints coming into service) are driven by it, never by sleeping threads, so tests can run
// hours of transitions in milliseconds with a fake clock and a manual scheduler.
// Implementations are thread-safe.
#pragma once

#include <functional>

#include "common/clock.h"

namespace sagetrail {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `task` (on the scheduler's own thread) once the clock reads `at` or later; at once if
  // it already does. Tasks that are due together run in the order they were scheduled. There is
  // no cancellation: a task that may go stale checks its own preconditions.
  virtual void ScheduleAt(TimePoint at, std::function<void()> task) = 0;
};

}  // namespace sagetrail
