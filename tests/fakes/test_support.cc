#include "fakes/test_support.h"

#include <cstdlib>
#include <stdexcept>

namespace sagetrail::testing {

const aws::ModelRegistry& Models() {
  static const aws::ModelRegistry* registry = [] {
    auto dir = aws::ModelRegistry::LocateDataDir("");
    if (!dir.ok()) throw std::runtime_error(dir.error().message());
    auto r = aws::ModelRegistry::Load(*dir, aws::ModelRegistry::DefaultServices());
    if (!r.ok()) throw std::runtime_error(r.error().message());
    return r.value().release();
  }();
  return *registry;
}

std::string TestDataPath(const std::string& relative) {
  return std::string(SAGETRAIL_TEST_DATA_DIR) + "/" + relative;
}

}  // namespace sagetrail::testing
