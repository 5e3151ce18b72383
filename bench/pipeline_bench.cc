// CPU cost of one signed request through the whole AWS pipeline (route, SigV4, parse, validate,
// handle, serialize) plus building its CloudTrail record, without the network or the disk.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "aws/pipeline.h"
#include "aws/sigv4/signer.h"
#include "cloudtrail/record/event_builder.h"
#include "fakes/manual_scheduler.h"
#include "fakes/memory_state.h"
#include "fakes/test_support.h"
#include "sagemaker/sagemaker_service.h"

namespace sagetrail {
namespace {

// Builds each call's record (the request thread's share of auditing) and completes at once.
class BuildOnlySink final : public aws::AuditSink {
 public:
  explicit BuildOnlySink(Random& random) : builder_(random) {}
  aws::LogTicket Reserve() override { return aws::LogTicket(this, ++next_); }
  void Record(std::shared_ptr<aws::RequestContext> ctx, std::function<void(Status)> done) override {
    ctx->ticket.Release();
    auto r = builder_.FromRequest(*ctx);
    benchmark::DoNotOptimize(r);
    done(Status::Ok());
  }
  void Commit(aws::LogTicket ticket, store::Mutations, std::function<void(Status)> done) override {
    ticket.Release();
    done(Status::Ok());
  }

 protected:
  void Abandon(uint64_t) override {}

 private:
  cloudtrail::EventBuilder builder_;
  uint64_t next_ = 0;
};

void BM_PipelineListModels(benchmark::State& state) {
  testing::FakeClock clock;
  SystemRandom random;
  testing::FakeCredentialStore creds;
  aws::Credential c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  c.identity.type = aws::IdentityType::kIAMUser;
  c.identity.account_id = "123456789012";
  c.identity.arn = "arn:aws:iam::123456789012:user/admin";
  c.identity.principal_id = "AIDAEXAMPLEEXAMPLEEX";
  c.identity.user_name = "admin";
  c.identity.access_key_id = c.access_key_id;
  creds.Add(c);
  aws::sigv4::SigningKeyCache cache;
  aws::sigv4::Verifier verifier(creds, clock, cache);
  aws::ServiceRouter router(testing::Models());
  testing::ManualScheduler scheduler(clock);
  testing::MemoryState durable;
  auto sm = sagemaker::SageMakerService::Create(durable, durable, clock, scheduler);
  router.Attach(sm->get());
  BuildOnlySink sink(random);
  aws::Pipeline pipeline(router, verifier, clock, random, sink, "bench");

  http::Request req;
  req.method = "POST";
  req.target = "/";
  req.remote_ip = "127.0.0.1";
  req.headers = {{"Host", "127.0.0.1:4566"},
                 {"Accept-Encoding", "identity"},
                 {"X-Amz-Target", "SageMaker.ListModels"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18"},
                 {"Content-Length", "2"}};
  req.body = "{}";
  aws::sigv4::SignRequest(req, {c.access_key_id, c.secret_access_key, ""},
                          {"us-west-2", "sagemaker", false}, clock.Now());
  int status = 0;
  for (auto _ : state) {
    pipeline.Handle(req, [&status](http::Response r) { status = r.status; });
  }
  if (status != 200) state.SkipWithError("ListModels did not succeed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PipelineListModels);

}  // namespace
}  // namespace sagetrail
