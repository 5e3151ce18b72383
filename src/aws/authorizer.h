// Authorizer: decides whether the caller of a request may make it (IAM identity-based policies,
// session policies), before the input is validated and the handler runs. Implemented by the
// IAM subsystem; the pipeline turns a denial into each protocol's AccessDenied error, and the
// denied call is recorded. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/request_context.h"

namespace sagetrail::aws {

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // nullopt when allowed; else AWS's denial message ("User: <arn> is not authorized to perform:
  // <action> on resource: <arn> because no identity-based policy allows the <action> action").
  virtual std::optional<std::string> Authorize(const RequestContext& ctx) const = 0;

  // Whether the AWS service `service_principal` ("sagemaker.amazonaws.com") may assume the role
  // `role_arn`: the role exists and its trust policy allows the service sts:AssumeRole.
  virtual bool ServiceCanAssumeRole(std::string_view role_arn,
                                    std::string_view service_principal) const = 0;
};

}  // namespace sagetrail::aws
