// Turns a SigV4 AuthFailure into the error each protocol family answers with: the codes, HTTP
// statuses and texts AWS uses (docs/research/sigv4_errors.md, docs/compatibility.md).
#pragma once

#include "aws/aws_error.h"
#include "aws/model/service_model.h"
#include "aws/sigv4/auth_failure.h"

namespace sagetrail::aws {

AwsError AuthErrorFor(Protocol protocol, bool s3, const sigv4::AuthFailure& failure);

}  // namespace sagetrail::aws
