// Service: the handlers of one AWS service (e.g. SageMaker), and its traits (ServiceTraits). A
// service sees only validated input in generic form and answers with generic output or an AwsError;
// it never sees HTTP, codecs or SigV4. Implementations must be thread-safe: requests arrive on
// several threads.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/request_context.h"
#include "aws/service_traits.h"
#include "common/result.h"

namespace sagetrail::aws {

class Service : public ServiceTraits {
 public:
  ~Service() override = default;

  // The botocore name of the service this implements, e.g. "sagemaker".
  virtual std::string_view name() const = 0;

  // Whether `operation` has a real implementation here (others answer NotImplemented).
  virtual bool Implements(std::string_view operation) const = 0;

  // Service-specific input checks that run before the generic model validation, for services
  // whose own error codes take precedence (CloudTrail's InvalidMaxResultsException, ...).
  virtual std::optional<AwsError> CheckInput(const RequestContext&) const { return std::nullopt; }

  // The resources ctx.input names, each resolved to the entity the service stores when one
  // exists (its stored name and canonical ARN, whatever case or form the caller used), else as
  // the service would name it. The resource the operation is about comes first. Runs before
  // authorization, on unvalidated input.
  virtual std::vector<CallResource> ResolveResources(const RequestContext&) const { return {}; }

  // What IAM authorizes the call against; ctx.resources is already filled in. By default: the
  // first resource's ARN, or "*".
  virtual AccessRequest AccessFor(const RequestContext& ctx) const;

  // Runs ctx.operation with ctx.input on behalf of ctx.identity in ctx.account_id/ctx.region.
  virtual Result<boost::json::value, AwsError> Invoke(RequestContext& ctx) = 0;
};

}  // namespace sagetrail::aws
