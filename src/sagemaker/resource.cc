#include "sagemaker/resource.h"

#include "common/strings.h"

namespace sagetrail::sagemaker {

std::string MakeArn(const std::string& region, const std::string& account_id,
                    const std::string& kind, const std::string& name) {
  return "arn:aws:sagemaker:" + region + ":" + account_id + ":" + kind + "/" + AsciiLower(name);
}

}  // namespace sagetrail::sagemaker
