// SigV4 verification of a typical signed SageMaker request (as boto3 sends ListModels), with
// the signing-key cache warm. Target: <= 5 us per request.
#include <benchmark/benchmark.h>

#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/signer.h"
#include "aws/sigv4/verifier.h"
#include "fakes/test_support.h"

namespace sagetrail {
namespace {

http::Request SignedListModels(TimePoint now) {
  http::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:4566"},
               {"Accept-Encoding", "identity"},
               {"X-Amz-Target", "SageMaker.ListModels"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"User-Agent",
                "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18 md/arch#x86_64 "
                "lang/python#3.11.7 md/pyimpl#CPython m/Z,b,D cfg/retry-mode#legacy "
                "Botocore/1.43.11"},
               {"Content-Length", "2"}};
  r.body = "{}";
  aws::sigv4::SignRequest(r,
                          {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
                          {"us-east-1", "sagemaker", false}, now);
  return r;
}

void BM_VerifyWarmCache(benchmark::State& state) {
  testing::FakeClock clock;
  testing::FakeCredentialStore creds;
  aws::Credential c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  creds.Add(c);
  aws::sigv4::SigningKeyCache cache;
  aws::sigv4::Verifier verifier(creds, clock, cache);
  http::Request req = SignedListModels(clock.Now());
  if (!verifier.Verify(req, {"sagemaker", false}).ok()) {
    state.SkipWithError("request does not verify");
    return;
  }
  for (auto _ : state) {
    auto r = verifier.Verify(req, {"sagemaker", false});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyWarmCache);

void BM_DeriveSigningKey(benchmark::State& state) {
  for (auto _ : state) {
    auto k = aws::sigv4::SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20261122",
                                    "us-east-1", "sagemaker");
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_DeriveSigningKey);

}  // namespace
}  // namespace sagetrail
