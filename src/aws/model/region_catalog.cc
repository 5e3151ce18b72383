#include "aws/model/region_catalog.h"

#include <boost/json.hpp>
#include <filesystem>
#include <system_error>

#include "aws/model/model_registry.h"

namespace sagetrail::aws {
namespace json = boost::json;
namespace fs = std::filesystem;

Result<RegionCatalog> RegionCatalog::Load(const std::string& data_dir) {
  std::error_code ec;
  for (const char* name : {"endpoints.json", "endpoints.json.gz"}) {
    fs::path path = fs::path(data_dir) / name;
    if (!fs::exists(path, ec)) continue;
    auto text = ModelRegistry::ReadDataFile(path.string());
    if (!text.ok()) return text.error();
    auto catalog = Parse(*text);
    if (!catalog.ok()) {
      return Status::Corruption(path.string() + ": " + catalog.error().message());
    }
    return catalog;
  }
  return Status::NotFound("botocore's region list (endpoints.json) was not found under " +
                          data_dir);
}

Result<RegionCatalog> RegionCatalog::Parse(std::string_view endpoints_json) {
  boost::system::error_code ec;
  json::value doc = json::parse(endpoints_json, ec);
  if (ec) return Status::Corruption("not JSON: " + ec.message());
  const json::object* root = doc.if_object();
  const json::value* partitions = root ? root->if_contains("partitions") : nullptr;
  if (partitions == nullptr || !partitions->is_array()) {
    return Status::Corruption("no \"partitions\" list");
  }
  RegionCatalog catalog;
  for (const json::value& p : partitions->get_array()) {
    const json::object* partition = p.if_object();
    const json::value* regions = partition ? partition->if_contains("regions") : nullptr;
    if (regions == nullptr || !regions->is_object()) continue;
    for (const auto& entry : regions->get_object()) {
      catalog.regions_.emplace(entry.key());
    }
  }
  if (catalog.regions_.empty()) return Status::Corruption("no partition lists a region");
  return catalog;
}

}  // namespace sagetrail::aws
