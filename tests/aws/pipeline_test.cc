// Pipeline: the stages in their order, what is recorded and what is answered when a stage fails,
// the commit gate (nothing answered before its record is durable, a failed commit answered as a
// server error), and the internal entry (a service's own call, recorded as an AwsServiceEvent).
#include "aws/pipeline.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "aws/sigv4/signer.h"
#include "aws/sigv4/signing_key_cache.h"
#include "cloudtrail/record/event_builder.h"
#include "cloudtrail/store/event_writer.h"
#include "common/random.h"
#include "fakes/fake_event_store.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

namespace json = boost::json;
using sagetrail::testing::FakeClock;
using sagetrail::testing::FakeCredentialStore;
using sagetrail::testing::Models;

constexpr char kAcct[] = "123456789012";
constexpr char kKey[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// A SageMaker whose operations each exercise one path: CreateModel changes state, DescribeModel
// fails as a value, DeleteModel throws (a bug), ListModels answers. Every stage it sees is noted.
class ScriptedSageMaker final : public Service {
 public:
  std::string_view name() const override { return "sagemaker"; }
  bool Implements(std::string_view op) const override { return op != "ListTrainingJobs"; }
  std::optional<AwsError> CheckInput(const RequestContext& ctx) const override {
    Note("check");
    if (ctx.input.is_object() && ctx.input.as_object().contains("NextToken")) {
      return AwsError{"ValidationException", "bad token", 400, true};
    }
    return std::nullopt;
  }
  std::vector<CallResource> ResolveResources(const RequestContext& ctx) const override {
    Note("resolve");
    if (!ctx.input.is_object()) return {};
    const json::value* name = ctx.input.as_object().if_contains("ModelName");
    if (name == nullptr || !name->is_string()) return {};
    std::string n(name->as_string());
    return {{"AWS::SageMaker::Model", n,
             "arn:aws:sagemaker:us-east-1:" + ctx.account_id + ":model/" + n}};
  }
  Result<json::value, AwsError> Invoke(RequestContext& ctx) override {
    Note("handle");
    const std::string& op = ctx.operation->name;
    if (op == "CreateModel") {
      ctx.mutations.push_back(store::Mutation::Put("sagemaker/model", "{}"));
      return json::value{{"ModelArn", ctx.resources.at(0).arn}};
    }
    if (op == "DescribeModel")
      return AwsError{"ValidationException", "Could not find model", 400, true};
    if (op == "DeleteModel") throw std::runtime_error("boom");
    return json::value{{"Models", json::array()}};
  }

  std::vector<std::string> stages() const {
    std::lock_guard<std::mutex> l(mu_);
    return stages_;
  }
  void Note(std::string stage) const {
    std::lock_guard<std::mutex> l(mu_);
    stages_.push_back(std::move(stage));
  }

 private:
  mutable std::mutex mu_;
  mutable std::vector<std::string> stages_;
};

// Denies every call on a resource named "secret"; notes that it ran.
class NamedDenier final : public Authorizer {
 public:
  explicit NamedDenier(ScriptedSageMaker& service) : service_(service) {}
  std::optional<std::string> Authorize(const RequestContext& ctx) const override {
    service_.Note("authorize");
    for (const auto& r : ctx.resources) {
      if (r.name == "secret") return "User: " + ctx.identity.arn + " is not authorized";
    }
    return std::nullopt;
  }
  bool ServiceCanAssumeRole(std::string_view, std::string_view) const override { return true; }

 private:
  ScriptedSageMaker& service_;
};

// An AuditSink that keeps every call it is given and answers with a chosen status, either at
// once or when released.
class HoldingSink final : public AuditSink {
 public:
  LogTicket Reserve() override { return LogTicket(this, next_++); }
  void Record(std::shared_ptr<RequestContext> ctx, std::function<void(Status)> done) override {
    std::lock_guard<std::mutex> l(mu_);
    calls.push_back(ctx);
    if (hold) {
      held.push_back(std::move(done));
    } else {
      done(status);
    }
  }
  void Commit(LogTicket ticket, store::Mutations, std::function<void(Status)> done) override {
    ticket.Release();
    done(status);
  }
  Status Ready() const override { return ready; }
  void Release(Status s) {
    std::vector<std::function<void(Status)>> h;
    {
      std::lock_guard<std::mutex> l(mu_);
      h.swap(held);
    }
    for (auto& d : h) d(s);
  }

  std::mutex mu_;
  std::vector<std::shared_ptr<RequestContext>> calls;
  std::vector<std::function<void(Status)>> held;
  Status status = Status::Ok();
  Status ready = Status::Ok();
  bool hold = false;

 protected:
  void Abandon(uint64_t) override {}

 private:
  uint64_t next_ = 1;
};

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : router_(Models()), verifier_(creds_, clock_, cache_), denier_(service_) {
    Credential c;
    c.access_key_id = kKey;
    c.secret_access_key = kSecret;
    c.identity.type = IdentityType::kIAMUser;
    c.identity.account_id = kAcct;
    c.identity.arn = "arn:aws:iam::123456789012:user/alice";
    c.identity.user_name = "alice";
    c.identity.access_key_id = kKey;
    creds_.Add(c);
    router_.Attach(&service_);
  }

  Pipeline& Make(AuditSink& sink) {
    pipeline_ = std::make_unique<Pipeline>(router_, verifier_, clock_, random_, sink, "test");
    pipeline_->SetAuthorizer(&denier_);
    return *pipeline_;
  }

  http::Request Request(const std::string& op, const std::string& body, bool sign = true) {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.remote_ip = "203.0.113.9";
    r.headers = {{"Host", "api.sagemaker.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "SageMaker." + op},
                 {"User-Agent", "test-agent"}};
    r.body = body;
    if (sign) {
      sigv4::SignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "sagemaker", false}, clock_.Now());
    }
    return r;
  }

  // Sends a request and returns the answer, which must come synchronously (the sink answers at
  // once unless told to hold).
  http::Response Send(Pipeline& p, http::Request r) {
    std::optional<http::Response> answer;
    p.Handle(std::move(r), [&](http::Response resp) { answer = std::move(resp); });
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(http::Response{});
  }

  static json::object Body(const http::Response& r) { return json::parse(r.body).as_object(); }

  FakeClock clock_;
  SeededRandom random_{7};
  FakeCredentialStore creds_;
  sigv4::SigningKeyCache cache_;
  ServiceRouter router_;
  sigv4::Verifier verifier_;
  ScriptedSageMaker service_;
  NamedDenier denier_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, StagesRunInOrderAndTheCallIsRecordedWithItsChanges) {
  HoldingSink sink;
  Pipeline& p = Make(sink);
  http::Response r = Send(p, Request("CreateModel", R"({"ModelName":"m1","ExecutionRoleArn":)"
                                                    R"("arn:aws:iam::123456789012:role/r"})"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).at("ModelArn").as_string(),
            "arn:aws:sagemaker:us-east-1:123456789012:model/m1");
  EXPECT_EQ(service_.stages(),
            (std::vector<std::string>{"resolve", "authorize", "check", "handle"}));
  ASSERT_EQ(sink.calls.size(), 1u);
  const RequestContext& ctx = *sink.calls[0];
  EXPECT_EQ(ctx.operation->name, "CreateModel");
  EXPECT_EQ(ctx.event_type, "AwsApiCall");
  EXPECT_EQ(ctx.source_ip, "203.0.113.9");
  EXPECT_EQ(ctx.user_agent, "test-agent");
  EXPECT_EQ(ctx.identity.user_name, "alice");
  EXPECT_EQ(ctx.mutations.size(), 1u);
  EXPECT_FALSE(ctx.error.has_value());
  EXPECT_NE(ctx.completed_at, TimePoint{});
}

