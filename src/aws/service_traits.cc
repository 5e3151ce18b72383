#include "aws/service_traits.h"

namespace sagetrail::aws {

bool ServiceTraits::IsReadOnly(std::string_view op) const {
  for (std::string_view prefix : {"Describe", "List", "Get", "Search", "Lookup", "BatchDescribe",
                                  "BatchGet", "Query", "Head", "Select"}) {
    if (op.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

const ServiceTraits& ServiceTraits::Default() {
  static const ServiceTraits kDefault;
  return kDefault;
}

}  // namespace sagetrail::aws
