#include "aws/pipeline.h"

#include <boost/json.hpp>
#include <exception>

#include "aws/protocol/auth_errors.h"
#include "aws/protocol/json_writer.h"
#include "aws/sigv4/chunk_signature.h"
#include "aws/upload_spool.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

constexpr std::string_view kHealthPath = "/_sagetrail/health";

}  // namespace

Pipeline::Pipeline(const ServiceRouter& router, const sigv4::Verifier& verifier, const Clock& clock,
                   Random& random, AuditSink& audit, std::string version_info)
    : router_(router),
      verifier_(verifier),
      clock_(clock),
      random_(random),
      audit_(audit),
      version_info_(std::move(version_info)) {}

http::Response Pipeline::HealthResponse() const {
  // Degraded while nothing can be committed (a failed write is sticky until a restart): every
  // call is refused then, and the health check says why.
  Status ready = audit_.Ready();
  http::Response r;
  r.status = ready.ok() ? 200 : 503;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = ready.ok() ? "{\"status\":\"ok\",\"version\":" : "{\"status\":\"degraded\",\"version\":";
  JsonWriter::AppendEscaped(version_info_, &r.body);
  if (!ready.ok()) {
    r.body += ",\"reason\":";
    JsonWriter::AppendEscaped(ready.message(), &r.body);
  }
  r.body += "}";
  return r;
}

std::shared_ptr<http::BodySink> Pipeline::StreamBody(const http::Request& head) const {
  if (spool_dir_.empty()) return nullptr;
  const ServiceEntry* entry = router_.Route(head);
  if (entry == nullptr || !entry->codec->StreamsRequestBody(*entry->model, head)) return nullptr;
  return std::make_shared<UploadSpool>(spool_dir_, head, random_);
}

void Pipeline::Handle(http::Request request, http::Responder respond) {
  // The one unsigned route.
  if (request.path() == kHealthPath && (request.method == "GET" || request.method == "HEAD")) {
    respond(HealthResponse());
    return;
  }

  auto ctx = std::make_shared<RequestContext>();
  ctx->request_id = random_.Uuid();
  ctx->received_at = clock_.Now();
  ctx->source_ip = request.remote_ip;
  ctx->user_agent = std::string(request.HeaderOr("user-agent"));
  ctx->http = std::move(request);
  ctx->audit = &audit_;

  // Route.
  const ServiceEntry* entry = router_.Route(ctx->http);
  if (entry == nullptr) {
    // No service claims the request. Authentication failures still come first.
    const ProtocolCodec& codec = router_.fallback_codec();
    auto scope = sigv4::PeekScope(ctx->http);
    if (!scope) {
      sigv4::AuthFailure missing;
      respond(codec.SerializeError(nullptr, AuthErrorFor(Protocol::kJson, false, missing),
                                   ctx->request_id));
      return;
    }
    respond(codec.SerializeError(
        nullptr,
        AwsError::UnknownOperation("Unknown operation " +
                                   std::string(ctx->http.HeaderOr("x-amz-target"))),
        ctx->request_id));
    return;
  }
  ctx->service = entry->model;
  ctx->codec = entry->codec;
  if (entry->service != nullptr) ctx->traits = entry->service;
  const ProtocolCodec& codec = *entry->codec;

  // A streamed body was hashed on its way to disk: that hash is what the signature covers.
  auto* spool = dynamic_cast<UploadSpool*>(ctx->http.streamed_body.get());
  if (spool != nullptr && !spool->sha256_hex().empty())
    ctx->http.streamed_sha256 = spool->sha256_hex();

  // Authenticate: nothing but the health check is served unsigned.
  auto verified = verifier_.Verify(ctx->http, {entry->model->metadata().signing_name, entry->s3});
  if (!verified.ok()) {
    respond(codec.SerializeError(
        entry->model, AuthErrorFor(entry->model->protocol(), entry->s3, verified.error()),
        ctx->request_id));
    return;
  }
  // An aws-chunked body: each chunk's signature chains from the request's own.
  if (spool != nullptr && spool->decoder() != nullptr &&
      sigv4::HasChunkSignatures(spool->decoder()->mode()) && spool->decoder()->done()) {
    sigv4::ChunkSignatureVerifier chunks(verified->chunk_signing_context());
    if (auto failed = chunks.VerifyDecoded(*spool->decoder())) {
      AwsError e{"SignatureDoesNotMatch",
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your key and signing method.",
                 403, true};
      e.extra.push_back({"StringToSign", failed->string_to_sign});
      e.extra.push_back({"SignatureProvided", failed->signature_provided});
      respond(codec.SerializeError(entry->model, e, ctx->request_id));
      return;
    }
  }
  ctx->authenticated = true;
  ctx->credential = verified->credential;
  ctx->identity = ctx->credential->identity;
  ctx->account_id = ctx->identity.account_id;
  ctx->region = std::move(verified->region);

  // ResolveOperation.
  auto op = codec.ResolveOperation(*entry->model, ctx->http);
  if (!op.ok()) {
    respond(codec.SerializeError(entry->model, op.error(), ctx->request_id));
    return;
  }
  ctx->operation = *op;

  // CheckReady: a call that could not be recorded must not run at all.
  if (Status ready = audit_.Ready(); !ready.ok()) {
    respond(codec.SerializeError(
        entry->model,
        AwsError::ServiceUnavailable("The audit log cannot record calls right now, so none are "
                                     "accepted: " +
                                     ready.message()),
        ctx->request_id));
    return;
  }

  // Parse. From here on the call is recorded, whatever its outcome.
  auto input = codec.ParseInput(*entry->model, *ctx->operation, ctx->http);
  if (input.ok() && spool != nullptr && spool->error()) {
    // The body could not be received whole (a malformed encoding, a full disk).
    ctx->input = std::move(input).value();
    ctx->error = *spool->error();
  } else if (input.ok()) {
    ctx->input = std::move(input).value();
    Run(*ctx, *entry);
  } else {
    ctx->error = std::move(input).error();
  }
  // The answer is serialized here, on the request's thread, so that the commit's callback (on
  // the writer's thread) only has to release it.
  ctx->completed_at = clock_.Now();
  http::Response answer = Answer(*ctx, *entry, Status::Ok());
  bool failed = ctx->error.has_value();
  Commit(std::move(ctx), [entry, failed, answer = std::move(answer), respond = std::move(respond)](
                             std::shared_ptr<RequestContext> done, Status committed) mutable {
    if (committed.ok() && done->error.has_value() == failed) {
      respond(std::move(answer));
    } else {
      respond(Answer(*done, *entry, committed));
    }
  });
}

