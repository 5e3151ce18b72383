#include "aws/service_router.h"

#include "aws/protocol/json_codec.h"
#include "aws/protocol/query_codec.h"
#include "aws/protocol/rest_json_codec.h"
#include "aws/protocol/rest_xml_codec.h"
#include "aws/sigv4/verifier.h"
#include "common/strings.h"

namespace sagetrail::aws {

ServiceRouter::ServiceRouter(const ModelRegistry& models)
    : json_(std::make_unique<JsonCodec>()),
      rest_json_(std::make_unique<RestJsonCodec>()),
      query_(std::make_unique<QueryCodec>()),
      rest_xml_(std::make_unique<RestXmlCodec>()) {
  for (const auto& model : models.models()) {
    auto e = std::make_unique<ServiceEntry>();
    e->model = model.get();
    e->codec = &CodecFor(model->protocol());
    e->validator = std::make_unique<Validator>(*model);
    e->s3 = model->name() == "s3";
    entries_.push_back(std::move(e));
  }
}

ServiceRouter::~ServiceRouter() = default;

const ProtocolCodec& ServiceRouter::CodecFor(Protocol protocol) const {
  switch (protocol) {
    case Protocol::kJson:
      return *json_;
    case Protocol::kRestJson:
      return *rest_json_;
    case Protocol::kQuery:
    case Protocol::kEc2:
      return *query_;
    case Protocol::kRestXml:
      return *rest_xml_;
  }
  return *json_;
}

void ServiceRouter::Attach(Service* service) {
  for (auto& e : entries_) {
    if (e->model->name() == service->name()) e->service = service;
  }
}

const ServiceEntry* ServiceRouter::Find(std::string_view service_name) const {
  for (const auto& e : entries_) {
    if (e->model->name() == service_name) return e.get();
  }
  return nullptr;
}

const ServiceEntry* ServiceRouter::Route(const http::Request& request) const {
  auto scope = sigv4::PeekScope(request);

  // awsJson: the target prefix names the service.
  if (const std::string* target = request.FindHeader("x-amz-target")) {
    std::string_view t = *target;
    std::string_view prefix =
        t.substr(0, t.rfind('.') == std::string_view::npos ? 0 : t.rfind('.'));
    for (const auto& e : entries_) {
      if (e->model->protocol() == Protocol::kJson && e->model->metadata().target_prefix == prefix) {
        return e.get();
      }
    }
    // Unknown prefix: the signing scope may still name a JSON service (its codec then answers
    // UnknownOperationException); else no service claims it.
    for (const auto& e : entries_) {
      if (scope && e->model->protocol() == Protocol::kJson &&
          e->model->metadata().signing_name == scope->service) {
        return e.get();
      }
    }
    return nullptr;
  }

  // rest-json services (SageMaker Runtime): match the path against their URI templates.
  for (const auto& e : entries_) {
    if (e->model->protocol() != Protocol::kRestJson) continue;
    for (const Operation* op : e->model->operations()) {
      if (op->http_method == request.method &&
          RestJsonCodec::PathMatches(op->request_uri, request.path())) {
        return e.get();
      }
    }
  }

  // Query protocol: an Action parameter; the scope's service (or the API version) says which.
  bool form = request.HeaderOr("content-type").find("application/x-www-form-urlencoded") !=
              std::string_view::npos;
  std::string action, version;
  if (form || request.query().find("Action=") != std::string_view::npos) {
    for (auto& [k, v] : QueryCodec::FormParams(request)) {
      if (k == "Action") action = v;
      if (k == "Version") version = v;
    }
  }
  if (!action.empty()) {
    const ServiceEntry* by_version = nullptr;
    for (const auto& e : entries_) {
      if (e->model->protocol() != Protocol::kQuery) continue;
      if (scope && e->model->metadata().signing_name == scope->service) return e.get();
      if (!by_version && e->model->metadata().api_version == version) by_version = e.get();
    }
    if (by_version) return by_version;
    if (const ServiceEntry* sts = Find("sts")) return sts;
  }

  // No target and no Action, but signed for a JSON or query service: that service's codec
  // answers that the request names no operation (rather than S3 answering for it).
  if (scope && scope->service != "s3") {
    for (const auto& e : entries_) {
      Protocol p = e->model->protocol();
      if ((p == Protocol::kJson || p == Protocol::kQuery) &&
          e->model->metadata().signing_name == scope->service) {
        return e.get();
      }
    }
  }
  return Find("s3");
}

}  // namespace sagetrail::aws