TEST_F(PipelineTest, AnAnswerWaitsForItsCommit) {
  HoldingSink sink;
  sink.hold = true;
  Pipeline& p = Make(sink);
  std::optional<http::Response> answer;
  p.Handle(Request("ListModels", "{}"), [&](http::Response r) { answer = std::move(r); });
  EXPECT_FALSE(answer.has_value());  // recorded, not yet durable: nothing said
  sink.Release(Status::Ok());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
}

TEST_F(PipelineTest, AFailedCommitIsAServerErrorNotTheAnswer) {
  HoldingSink sink;
  sink.status = Status::IOError("disk full");
  Pipeline& p = Make(sink);
  http::Response r = Send(p, Request("CreateModel", R"({"ModelName":"m1","ExecutionRoleArn":)"
                                                    R"("arn:aws:iam::123456789012:role/r"})"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r).at("__type").as_string(), "ServiceUnavailable");
  EXPECT_NE(r.body.find("disk full"), std::string::npos);
  EXPECT_EQ(r.body.find("ModelArn"), std::string::npos);
}

TEST_F(PipelineTest, AStoreThatCannotCommitRefusesBeforeAnythingRuns) {
  HoldingSink sink;
  sink.ready = Status::IOError("sticky failure");
  Pipeline& p = Make(sink);
  http::Response r = Send(p, Request("CreateModel", R"({"ModelName":"m1"})"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r).at("__type").as_string(), "ServiceUnavailable");
  EXPECT_TRUE(service_.stages().empty());
  EXPECT_TRUE(sink.calls.empty());
  // The health check says why.
  http::Request health;
  health.method = "GET";
  health.target = "/_sagetrail/health";
  http::Response h = Send(p, health);
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(Body(h).at("status").as_string(), "degraded");
  EXPECT_EQ(Body(h).at("reason").as_string(), "sticky failure");
}

