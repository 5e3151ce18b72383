// TrainingRunner: what actually trains a training job. The control plane moves the job through
// Starting and Downloading, hands it to the runner for the Training phase, and on the runner's
// outcome moves on to Uploading and Completed (or Failed). TimedTrainingRunner finishes after a
// configured time without producing metrics; the built-in algorithms plug in a real runner.
// Implementations are thread-safe; `done` may run on any thread, but never inside Start or Cancel:
// the control plane calls them with the job's account-and-region state locked, and `done` takes
// that lock.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "common/clock.h"
#include "common/scheduler.h"

namespace sagetrail::sagemaker {

struct TrainingRequest {
  std::string account_id;
  std::string region;
  std::string job_name;
  std::string job_arn;
  boost::json::object job;  // the job's Describe document at the start of training
};

struct TrainingOutcome {
  bool failed = false;
  std::string failure_reason;
  boost::json::array final_metrics;  // FinalMetricDataList entries, if any
};

class TrainingRunner {
 public:
  virtual ~TrainingRunner() = default;
  // Starts training; calls `done` exactly once with the outcome, unless Cancel(job_arn) comes
  // first (then `done` may or may not be called; callers ignore late outcomes).
  virtual void Start(const TrainingRequest& request, std::function<void(TrainingOutcome)> done) = 0;
  virtual void Cancel(const std::string& job_arn) = 0;
};

class TimedTrainingRunner final : public TrainingRunner {
 public:
  TimedTrainingRunner(Scheduler& scheduler, const Clock& clock, std::chrono::milliseconds duration)
      : scheduler_(scheduler), clock_(clock), duration_(duration) {}

  void Start(const TrainingRequest&, std::function<void(TrainingOutcome)> done) override {
    scheduler_.ScheduleAt(clock_.Now() + duration_,
                          [done = std::move(done)] { done(TrainingOutcome{}); });
  }
  void Cancel(const std::string&) override {}

 private:
  Scheduler& scheduler_;
  const Clock& clock_;
  std::chrono::milliseconds duration_;
};

}  // namespace sagetrail::sagemaker
