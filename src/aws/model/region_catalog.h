// RegionCatalog: the AWS regions a credential scope may name: the union of the `regions` of every
// partition in botocore's endpoints.json (aws, aws-cn, aws-us-gov, aws-iso*, ...). Read at start
// from the same data directory as the service models; immutable afterwards, safe to share.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sagetrail::aws {

class RegionCatalog {
 public:
  // Reads <data_dir>/endpoints.json (or endpoints.json.gz, as newer botocore ships its data).
  static Result<RegionCatalog> Load(const std::string& data_dir);
  // Parses endpoints.json text. A document without a single region is an error.
  static Result<RegionCatalog> Parse(std::string_view endpoints_json);

  bool Contains(std::string_view region) const { return regions_.find(region) != regions_.end(); }
  const std::set<std::string, std::less<>>& regions() const { return regions_; }

 private:
  std::set<std::string, std::less<>> regions_;
};

}  // namespace sagetrail::aws
