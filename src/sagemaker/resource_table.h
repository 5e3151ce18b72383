// ResourceTable: the resources of one kind in one account and region, indexed by lower-case
// name and by creation time, so List* calls walk only as far as their page reaches.
// Not thread-safe: the owning SageMakerBackend's mutex guards it.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aws/aws_error.h"
#include "common/result.h"
#include "sagemaker/resource.h"

namespace sagetrail::sagemaker {

enum class SortBy { kName, kCreationTime, kStatus };

struct ListOptions {
  std::string name_contains;                // case-insensitive substring
  std::optional<TimePoint> created_after;   // inclusive
  std::optional<TimePoint> created_before;  // exclusive
  std::optional<TimePoint> modified_after;
  std::optional<TimePoint> modified_before;
  std::string status_equals;
  SortBy sort_by = SortBy::kCreationTime;
  bool descending = true;
  size_t max_results = 10;
  std::string next_token;

  // Reads NameContains, CreationTimeAfter/Before, LastModifiedTimeAfter/Before, StatusEquals,
  // SortBy, SortOrder, MaxResults and NextToken from a List* input.
  static ListOptions FromInput(const boost::json::value& input, SortBy default_sort,
                               bool default_descending);
};

struct ListPage {
  std::vector<const Resource*> items;
  std::string next_token;  // empty on the last page
};

class ResourceTable {
 public:
  const Resource* Find(const std::string& name_key) const;
  Resource* FindMutable(const std::string& name_key);
  // Inserts or replaces (by name_key).
  void Put(Resource r);
  void Erase(const std::string& name_key);
  size_t size() const { return by_name_.size(); }
  const std::map<std::string, Resource>& all() const { return by_name_; }

  Result<ListPage, aws::AwsError> List(const ListOptions& options) const;

 private:
  std::map<std::string, Resource> by_name_;
  std::set<std::pair<int64_t, std::string>> by_created_;
};

}  // namespace sagetrail::sagemaker
