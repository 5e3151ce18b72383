#include "aws/service.h"

namespace sagetrail::aws {

AccessRequest Service::AccessFor(const RequestContext& ctx) const {
  AccessRequest access;
  for (const CallResource& r : ctx.resources) {
    if (!r.arn.empty()) {
      access.resource = r.arn;
      break;
    }
  }
  return access;
}

}  // namespace sagetrail::aws