TEST_F(PipelineTest, UnsignedAndUnknownRequestsAreAnsweredButNotRecorded) {
  HoldingSink sink;
  Pipeline& p = Make(sink);
  http::Response unsigned_call = Send(p, Request("ListModels", "{}", /*sign=*/false));
  EXPECT_EQ(unsigned_call.status, 400);
  EXPECT_EQ(Body(unsigned_call).at("__type").as_string(), "MissingAuthenticationTokenException");
  http::Response unknown = Send(p, Request("NoSuchOperation", "{}"));
  EXPECT_EQ(Body(unknown).at("__type").as_string(), "UnknownOperationException");
  EXPECT_TRUE(sink.calls.empty());
  EXPECT_TRUE(service_.stages().empty());
}

TEST_F(PipelineTest, EachFailingStageStopsTheRestAndIsRecorded) {
  HoldingSink sink;
  Pipeline& p = Make(sink);
  // Parse: not JSON.
  http::Response parse = Send(p, Request("ListModels", "{not json"));
  EXPECT_EQ(Body(parse).at("__type").as_string(), "SerializationException");
  EXPECT_TRUE(service_.stages().empty());
  // Authorize: the denial is the answer; the service's checks and handler never run.
  http::Response denied = Send(p, Request("DescribeModel", R"({"ModelName":"secret"})"));
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(Body(denied).at("__type").as_string(), "AccessDeniedException");
  EXPECT_EQ(service_.stages(), (std::vector<std::string>{"resolve", "authorize"}));
  // Check: the service's own error comes before the model's validation.
  Send(p, Request("ListModels", R"({"NextToken":"x","MaxResults":0})"));
  ASSERT_EQ(sink.calls.size(), 3u);
  EXPECT_EQ(sink.calls[2]->error->message, "bad token");
  // Validate: the model's constraints, before the handler.
  http::Response invalid = Send(p, Request("ListModels", R"({"MaxResults":0})"));
  EXPECT_EQ(Body(invalid).at("__type").as_string(), "ValidationException");
  // Handle: a failure as a value, and a thrown bug as an InternalFailure that the server survives.
  http::Response missing = Send(p, Request("DescribeModel", R"({"ModelName":"m"})"));
  EXPECT_EQ(Body(missing).at("message").as_string(), "Could not find model");
  http::Response bug = Send(p, Request("DeleteModel", R"({"ModelName":"m"})"));
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(Body(bug).at("__type").as_string(), "InternalFailure");
  // Not implemented here.
  http::Response ni = Send(p, Request("ListTrainingJobs", "{}"));
  EXPECT_EQ(Body(ni).at("__type").as_string(), "NotImplemented");
  ASSERT_EQ(sink.calls.size(), 7u);
  for (const auto& c : sink.calls) EXPECT_TRUE(c->error.has_value()) << c->operation->name;
}

