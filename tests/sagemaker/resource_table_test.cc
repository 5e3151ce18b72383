// ResourceTable: List* over every sort and order against a reference, the filters, paging
// tokens (no gaps, no duplicates, bad ones refused), ListOptions::FromInput, and Put/Erase
// keeping the indexes consistent.
#include "sagemaker/resource_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;

const TimePoint kT0 = FromUnixSeconds(1763805600);
TimePoint At(int64_t s) { return kT0 + std::chrono::seconds(s); }

Resource Make(const std::string& name, TimePoint created, const std::string& status = "",
              std::optional<TimePoint> modified = std::nullopt) {
  Resource r;
  r.kind = "endpoint";
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = MakeArn("us-east-1", "123456789012", "endpoint", name);
  r.created = created;
  r.status = status;
  r.body["EndpointName"] = name;
  r.body["CreationTime"] = aws::TimestampValue(created);
  if (modified) r.body["LastModifiedTime"] = aws::TimestampValue(*modified);
  return r;
}

// Names in a mixed order and case; creation times with ties; three statuses.
std::vector<Resource> Population() {
  const char* statuses[] = {"InService", "Creating", "Failed"};
  std::vector<Resource> out;
  for (int i = 0; i < 31; ++i) {
    int k = (i * 17) % 31;  // a permutation, so insertion order differs from every sort
    std::string name = (k % 2 ? "Prod-" : "dev-") + std::to_string(100 + k);
    std::optional<TimePoint> modified;
    if (k % 3 == 0) modified = At(1000 + k);
    out.push_back(Make(name, At(k / 3), statuses[k % 3], modified));
  }
  return out;
}

std::vector<std::string> Keys(const std::vector<const Resource*>& items) {
  std::vector<std::string> keys;
  for (const Resource* r : items) keys.push_back(r->name_key);
  return keys;
}

// The expected order of everything matching `o`, the obvious way.
std::vector<std::string> Expected(const std::vector<Resource>& all, const ListOptions& o) {
  std::vector<const Resource*> hits;
  for (const Resource& r : all) {
    if (!o.name_contains.empty() &&
        r.name_key.find(AsciiLower(o.name_contains)) == std::string::npos) {
      continue;
    }
    if (o.created_after && r.created < *o.created_after) continue;
    if (o.created_before && r.created >= *o.created_before) continue;
    TimePoint modified = r.created;
    if (auto it = r.body.find("LastModifiedTime"); it != r.body.end()) {
      modified = *aws::ToTimePoint(it->value());
    }
    if (o.modified_after && modified < *o.modified_after) continue;
    if (o.modified_before && modified >= *o.modified_before) continue;
    if (!o.status_equals.empty() && r.status != o.status_equals) continue;
    hits.push_back(&r);
  }
  std::sort(hits.begin(), hits.end(), [&](const Resource* a, const Resource* b) {
    switch (o.sort_by) {
      case SortBy::kName:
        return o.descending ? a->name_key > b->name_key : a->name_key < b->name_key;
      case SortBy::kCreationTime: {
        auto ka = std::make_pair(a->created, a->name_key);
        auto kb = std::make_pair(b->created, b->name_key);
        return o.descending ? ka > kb : ka < kb;
      }
      case SortBy::kStatus:
        if (a->status != b->status) {
          return o.descending ? a->status > b->status : a->status < b->status;
        }
        return a->name_key < b->name_key;
    }
    return false;
  });
  return Keys(hits);
}

// Every page of `o`, following NextToken; the keys in order.
std::vector<std::string> ListAll(const ResourceTable& table, ListOptions o, int* pages = nullptr) {
  std::vector<std::string> keys;
  int n = 0;
  while (true) {
    auto page = table.List(o);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    if (!page.ok()) break;
    ++n;
    EXPECT_LE(page->items.size(), std::max<size_t>(1, o.max_results));
    for (const Resource* r : page->items) keys.push_back(r->name_key);
    if (page->next_token.empty()) break;
    EXPECT_EQ(page->items.size(), std::max<size_t>(1, o.max_results)) << "only the last is short";
    o.next_token = page->next_token;
    if (n > 1000) break;
  }
  if (pages) *pages = n;
  return keys;
}

class ResourceTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    all_ = Population();
    for (const Resource& r : all_) table_.Put(r);
  }
  std::vector<Resource> all_;
  ResourceTable table_;
};

TEST_F(ResourceTableTest, EverySortAndOrderPagesLikeTheReference) {
  for (SortBy sort : {SortBy::kName, SortBy::kCreationTime, SortBy::kStatus}) {
    for (bool descending : {false, true}) {
      for (size_t page : {size_t{1}, size_t{3}, size_t{10}, size_t{31}, size_t{100}}) {
        ListOptions o;
        o.sort_by = sort;
        o.descending = descending;
        o.max_results = page;
        int pages = 0;
        auto got = ListAll(table_, o, &pages);
        auto want = Expected(all_, o);
        ASSERT_EQ(want.size(), 31u);
        EXPECT_EQ(got, want) << "sort " << static_cast<int>(sort) << " desc " << descending
                             << " page " << page;
        EXPECT_EQ(pages, static_cast<int>((31 + page - 1) / page)) << page;
        EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 31u);
      }
    }
  }
}

TEST_F(ResourceTableTest, SortsAreWhatTheyClaim) {
  ListOptions o;
  o.max_results = 100;
  o.sort_by = SortBy::kName;
  o.descending = false;
  auto page = table_.List(o);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.front()->name, "dev-100");
  EXPECT_EQ(page->items.back()->name, "Prod-129");
  o.sort_by = SortBy::kCreationTime;
  page = table_.List(o);
  ASSERT_TRUE(page.ok());
  for (size_t i = 1; i < page->items.size(); ++i) {
    EXPECT_LE(page->items[i - 1]->created, page->items[i]->created);
  }
  o.descending = true;
  page = table_.List(o);
  ASSERT_TRUE(page.ok());
  for (size_t i = 1; i < page->items.size(); ++i) {
    EXPECT_GE(page->items[i - 1]->created, page->items[i]->created);
  }
  o.sort_by = SortBy::kStatus;
  o.descending = false;
  page = table_.List(o);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.front()->status, "Creating");
  EXPECT_EQ(page->items.back()->status, "InService");
}

TEST_F(ResourceTableTest, NameContainsIsCaseInsensitive) {
  ListOptions o;
  o.max_results = 100;
  o.name_contains = "PROD-11";
  auto got = ListAll(table_, o);
  EXPECT_EQ(got, Expected(all_, o));
  EXPECT_EQ(got.size(), 5u);  // prod-111, 113, 115, 117, 119
  for (const auto& key : got) EXPECT_EQ(key.substr(0, 7), "prod-11");
  o.name_contains = "v-1";
  EXPECT_EQ(ListAll(table_, o).size(), 16u);
  o.name_contains = "nothing";
  EXPECT_TRUE(ListAll(table_, o).empty());
}

TEST_F(ResourceTableTest, CreationTimeFilters) {
  ListOptions o;
  o.max_results = 4;
  o.created_after = At(3);   // inclusive
  o.created_before = At(7);  // exclusive
  auto got = ListAll(table_, o);
  EXPECT_EQ(got, Expected(all_, o));
  // Creation second k/3 for k in 0..30: seconds 3..6 hold k = 9..20.
  EXPECT_EQ(got.size(), 12u);
  for (const auto& key : got) {
    const Resource* r = table_.Find(key);
    ASSERT_NE(r, nullptr);
    EXPECT_GE(r->created, At(3));
    EXPECT_LT(r->created, At(7));
  }
  o.created_after = At(7);
  o.created_before = At(7);
  EXPECT_TRUE(ListAll(table_, o).empty());
  o.created_after.reset();
  o.created_before = At(1);
  EXPECT_EQ(ListAll(table_, o).size(), 3u);
  o.created_before.reset();
  o.created_after = At(10);
  EXPECT_EQ(ListAll(table_, o).size(), 1u);
}