void Pipeline::Invoke(InternalCall call, std::function<void(InternalResult)> done) {
  auto ctx = std::make_shared<RequestContext>();
  ctx->request_id = random_.Uuid();
  ctx->received_at = clock_.Now();
  ctx->audit = &audit_;
  const ServiceEntry* entry = router_.Find(call.service);
  const Operation* op = entry ? entry->model->FindOperation(call.operation) : nullptr;
  if (op == nullptr) {
    done({ctx->request_id,
          AwsError::UnknownOperation("Unknown operation " + call.service + ":" + call.operation),
          {}});
    return;
  }
  if (Status ready = audit_.Ready(); !ready.ok()) {
    done({ctx->request_id,
          AwsError::ServiceUnavailable("The audit log cannot record calls right now: " +
                                       ready.message()),
          {}});
    return;
  }
  ctx->service = entry->model;
  ctx->codec = entry->codec;
  if (entry->service != nullptr) ctx->traits = entry->service;
  ctx->operation = op;
  ctx->authenticated = true;
  ctx->identity = std::move(call.caller);
  ctx->credential = std::move(call.credential);
  ctx->account_id = std::move(call.account_id);
  ctx->region = std::move(call.region);
  ctx->source_arn = std::move(call.source_arn);
  ctx->source_account = std::move(call.source_account);
  // A service principal calls from within AWS: it is its own source and user agent.
  if (ctx->identity.type == IdentityType::kAWSService) {
    ctx->source_ip = ctx->identity.invoked_by;
    ctx->user_agent = ctx->identity.invoked_by;
  } else {
    ctx->source_ip = "AWS Internal";
    ctx->user_agent = "AWS Internal";
  }
  if (call.service_event) {
    ctx->event_type = "AwsServiceEvent";
    ctx->service_event_details = std::move(call.service_event_details);
  }
  ctx->input = std::move(call.input);
  ctx->http.body = std::move(call.body);
  ctx->http.streamed_body = std::move(call.streamed_body);
  if (auto* spool = dynamic_cast<UploadSpool*>(ctx->http.streamed_body.get());
      spool != nullptr && spool->error()) {
    ctx->error = *spool->error();
  } else {
    Run(*ctx, *entry);
  }
  Commit(std::move(ctx),
         [done = std::move(done)](std::shared_ptr<RequestContext> c, Status committed) {
           InternalResult r;
           r.request_id = c->request_id;
           if (!committed.ok()) {
             r.error = AwsError::ServiceUnavailable(
                 "The call could not be recorded in the audit log, so it was not acknowledged: " +
                 committed.message());
           } else if (c->error) {
             r.error = std::move(c->error);
           } else {
             r.output = std::move(c->output);
             r.output_body = std::move(c->output_body);
           }
           done(std::move(r));
         });
}

void Pipeline::Run(RequestContext& ctx, const ServiceEntry& entry) const {
  Resolve(ctx, entry);
  if (auto denied = Authorize(ctx, entry)) {
    ctx.error = std::move(denied);
  } else if (auto invalid = Check(ctx, entry)) {
    ctx.error = std::move(invalid);
  } else if (auto malformed = Validate(ctx, entry)) {
    ctx.error = std::move(malformed);
  } else {
    HandleCall(ctx, entry);
  }
}

