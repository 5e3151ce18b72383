// Pipeline: the path of every AWS call, in named stages.
//
// The HTTP entry (Handle), for requests from the network:
//   health check -> Route -> Authenticate (SigV4) -> ResolveOperation -> CheckReady -> Parse
// then the stages every call shares:
//   Resolve (the service names the stored resources the call is about, and what IAM authorizes)
//   -> Authorize -> Check (the service's own input errors) -> Validate (the model) -> Handle
//   -> Commit (record + state changes, one durable batch) -> answer.
// The internal entry (Invoke, an InternalInvoker) starts at Resolve with a caller it is given.
//
// A request that fails before Parse (no service, bad signature, unknown operation, a store that
// cannot commit) is answered at once and not recorded: it is attributed to no account or names
// no event. Every call from Parse on is recorded, whatever its outcome, and answered only when
// its record and its changes are durable.
// Thread-safe: Handle() and Invoke() are called concurrently.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "aws/audit_sink.h"
#include "aws/authorizer.h"
#include "aws/internal_invoker.h"
#include "aws/service_router.h"
#include "aws/sigv4/verifier.h"
#include "common/clock.h"
#include "common/random.h"
#include "http/http_server.h"

namespace sagetrail::aws {

class Pipeline final : public InternalInvoker {
 public:
  Pipeline(const ServiceRouter& router, const sigv4::Verifier& verifier, const Clock& clock,
           Random& random, AuditSink& audit, std::string version_info);

  // The HTTP entry.
  void Handle(http::Request request, http::Responder respond);
  // The internal entry.
  void Invoke(InternalCall call, std::function<void(InternalResult)> done) override;

  // Where streamed request bodies are spooled (StreamBody); none: no body streams.
  void SetSpoolDir(std::filesystem::path dir) { spool_dir_ = std::move(dir); }
  // The HTTP layer's BodyStreamer: a spool for the body of a request whose operation takes a
  // streaming payload, else nullptr (the body is read into memory under the usual limit).
  std::shared_ptr<http::BodySink> StreamBody(const http::Request& head) const;

  // Authorizes every call before it is validated and handled (none: everything is allowed).
  void SetAuthorizer(const Authorizer* authorizer) { authorizer_ = authorizer; }

  // The answer to a request the HTTP layer rejected (malformed, too large), in the wording of
  // the protocol the request seems to speak.
  http::Response Reject(int status, std::string_view reason, const http::Request& partial);

 private:
  // What to do once a call is committed (or could not be): `committed` is the commit's status.
  using Completion = std::function<void(std::shared_ptr<RequestContext> ctx, Status committed)>;

  // The stages every call shares, from Resolve to Handle; the call's outcome lands in ctx.
  void Run(RequestContext& ctx, const ServiceEntry& entry) const;
  void Resolve(RequestContext& ctx, const ServiceEntry& entry) const;
  std::optional<AwsError> Authorize(const RequestContext& ctx, const ServiceEntry& entry) const;
  std::optional<AwsError> Check(const RequestContext& ctx, const ServiceEntry& entry) const;
  std::optional<AwsError> Validate(const RequestContext& ctx, const ServiceEntry& entry) const;
  void HandleCall(RequestContext& ctx, const ServiceEntry& entry) const;
  // Records the call and commits its changes; `then` runs once that is durable (or failed).
  void Commit(std::shared_ptr<RequestContext> ctx, Completion then);
  // The HTTP answer to a committed (or uncommittable) call.
  static http::Response Answer(const RequestContext& ctx, const ServiceEntry& entry,
                               Status committed);

  http::Response HealthResponse() const;

  const ServiceRouter& router_;
  const sigv4::Verifier& verifier_;
  const Clock& clock_;
  Random& random_;
  AuditSink& audit_;
  const Authorizer* authorizer_ = nullptr;
  std::string version_info_;
  std::filesystem::path spool_dir_;
};

}  // namespace sagetrail::aws