TEST_F(ResourceTableTest, LastModifiedTimeFilters) {
  ListOptions o;
  o.max_results = 100;
  o.modified_after = At(1000);
  auto got = ListAll(table_, o);
  EXPECT_EQ(got, Expected(all_, o));
  EXPECT_EQ(got.size(), 11u);  // k % 3 == 0 were modified at 1000 + k
  o.modified_before = At(1012);
  EXPECT_EQ(ListAll(table_, o), Expected(all_, o));
  EXPECT_EQ(ListAll(table_, o).size(), 4u);  // k = 0, 3, 6, 9
  // Never modified: the creation time counts.
  o.modified_after.reset();
  o.modified_before = At(2);
  got = ListAll(table_, o);
  EXPECT_EQ(got, Expected(all_, o));
  EXPECT_EQ(got.size(), 4u);  // k = 1, 2, 4, 5
}

TEST_F(ResourceTableTest, StatusEquals) {
  for (const char* status : {"InService", "Creating", "Failed"}) {
    for (SortBy sort : {SortBy::kName, SortBy::kCreationTime, SortBy::kStatus}) {
      ListOptions o;
      o.status_equals = status;
      o.sort_by = sort;
      o.max_results = 2;
      auto got = ListAll(table_, o);
      EXPECT_EQ(got, Expected(all_, o)) << status;
      for (const auto& key : got) EXPECT_EQ(table_.Find(key)->status, status);
    }
  }
  ListOptions o;
  o.status_equals = "inservice";
  EXPECT_TRUE(ListAll(table_, o).empty());
}

TEST_F(ResourceTableTest, FiltersCombineWithPaging) {
  ListOptions o;
  o.max_results = 2;
  o.name_contains = "prod";
  o.created_after = At(2);
  o.status_equals = "Failed";
  for (SortBy sort : {SortBy::kName, SortBy::kCreationTime, SortBy::kStatus}) {
    for (bool desc : {false, true}) {
      o.sort_by = sort;
      o.descending = desc;
      auto want = Expected(all_, o);
      EXPECT_FALSE(want.empty());
      EXPECT_EQ(ListAll(table_, o), want);
    }
  }
}

TEST_F(ResourceTableTest, BadTokensAreRefused) {
  auto expect_bad = [&](SortBy sort, const std::string& token) {
    ListOptions o;
    o.sort_by = sort;
    o.next_token = token;
    auto page = table_.List(o);
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_EQ(page.error().code, "ValidationException");
    EXPECT_EQ(page.error().message, "Invalid pagination token.");
    EXPECT_EQ(page.error().http_status, 400);
  };
  for (SortBy sort : {SortBy::kName, SortBy::kCreationTime, SortBy::kStatus}) {
    expect_bad(sort, "not base64!");
    expect_bad(sort, Base64Encode("x|whatever"));
  }
  // A token issued for one sort does not continue another.
  ListOptions o;
  o.max_results = 2;
  o.sort_by = SortBy::kName;
  auto page = table_.List(o);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_token.empty());
  expect_bad(SortBy::kCreationTime, page->next_token);
  expect_bad(SortBy::kStatus, page->next_token);
  o.sort_by = SortBy::kCreationTime;
  page = table_.List(o);
  ASSERT_TRUE(page.ok());
  expect_bad(SortBy::kName, page->next_token);
  expect_bad(SortBy::kCreationTime, Base64Encode("c|12345"));  // no name part
}

TEST_F(ResourceTableTest, PagingSurvivesChangesBetweenPages) {
  ListOptions o;
  o.max_results = 5;
  o.sort_by = SortBy::kCreationTime;
  o.descending = true;
  auto first = table_.List(o);
  ASSERT_TRUE(first.ok());
  std::set<std::string> seen;
  for (const Resource* r : first->items) seen.insert(r->name_key);
  // The last item of the page goes away; the next page still starts right after it.
  std::string last = first->items.back()->name_key;
  table_.Erase(last);
  o.next_token = first->next_token;
  auto second = table_.List(o);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 5u);
  for (const Resource* r : second->items) EXPECT_EQ(seen.count(r->name_key), 0u) << r->name_key;
  auto all = Expected(all_, o);
  EXPECT_EQ(second->items.front()->name_key, all[5]);
}

