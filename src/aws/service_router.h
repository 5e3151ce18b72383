// ServiceRouter: decides which service (and so which model and codec) a request is for, from the
// request's shape alone, since both SageMaker clients sign as "sagemaker":
//   X-Amz-Target "<prefix>.<op>"                      -> the awsJson service with that prefix
//   POST .../endpoints/{name}/invocations (etc.)       -> sagemaker-runtime (rest-json)
//   form-encoded Action=...                            -> the query service named by the scope
//   anything else                                      -> s3 (rest-xml)
// Immutable after construction; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/model/model_registry.h"
#include "aws/protocol/codec.h"
#include "aws/protocol/validator.h"
#include "aws/service.h"
#include "http/http_message.h"

namespace sagetrail::aws {

struct ServiceEntry {
  const ServiceModel* model = nullptr;
  const ProtocolCodec* codec = nullptr;
  std::unique_ptr<Validator> validator;
  Service* service = nullptr;  // null: every operation answers NotImplemented
  bool s3 = false;             // S3's SigV4 canonicalization
};

class ServiceRouter {
 public:
  explicit ServiceRouter(const ModelRegistry& models);
  ~ServiceRouter();

  // Attaches handlers to the service of the same name. Not thread-safe: call before serving.
  void Attach(Service* service);

  // The service a request is for; never null while the s3 model is loaded, which is the fallback.
  const ServiceEntry* Route(const http::Request& request) const;

  const ServiceEntry* Find(std::string_view service_name) const;
  // The codec for requests no service claims (awsJson wording).
  const ProtocolCodec& fallback_codec() const { return *json_; }
  const ProtocolCodec& CodecFor(Protocol protocol) const;

 private:
  std::unique_ptr<ProtocolCodec> json_, rest_json_, query_, rest_xml_;
  std::vector<std::unique_ptr<ServiceEntry>> entries_;
};

}  // namespace sagetrail::aws
