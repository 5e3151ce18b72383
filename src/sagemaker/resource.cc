#include "sagemaker/resource.h"

#include <boost/json.hpp>

#include "common/strings.h"

namespace sagetrail::sagemaker {

std::string MakeArn(const std::string& region, const std::string& account_id,
                    const std::string& kind, const std::string& name) {
  return "arn:aws:sagemaker:" + region + ":" + account_id + ":" + kind + "/" + AsciiLower(name);
}

std::optional<TimePoint> NextTransition(const Resource& r) {
  auto it = r.meta.find("next_at");
  if (it == r.meta.end() || !it->value().is_int64()) return std::nullopt;
  return FromUnixMillis(it->value().get_int64());
}

int64_t TransitionGeneration(const Resource& r) {
  auto it = r.meta.find("gen");
  return it != r.meta.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

}  // namespace sagetrail::sagemaker
