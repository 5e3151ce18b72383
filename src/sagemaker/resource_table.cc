#include "sagemaker/resource_table.h"

#include <algorithm>
#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;

namespace {

std::optional<TimePoint> TimeField(const json::value& v, std::string_view key) {
  const json::value* f = aws::Field(v, key);
  return f ? aws::ToTimePoint(*f) : std::nullopt;
}

bool Matches(const Resource& r, const ListOptions& o) {
  if (!o.name_contains.empty() &&
      r.name_key.find(AsciiLower(o.name_contains)) == std::string::npos) {
    return false;
  }
  if (o.created_after && r.created < *o.created_after) return false;
  if (o.created_before && r.created >= *o.created_before) return false;
  if (o.modified_after || o.modified_before) {
    auto it = r.body.find("LastModifiedTime");
    std::optional<TimePoint> m =
        it == r.body.end() ? std::optional<TimePoint>(r.created) : aws::ToTimePoint(it->value());
    if (!m) m = r.created;
    if (o.modified_after && *m < *o.modified_after) return false;
    if (o.modified_before && *m >= *o.modified_before) return false;
  }
  if (!o.status_equals.empty() && r.status != o.status_equals) return false;
  return true;
}

aws::AwsError BadToken() { return aws::AwsError::Validation("Invalid pagination token."); }

}  // namespace

ListOptions ListOptions::FromInput(const json::value& in, SortBy default_sort,
                                   bool default_descending) {
  ListOptions o;
  o.sort_by = default_sort;
  o.descending = default_descending;
  if (auto v = aws::StringField(in, "NameContains")) o.name_contains = std::string(*v);
  o.created_after = TimeField(in, "CreationTimeAfter");
  o.created_before = TimeField(in, "CreationTimeBefore");
  o.modified_after = TimeField(in, "LastModifiedTimeAfter");
  o.modified_before = TimeField(in, "LastModifiedTimeBefore");
  if (auto v = aws::StringField(in, "StatusEquals")) o.status_equals = std::string(*v);
  if (auto v = aws::StringField(in, "SortBy")) {
    if (*v == "Name") o.sort_by = SortBy::kName;
    if (*v == "CreationTime") o.sort_by = SortBy::kCreationTime;
    if (*v == "Status") o.sort_by = SortBy::kStatus;
  }
  if (auto v = aws::StringField(in, "SortOrder")) o.descending = *v == "Descending";
  if (auto v = aws::IntField(in, "MaxResults")) o.max_results = static_cast<size_t>(*v);
  if (auto v = aws::StringField(in, "NextToken")) o.next_token = std::string(*v);
  return o;
}

const Resource* ResourceTable::Find(const std::string& name_key) const {
  auto it = by_name_.find(name_key);
  return it == by_name_.end() ? nullptr : &it->second;
}

Resource* ResourceTable::FindMutable(const std::string& name_key) {
  auto it = by_name_.find(name_key);
  return it == by_name_.end() ? nullptr : &it->second;
}

void ResourceTable::Put(Resource r) {
  Erase(r.name_key);
  by_created_.emplace(ToUnixMillis(r.created), r.name_key);
  std::string key = r.name_key;
  by_name_.emplace(std::move(key), std::move(r));
}

void ResourceTable::Erase(const std::string& name_key) {
  auto it = by_name_.find(name_key);
  if (it == by_name_.end()) return;
  by_created_.erase({ToUnixMillis(it->second.created), name_key});
  by_name_.erase(it);
}

Result<ListPage, aws::AwsError> ResourceTable::List(const ListOptions& o) const {
  ListPage page;
  size_t limit = std::max<size_t>(1, o.max_results);

  // Status order has no index (it changes); it is rare, so sort a filtered copy.
  if (o.sort_by == SortBy::kStatus) {
    std::vector<const Resource*> all;
    for (const auto& [key, r] : by_name_) {
      if (Matches(r, o)) all.push_back(&r);
    }
    std::sort(all.begin(), all.end(), [&](const Resource* a, const Resource* b) {
      if (a->status != b->status)
        return o.descending ? a->status > b->status : a->status < b->status;
      return a->name_key < b->name_key;
    });
    size_t offset = 0;
    if (!o.next_token.empty()) {
      auto raw = Base64Decode(o.next_token);
      if (!raw || raw->rfind("s|", 0) != 0) return BadToken();
      offset = std::strtoull(raw->c_str() + 2, nullptr, 10);
    }
    for (size_t i = offset; i < all.size() && page.items.size() < limit; ++i) {
      page.items.push_back(all[i]);
    }
    if (offset + page.items.size() < all.size()) {
      page.next_token = Base64Encode("s|" + std::to_string(offset + page.items.size()));
    }
    return page;
  }

  // Name or creation time: walk the index from the token's position.
  const Resource* last = nullptr;
  bool more = false;
  auto take = [&](const Resource& r) {
    if (!Matches(r, o)) return true;
    if (page.items.size() == limit) {
      more = true;
      return false;
    }
    page.items.push_back(&r);
    last = &r;
    return true;
  };
  if (o.sort_by == SortBy::kName) {
    std::string after;
    if (!o.next_token.empty()) {
      auto raw = Base64Decode(o.next_token);
      if (!raw || raw->rfind("n|", 0) != 0) return BadToken();
      after = raw->substr(2);
    }
    if (o.descending) {
      auto it = after.empty() ? by_name_.end() : by_name_.lower_bound(after);
      while (it != by_name_.begin()) {
        --it;
        if (!take(it->second)) break;
      }
    } else {
      auto it = after.empty() ? by_name_.begin() : by_name_.upper_bound(after);
      for (; it != by_name_.end(); ++it) {
        if (!take(it->second)) break;
      }
    }
    if (more && last) page.next_token = Base64Encode("n|" + last->name_key);
    return page;
  }

  std::optional<std::pair<int64_t, std::string>> after;
  if (!o.next_token.empty()) {
    auto raw = Base64Decode(o.next_token);
    if (!raw || raw->rfind("c|", 0) != 0) return BadToken();
    size_t bar = raw->find('|', 2);
    if (bar == std::string::npos) return BadToken();
    after = std::make_pair(std::strtoll(raw->c_str() + 2, nullptr, 10), raw->substr(bar + 1));
  }
  auto resource_at = [this](const std::pair<int64_t, std::string>& k) -> const Resource& {
    return by_name_.at(k.second);
  };
  if (o.descending) {
    auto it = after ? by_created_.lower_bound(*after) : by_created_.end();
    while (it != by_created_.begin()) {
      --it;
      if (!take(resource_at(*it))) break;
    }
  } else {
    auto it = after ? by_created_.upper_bound(*after) : by_created_.begin();
    for (; it != by_created_.end(); ++it) {
      if (!take(resource_at(*it))) break;
    }
  }
  if (more && last) {
    page.next_token =
        Base64Encode("c|" + std::to_string(ToUnixMillis(last->created)) + "|" + last->name_key);
  }
  return page;
}

}  // namespace sagetrail::sagemaker
