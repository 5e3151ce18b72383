// Pipeline: the path of every AWS request, in order:
//   health check -> route -> authenticate (SigV4) -> resolve operation -> parse input ->
//   validate -> handle -> serialize -> audit (durable) -> respond.
// A request that fails authentication or names no known operation is answered at once and not
// recorded (it is attributed to no account and names no event). Every request that reached a
// service is handed to the AuditSink, and its response is released only when the sink reports
// the record durable.
// Thread-safe: Handle() is called concurrently from the HTTP server's threads.
#pragma once

#include <memory>
#include <string>

#include "aws/audit_sink.h"
#include "aws/authorizer.h"
#include "aws/service_router.h"
#include "aws/sigv4/verifier.h"
#include "common/clock.h"
#include "common/random.h"
#include "http/http_server.h"

namespace sagetrail::aws {

class Pipeline {
 public:
  Pipeline(const ServiceRouter& router, const sigv4::Verifier& verifier, const Clock& clock,
           Random& random, AuditSink& audit, std::string version_info);

  void Handle(http::Request request, http::Responder respond);

  // Authorizes every call before it is validated and handled (none: everything is allowed).
  void SetAuthorizer(const Authorizer* authorizer) { authorizer_ = authorizer; }

  // The answer to a request the HTTP layer rejected (malformed, too large), in the wording of
  // the protocol the request seems to speak.
  http::Response Reject(int status, std::string_view reason, const http::Request& partial);

 private:
  void Finish(std::shared_ptr<RequestContext> ctx, const ServiceEntry& entry,
              http::Responder respond);
  http::Response HealthResponse() const;

  const ServiceRouter& router_;
  const sigv4::Verifier& verifier_;
  const Clock& clock_;
  Random& random_;
  AuditSink& audit_;
  const Authorizer* authorizer_ = nullptr;
  std::string version_info_;
};

}  // namespace sagetrail::aws