void Pipeline::Resolve(RequestContext& ctx, const ServiceEntry& entry) const {
  // What the call is about, as the service stores it: authorization and the record both use it.
  if (entry.service != nullptr) {
    ctx.resources = entry.service->ResolveResources(ctx);
    ctx.access = entry.service->AccessFor(ctx);
  }
}

std::optional<AwsError> Pipeline::Authorize(const RequestContext& ctx,
                                            const ServiceEntry& entry) const {
  if (authorizer_ == nullptr) return std::nullopt;
  auto denial = authorizer_->Authorize(ctx);
  if (!denial) return std::nullopt;
  // JSON services answer AccessDeniedException (400; 403 behind rest-json), query and rest-xml
  // ones AccessDenied (403).
  Protocol p = entry.model->protocol();
  bool json = p == Protocol::kJson || p == Protocol::kRestJson;
  // S3 (rest-xml) says only "Access Denied", whoever asks.
  if (p == Protocol::kRestXml) return AwsError{"AccessDenied", "Access Denied", 403, true};
  return AwsError{json ? "AccessDeniedException" : "AccessDenied", std::move(*denial),
                  p == Protocol::kJson ? 400 : 403, true};
}

std::optional<AwsError> Pipeline::Check(const RequestContext& ctx,
                                        const ServiceEntry& entry) const {
  return entry.service != nullptr ? entry.service->CheckInput(ctx) : std::nullopt;
}

std::optional<AwsError> Pipeline::Validate(const RequestContext& ctx,
                                           const ServiceEntry& entry) const {
  auto invalid = entry.validator->Validate(ctx.operation->input, ctx.input);
  // Query-protocol services name the same failure ValidationError.
  if (invalid && invalid->code == "ValidationException" &&
      entry.model->protocol() == Protocol::kQuery) {
    invalid->code = "ValidationError";
  }
  return invalid;
}

void Pipeline::HandleCall(RequestContext& ctx, const ServiceEntry& entry) const {
  if (entry.service == nullptr || !entry.service->Implements(ctx.operation->name)) {
    ctx.error = AwsError::NotImplemented("sagetrail does not implement " +
                                         entry.model->metadata().service_id + " operation " +
                                         ctx.operation->name + " yet");
    return;
  }
  // Handlers report failures as values; an exception here is a bug, answered as a server fault
  // rather than allowed to cross the request path.
  try {
    auto result = entry.service->Invoke(ctx);
    if (result.ok()) {
      ctx.output = std::move(result).value();
    } else {
      ctx.error = std::move(result).error();
    }
  } catch (const std::exception& e) {
    ctx.error = AwsError::InternalFailure("Internal error while handling " + ctx.operation->name +
                                          ": " + e.what());
  } catch (...) {
    ctx.error = AwsError::InternalFailure("Internal error while handling " + ctx.operation->name);
  }
}

void Pipeline::Commit(std::shared_ptr<RequestContext> ctx, Completion then) {
  if (ctx->completed_at == TimePoint{}) ctx->completed_at = clock_.Now();
  std::shared_ptr<RequestContext> keep = ctx;
  audit_.Record(std::move(ctx), [keep, then = std::move(then)](Status committed) mutable {
    // Work that waits for durability (a lifecycle the call started).
    if (committed.ok()) {
      for (auto& action : keep->after_audit) {
        Status s = action();
        if (!s.ok() && !keep->error) {
          keep->error = AwsError::InternalFailure(
              "The call was recorded but its result could not be completed: " + s.message());
        }
      }
    }
    then(std::move(keep), std::move(committed));
  });
}

http::Response Pipeline::Answer(const RequestContext& ctx, const ServiceEntry& entry,
                                Status committed) {
  if (!committed.ok()) {
    return entry.codec->SerializeError(
        entry.model,
        AwsError::ServiceUnavailable(
            "The request could not be recorded in the audit log, so it was not acknowledged: " +
            committed.message()),
        ctx.request_id);
  }
  if (ctx.error) return entry.codec->SerializeError(entry.model, *ctx.error, ctx.request_id);
  http::Response r =
      entry.codec->SerializeOutput(*entry.model, *ctx.operation, ctx.output, ctx.request_id);
  r.body_source = ctx.output_body;
  if (ctx.output_status != 0) r.status = ctx.output_status;
  return r;
}

http::Response Pipeline::Reject(int status, std::string_view reason, const http::Request& partial) {
  std::string request_id = random_.Uuid();
  std::string code = status == 413   ? "RequestEntityTooLarge"
                     : status == 431 ? "RequestHeaderFieldsTooLarge"
                     : status == 501 ? "NotImplemented"
                                     : "MalformedHttpRequest";
  AwsError error{code, std::string(reason), status, true};
  const ProtocolCodec* codec = &router_.fallback_codec();
  const ServiceModel* model = nullptr;
  if (!partial.method.empty()) {
    if (const ServiceEntry* entry = router_.Route(partial)) {
      codec = entry->codec;
      model = entry->model;
    }
  }
  http::Response r = codec->SerializeError(model, error, request_id);
  r.close = true;
  return r;
}

}  // namespace sagetrail::aws
