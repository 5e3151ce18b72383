// Cost of authorizing one request (issue 6 target: <= 2 us for a user with 10 policies of 10
// statements): IamAuthorizer::Authorize over a real IdentityStore, the way the pipeline calls it
// for every signed request (resource ARN, condition context, policy lookup, evaluation).
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <filesystem>

#include "fakes/memory_state.h"
#include "fakes/test_support.h"
#include "iam/iam_authorizer.h"
#include "iam/identity_store.h"

namespace sagetrail {
namespace {

namespace json = boost::json;

constexpr char kAcct[] = "123456789012";

// Ten statements, the last of policy 9 allowing what the benchmark asks for; the others allow
// or deny neighbouring actions and resources, with a condition on every third, so each one is
// matched and rejected on its merits.
std::string PolicyDocument(int p) {
  json::array statements;
  for (int s = 0; s < 10; ++s) {
    json::object st;
    bool last = p == 9 && s == 9;
    st["Effect"] = (s % 4 == 3 && !last) ? "Deny" : "Allow";
    if (last) {
      st["Action"] = json::array{"sagemaker:CreateModel", "sagemaker:DescribeModel"};
      st["Resource"] = "arn:aws:sagemaker:*:123456789012:model/team-*";
    } else {
      st["Action"] =
          json::array{"sagemaker:Describe" + std::to_string(p) + "Thing" + std::to_string(s),
                      "sagemaker:List*Jobs" + std::to_string(s), "iam:Get*"};
      st["Resource"] = json::array{
          "arn:aws:sagemaker:us-east-1:123456789012:endpoint/p" + std::to_string(p) + "-*",
          "arn:aws:sagemaker:*:123456789012:training-job/s" + std::to_string(s) + "?"};
    }
    if (s % 3 == 2 && !last) {
      st["Condition"] = json::object{
          {"IpAddress", json::object{{"aws:SourceIp", json::array{"10.0.0.0/8", "192.0.2.0/24"}}}},
          {"StringEquals", json::object{{"aws:RequestedRegion", "eu-west-1"}}}};
    }
    statements.push_back(std::move(st));
  }
  return json::serialize(json::object{{"Version", "2012-10-17"}, {"Statement", statements}});
}

class AuthorizationFixture {
 public:
  AuthorizationFixture()
      : dir_(std::filesystem::temp_directory_path() /
             ("sagetrail_authz_bench_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    store_ = std::move(iam::IdentityStore::Open(state_, state_, random_, clock_)).value();
    (void)store_->CreateAccount(kAcct, "");
    (void)store_->CreateUser(kAcct, "bob");
    key_ = store_->CreateAccessKey(kAcct, "bob")->access_key_id;
    // Five inline policies and five customer managed ones attached.
    for (int p = 0; p < 10; ++p) {
      if (p < 5) {
        (void)store_->PutInlinePolicy(kAcct, {"user", "bob"}, "inline" + std::to_string(p),
                                      PolicyDocument(p));
      } else {
        iam::ManagedPolicyRecord m;
        m.account_id = kAcct;
        m.name = "managed" + std::to_string(p);
        m.document = PolicyDocument(p);
        auto added = store_->AddManagedPolicy(m);
        (void)store_->Attach(kAcct, {"user", "bob"}, added->arn);
      }
    }
    authorizer_ = std::make_unique<iam::IamAuthorizer>(*store_, clock_);
  }
  ~AuthorizationFixture() {
    authorizer_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  aws::RequestContext Ctx(const std::string& op, const std::string& model_name) {
    aws::RequestContext ctx;
    ctx.service = testing::Models().Find("sagemaker");
    ctx.operation = ctx.service->FindOperation(op);
    ctx.authenticated = true;
    ctx.credential = store_->Find(key_, "");
    ctx.identity = ctx.credential->identity;
    ctx.account_id = kAcct;
    ctx.region = "us-east-1";
    ctx.source_ip = "203.0.113.7";
    ctx.input = json::object{{"ModelName", model_name}};
    return ctx;
  }

  const iam::IamAuthorizer& authorizer() const { return *authorizer_; }

 private:
  std::filesystem::path dir_;
  testing::FakeClock clock_;
  SystemRandom random_;
  testing::MemoryState state_;
  std::unique_ptr<iam::IdentityStore> store_;
  std::unique_ptr<iam::IamAuthorizer> authorizer_;
  std::string key_;
};

AuthorizationFixture& Fixture() {
  static AuthorizationFixture f;
  return f;
}

// Allowed by the very last statement: every statement is evaluated.
void BM_AuthorizeAllowedByLastOf100Statements(benchmark::State& state) {
  aws::RequestContext ctx = Fixture().Ctx("DescribeModel", "team-a-model");
  if (Fixture().authorizer().Authorize(ctx)) state.SkipWithError("expected an allow");
  for (auto _ : state) {
    auto denial = Fixture().authorizer().Authorize(ctx);
    benchmark::DoNotOptimize(denial);
  }
}
BENCHMARK(BM_AuthorizeAllowedByLastOf100Statements);

// Allowed by nothing: every statement is evaluated and the AccessDenied text is built.
void BM_AuthorizeImplicitlyDenied(benchmark::State& state) {
  aws::RequestContext ctx = Fixture().Ctx("DeleteModel", "team-a-model");
  if (!Fixture().authorizer().Authorize(ctx)) state.SkipWithError("expected a denial");
  for (auto _ : state) {
    auto denial = Fixture().authorizer().Authorize(ctx);
    benchmark::DoNotOptimize(denial);
  }
}
BENCHMARK(BM_AuthorizeImplicitlyDenied);

}  // namespace
}  // namespace sagetrail
