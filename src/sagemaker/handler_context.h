// HandlerContext: what a SageMaker operation handler works with: the validated input, the
// account-and-region backend (its mutex held for the handler's duration), persistence and time.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <unordered_map>

#include "aws/aws_error.h"
#include "aws/request_context.h"
#include "common/clock.h"
#include "common/result.h"
#include "sagemaker/resource_store.h"
#include "sagemaker/sagemaker_backend.h"

namespace sagetrail::sagemaker {

struct HandlerContext {
  aws::RequestContext& request;
  SageMakerBackend& backend;
  ResourceStore& store;
  const Clock& clock;

  const boost::json::value& input() const { return request.input; }
  const std::string& account_id() const { return backend.account_id(); }
  const std::string& region() const { return backend.region(); }
  std::string Arn(const std::string& kind, const std::string& name) const {
    return MakeArn(region(), account_id(), kind, name);
  }
  // Puts `r` in its table now; it is written to disk once the call's audit record is durable.
  const Resource* Save(Resource r);
  // Removes a resource from its table now, and from disk once the call is recorded.
  void Remove(const std::string& kind, const std::string& name_key);

  // Resources this call changed, saved after its audit record (see RequestContext::after_audit).
  std::vector<std::pair<std::string, std::string>> dirty;  // (kind, name_key)
};

using Handler = std::function<Result<boost::json::value, aws::AwsError>(HandlerContext&)>;
using HandlerTable = std::unordered_map<std::string, Handler>;

// Each resource family registers its operations.
void RegisterModelHandlers(HandlerTable& table);

}  // namespace sagetrail::sagemaker