TEST_F(PipelineTest, TheInternalEntryRunsTheSameStagesAsTheService) {
  HoldingSink sink;
  Pipeline& p = Make(sink);
  InternalCall call;
  call.service = "sagemaker";
  call.operation = "CreateModel";
  call.input =
      json::parse(R"({"ModelName":"m2","ExecutionRoleArn":"arn:aws:iam::123456789012:role/r"})");
  call.account_id = kAcct;
  call.region = "eu-west-1";
  call.caller.type = IdentityType::kAWSService;
  call.caller.invoked_by = "sagemaker.amazonaws.com";
  call.service_event = true;
  call.service_event_details = json::parse(R"({"why":"tuning"})");
  std::optional<InternalResult> result;
  p.Invoke(std::move(call), [&](InternalResult r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->error.has_value()) << result->error->message;
  EXPECT_EQ(result->output.at("ModelArn").as_string(),
            "arn:aws:sagemaker:us-east-1:123456789012:model/m2");
  EXPECT_EQ(service_.stages(),
            (std::vector<std::string>{"resolve", "authorize", "check", "handle"}));
  ASSERT_EQ(sink.calls.size(), 1u);
  const RequestContext& ctx = *sink.calls[0];
  EXPECT_EQ(ctx.event_type, "AwsServiceEvent");
  EXPECT_EQ(ctx.source_ip, "sagemaker.amazonaws.com");
  EXPECT_EQ(ctx.user_agent, "sagemaker.amazonaws.com");
  EXPECT_EQ(ctx.region, "eu-west-1");
  EXPECT_EQ(ctx.request_id, result->request_id);
  EXPECT_EQ(ctx.mutations.size(), 1u);
}

TEST_F(PipelineTest, TheInternalEntryReportsFailuresAsValues) {
  HoldingSink sink;
  Pipeline& p = Make(sink);
  auto invoke = [&](std::string service, std::string op, std::string input) {
    InternalCall call;
    call.service = std::move(service);
    call.operation = std::move(op);
    call.input = json::parse(input);
    call.account_id = kAcct;
    call.region = "us-east-1";
    call.caller.type = IdentityType::kAWSService;
    call.caller.invoked_by = "sagemaker.amazonaws.com";
    std::optional<InternalResult> result;
    p.Invoke(std::move(call), [&](InternalResult r) { result = std::move(r); });
    EXPECT_TRUE(result.has_value());
    return result.value_or(InternalResult{});
  };
  EXPECT_EQ(invoke("sagemaker", "Nope", "{}").error->code, "UnknownOperationException");
  EXPECT_EQ(invoke("nope", "ListModels", "{}").error->code, "UnknownOperationException");
  EXPECT_TRUE(sink.calls.empty());  // nothing named: nothing recorded
  EXPECT_EQ(invoke("sagemaker", "DescribeModel", R"({"ModelName":"m"})").error->message,
            "Could not find model");
  EXPECT_EQ(invoke("sagemaker", "DescribeModel", R"({"ModelName":"secret"})").error->code,
            "AccessDeniedException");
  EXPECT_EQ(sink.calls.size(), 2u);  // failed calls are recorded
  sink.status = Status::IOError("disk full");
  EXPECT_EQ(invoke("sagemaker", "ListModels", "{}").error->code, "ServiceUnavailable");
  sink.ready = Status::IOError("disk full");
  EXPECT_EQ(invoke("sagemaker", "ListModels", "{}").error->code, "ServiceUnavailable");
  EXPECT_EQ(sink.calls.size(), 3u);  // refused before it ran: not recorded
}

// Through the real writer and record builder: the record a service's own call leaves.
TEST_F(PipelineTest, AServiceEventIsRecordedAsAwsServiceEvent) {
  sagetrail::testing::FakeEventStore store;
  cloudtrail::EventBuilder builder(random_);
  cloudtrail::EventWriter writer(store, builder, clock_);
  Pipeline& p = Make(writer);
  InternalCall call;
  call.service = "sagemaker";
  call.operation = "CreateModel";
  call.input =
      json::parse(R"({"ModelName":"m3","ExecutionRoleArn":"arn:aws:iam::123456789012:role/r"})");
  call.account_id = kAcct;
  call.region = "us-east-1";
  call.caller.type = IdentityType::kAWSService;
  call.caller.invoked_by = "sagemaker.amazonaws.com";
  call.caller.account_id = kAcct;
  call.service_event = true;
  call.service_event_details = json::parse(R"({"hyperParameterTuningJobArn":"x"})");
  std::mutex mu;
  std::condition_variable cv;
  std::optional<InternalResult> result;
  p.Invoke(std::move(call), [&](InternalResult r) {
    std::lock_guard<std::mutex> l(mu);
    result = std::move(r);
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return result.has_value(); }));
  }
  ASSERT_FALSE(result->error.has_value()) << result->error->message;
  auto records = store.records();
  ASSERT_EQ(records.size(), 1u);
  json::object o = json::parse(records[0].body).as_object();
  EXPECT_EQ(o.at("eventType").as_string(), "AwsServiceEvent");
  EXPECT_EQ(o.at("userIdentity"),
            json::parse(R"({"type":"AWSService","invokedBy":"sagemaker.amazonaws.com"})"));
  EXPECT_EQ(o.at("sourceIPAddress").as_string(), "sagemaker.amazonaws.com");
  EXPECT_EQ(o.at("serviceEventDetails").at("hyperParameterTuningJobArn").as_string(), "x");
  EXPECT_FALSE(o.contains("requestID"));
  EXPECT_EQ(o.at("resources").as_array().size(), 1u);
  EXPECT_EQ(store.state().count("sagemaker/model"), 1u);  // the change, in the same commit
}

}  // namespace
}  // namespace sagetrail::aws