TEST_F(ResourceTableTest, PutReplacesAndKeepsIndexesConsistent) {
  ResourceTable t;
  t.Put(Make("Alpha", At(10), "Creating"));
  t.Put(Make("beta", At(20), "Creating"));
  ASSERT_EQ(t.size(), 2u);
  // Same name (another case), new creation time and status.
  t.Put(Make("ALPHA", At(30), "InService"));
  ASSERT_EQ(t.size(), 2u);
  ASSERT_NE(t.Find("alpha"), nullptr);
  EXPECT_EQ(t.Find("alpha")->name, "ALPHA");
  EXPECT_EQ(t.Find("alpha")->status, "InService");
  EXPECT_EQ(t.Find("Alpha"), nullptr);  // lookups are by the lower-case key
  ListOptions o;
  o.max_results = 10;
  o.sort_by = SortBy::kCreationTime;
  o.descending = false;
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"beta", "alpha"}));
  o.created_before = At(25);
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"beta"}));
  o.created_before.reset();
  o.sort_by = SortBy::kStatus;
  o.status_equals = "Creating";
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"beta"}));
  // A mutable change in place is seen by List.
  t.FindMutable("beta")->status = "Failed";
  EXPECT_TRUE(ListAll(t, o).empty());

  t.Erase("alpha");
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.Find("alpha"), nullptr);
  o = ListOptions{};
  o.sort_by = SortBy::kCreationTime;
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"beta"}));
  o.sort_by = SortBy::kName;
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"beta"}));
  t.Erase("alpha");  // absent: nothing happens
  t.Erase("beta");
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(ListAll(t, o).empty());
  // Re-adding after erasing works, at its new time.
  t.Put(Make("Alpha", At(5)));
  o.sort_by = SortBy::kCreationTime;
  o.created_before = At(6);
  EXPECT_EQ(ListAll(t, o), (std::vector<std::string>{"alpha"}));
}

TEST_F(ResourceTableTest, EmptyTableAndZeroMaxResults) {
  ResourceTable t;
  ListOptions o;
  auto page = t.List(o);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_TRUE(page->next_token.empty());
  o.max_results = 0;  // treated as one
  page = table_.List(o);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->next_token.empty());
}

TEST(ListOptionsTest, FromInput) {
  auto o = ListOptions::FromInput(json::parse(R"({
      "NameContains":"abc","CreationTimeAfter":1763805600,"CreationTimeBefore":1763805700.5,
      "LastModifiedTimeAfter":"2025-11-22T10:00:00Z","LastModifiedTimeBefore":1763805800,
      "StatusEquals":"InService","SortBy":"Name","SortOrder":"Ascending","MaxResults":7,
      "NextToken":"tok"})"),
                                  SortBy::kCreationTime, true);
  EXPECT_EQ(o.name_contains, "abc");
  EXPECT_EQ(o.created_after, FromUnixSeconds(1763805600));
  EXPECT_EQ(o.created_before, FromUnixMillis(1763805700500));
  EXPECT_EQ(o.modified_after, FromUnixSeconds(1763805600));
  EXPECT_EQ(o.modified_before, FromUnixSeconds(1763805800));
  EXPECT_EQ(o.status_equals, "InService");
  EXPECT_EQ(o.sort_by, SortBy::kName);
  EXPECT_FALSE(o.descending);
  EXPECT_EQ(o.max_results, 7u);
  EXPECT_EQ(o.next_token, "tok");

  auto d = ListOptions::FromInput(json::parse("{}"), SortBy::kCreationTime, true);
  EXPECT_EQ(d.sort_by, SortBy::kCreationTime);
  EXPECT_TRUE(d.descending);
  EXPECT_EQ(d.max_results, 10u);
  EXPECT_FALSE(d.created_after.has_value());
  EXPECT_TRUE(d.name_contains.empty());
  d = ListOptions::FromInput(json::parse(R"({"SortBy":"Status","SortOrder":"Descending"})"),
                             SortBy::kName, false);
  EXPECT_EQ(d.sort_by, SortBy::kStatus);
  EXPECT_TRUE(d.descending);
  d = ListOptions::FromInput(json::parse(R"({"SortBy":"CreationTime"})"), SortBy::kName, false);
  EXPECT_EQ(d.sort_by, SortBy::kCreationTime);
  EXPECT_FALSE(d.descending);
}

}  // namespace
}  // namespace sagetrail::sagemaker
