// SageMakerServiceTest: the fixture the SageMaker service tests derive from. A SageMakerService on
// a ResourceStore in a fresh directory, time driven by a FakeClock and a ManualScheduler, and
// hand-made requests (authenticated, account 123456789012, us-west-2 unless told otherwise)
// through SageMakerService::Invoke, with the call's after_audit actions handed to the test (Call)
// or run at once (Do). A fixture picks its durations by overriding TestTimings().
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fakes/manual_scheduler.h"
#include "fakes/memory_state.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "sagemaker/sagemaker_service.h"

namespace sagetrail::sagemaker::testing {

class SageMakerServiceTest : public ::testing::Test {
 protected:
  using Actions = std::vector<std::function<Status()>>;
  using CallResult = Result<boost::json::value, aws::AwsError>;

  // A request's input: JSON text (parsed) or a JSON value.
  struct Input {
    Input(const char* text) : value(boost::json::parse(text)) {}
    Input(std::string_view text) : value(boost::json::parse(text)) {}
    Input(const std::string& text) : value(boost::json::parse(text)) {}
    Input(boost::json::object o) : value(std::move(o)) {}
    Input(boost::json::value v) : value(std::move(v)) {}
    boost::json::value value;
  };

  static constexpr char kAcct[] = "123456789012";
  static constexpr char kRegion[] = "us-west-2";
  // Where clock_ starts.
  static inline const TimePoint kStart = FromUnixSeconds(1763805600);

  void SetUp() override {
    service_ = Start();
    ASSERT_NE(service_, nullptr);
  }

  // The durations the service runs with; the defaults unless the fixture says otherwise.
  virtual Timings TestTimings() const { return {}; }

  // A service on the durable state state_ and the current scheduler_, or null (and a failure).
  std::unique_ptr<SageMakerService> Start(std::unique_ptr<TrainingRunner> runner = nullptr) {
    auto service = SageMakerService::Create(state_, state_, clock_, *scheduler_, TestTimings(),
                                            std::move(runner));
    EXPECT_TRUE(service.ok()) << service.error().ToString();
    return service.ok() ? std::move(service).value() : nullptr;
  }

  // A new process on the same durable state: the old service and its scheduled tasks are gone;
  // state comes from what was committed.
  void Restart(std::unique_ptr<TrainingRunner> runner = nullptr) {
    service_.reset();
    scheduler_ = std::make_unique<sagetrail::testing::ManualScheduler>(clock_);
    service_ = Start(std::move(runner));
    ASSERT_NE(service_, nullptr);
  }

  // Calls `fn(account, region, resource)` for everything committed now ("on disk").
  void ForEachOnDisk(const std::function<void(const std::string& account, const std::string& region,
                                              Resource r)>& fn) const {
    Status s = ResourceStore(state_).ForEach(fn);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  // The resources on disk now (only those of `kind`, if given).
  std::vector<Resource> OnDisk(std::string_view kind = {}) const {
    std::vector<Resource> out;
    ForEachOnDisk([&](const std::string&, const std::string&, Resource r) {
      if (kind.empty() || r.kind == kind) out.push_back(std::move(r));
    });
    return out;
  }

  // The status stored for the `kind` resource `name_key`, or "<absent>".
  std::string StatusOnDisk(std::string_view kind, const std::string& name_key) const {
    for (const Resource& r : OnDisk(kind)) {
      if (r.name_key == name_key) return r.status;
    }
    return "<absent>";
  }

  // An authenticated call of `op` with `input` in `account` and `region`, not yet run.
  aws::RequestContext Context(const std::string& op, boost::json::value input,
                              const std::string& account = kAcct,
                              const std::string& region = kRegion) {
    aws::RequestContext ctx;
    ctx.service = sagetrail::testing::Models().Find("sagemaker");
    ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.authenticated = true;
    ctx.account_id = account;
    ctx.region = region;
    ctx.identity.account_id = account;
    ctx.input = std::move(input);
    return ctx;
  }

  // Invokes `op`; its commit (the state it changed, then its after_audit actions, as the
  // pipeline runs them once the call is recorded) goes to `actions`, for the test to run (or
  // not). A failed call must change nothing, and so must any call when `actions` is null.
  CallResult Call(const std::string& op, const Input& input, Actions* actions,
                  const std::string& account = kAcct, const std::string& region = kRegion) {
    aws::RequestContext ctx = Context(op, input.value, account, region);
    auto result = service_->Invoke(ctx);
    bool changed = !ctx.mutations.empty() || !ctx.after_audit.empty();
    if (!result.ok()) {
      EXPECT_FALSE(changed) << op << " failed but changed something";
    } else if (!actions) {
      EXPECT_FALSE(changed) << op << " changed something";
    }
    if (actions) {
      if (!ctx.mutations.empty()) {
        actions->push_back([this, m = std::move(ctx.mutations)] { return state_.Apply(m); });
      }
      for (auto& a : ctx.after_audit) actions->push_back(std::move(a));
    }
    return result;
  }

  // Invokes `op` and runs its actions, as the pipeline does once the record is durable.
  CallResult Do(const std::string& op, const Input& input, const std::string& account = kAcct,
                const std::string& region = kRegion) {
    Actions actions;
    auto result = Call(op, input, &actions, account, region);
    for (auto& a : actions) {
      Status s = a();
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return result;
  }

  static void ExpectError(const CallResult& r, const std::string& code,
                          const std::string& message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(r.error().message, message);
    EXPECT_EQ(r.error().http_status, 400);
  }
  static void ExpectError(const CallResult& r, const std::string& message) {
    ExpectError(r, "ValidationException", message);
  }

  sagetrail::testing::TempDir dir_;
  sagetrail::testing::MemoryState state_;  // the durable state, outliving restarts
  sagetrail::testing::FakeClock clock_{kStart};
  std::unique_ptr<sagetrail::testing::ManualScheduler> scheduler_ =
      std::make_unique<sagetrail::testing::ManualScheduler>(clock_);
  std::unique_ptr<SageMakerService> service_;
};

}  // namespace sagetrail::sagemaker::testing
