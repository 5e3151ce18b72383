#include "cloudtrail/store/event_store.h"

namespace sagetrail::cloudtrail {

std::optional<LookupAttribute> ParseLookupAttribute(std::string_view key) {
  static constexpr std::pair<std::string_view, LookupAttribute> kKeys[] = {
      {"EventId", LookupAttribute::kEventId},
      {"EventName", LookupAttribute::kEventName},
      {"ReadOnly", LookupAttribute::kReadOnly},
      {"Username", LookupAttribute::kUsername},
      {"ResourceType", LookupAttribute::kResourceType},
      {"ResourceName", LookupAttribute::kResourceName},
      {"EventSource", LookupAttribute::kEventSource},
      {"AccessKeyId", LookupAttribute::kAccessKeyId}};
  for (const auto& [name, attribute] : kKeys) {
    if (key == name) return attribute;
  }
  return std::nullopt;
}

}  // namespace sagetrail::cloudtrail
