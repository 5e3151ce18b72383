// SageMaker notebook instance lifecycle configurations: CreateNotebookInstanceLifecycleConfig,
// DescribeNotebookInstanceLifecycleConfig, ListNotebookInstanceLifecycleConfigs,
// UpdateNotebookInstanceLifecycleConfig, DeleteNotebookInstanceLifecycleConfig.
// A configuration holds at most one OnCreate and one OnStart script (base64, kept as given). It
// has no lifecycle; deleting one a notebook instance names is allowed (that instance fails its
// next start, see notebook_instances.cc).
#include <algorithm>
#include <boost/json.hpp>
#include <tuple>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "notebook-instance-lifecycle-config";
constexpr char kNameMember[] = "NotebookInstanceLifecycleConfigName";

// `verb` is the operation's: "describe", "update" or "delete".
AwsError NotFound(std::string_view verb, const std::string& arn) {
  return AwsError::Validation("Unable to " + std::string(verb) +
                              " Notebook Instance Lifecycle Config " + arn +
                              ". (Details: Notebook Instance Lifecycle Config does not exist.)");
}

std::string NameOf(const json::value& in) {
  return std::string(aws::StringField(in, kNameMember).value_or(""));
}

TimePoint LastModified(const Resource& r) {
  auto it = r.body.find("LastModifiedTime");
  std::optional<TimePoint> t = it == r.body.end() ? std::nullopt : aws::ToTimePoint(it->value());
  return t.value_or(r.created);
}

Result<json::value, AwsError> CreateConfig(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name = NameOf(in);
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError::Validation("Unable to create Notebook Instance Lifecycle Config " + arn +
                                ". (Details: Notebook Instance Lifecycle Config already exists.)");
  }
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  h.CopyDescribed("DescribeNotebookInstanceLifecycleConfig", &r.body);
  r.body[kNameMember] = name;
  r.body["NotebookInstanceLifecycleConfigArn"] = arn;
  r.body["CreationTime"] = aws::TimestampValue(now);
  SetLastModified(r, now);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  h.Save(std::move(r));
  return json::value(json::object{{"NotebookInstanceLifecycleConfigArn", arn}});
}

Result<json::value, AwsError> DescribeConfig(HandlerContext& h) {
  std::string name = NameOf(h.input());
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound("describe", h.Arn(kKind, name));
  return json::value(r->body);
}

// SortBy LastModifiedTime, which the table has no index for: the filtered items sorted by
// (LastModifiedTime, name), paged with a token holding the last item's position in that order.
Result<ListPage, AwsError> ListByLastModified(const ResourceTable& table, const json::value& in,
                                              bool descending) {
  ListOptions all = ListOptions::FromInput(in, SortBy::kName, false);
  all.sort_by = SortBy::kName;
  all.descending = false;
  all.next_token.clear();
  all.max_results = std::max<size_t>(1, table.size());
  auto filtered = table.List(all);
  if (!filtered.ok()) return filtered.error();
  using Key = std::tuple<int64_t, std::string>;
  auto key = [](const Resource* r) { return Key(ToUnixMillis(LastModified(*r)), r->name_key); };
  auto before = [&](const Key& a, const Key& b) { return descending ? b < a : a < b; };
  std::vector<const Resource*> items = std::move(filtered->items);
  std::sort(items.begin(), items.end(),
            [&](const Resource* a, const Resource* b) { return before(key(a), key(b)); });

  size_t start = 0;
  ListOptions requested = ListOptions::FromInput(in, SortBy::kName, false);
  if (!requested.next_token.empty()) {
    auto raw = Base64Decode(requested.next_token);
    size_t bar = raw ? raw->find('|', 2) : std::string::npos;
    if (!raw || raw->rfind("m|", 0) != 0 || bar == std::string::npos) {
      return AwsError::Validation("Invalid pagination token.");
    }
    Key after(std::strtoll(raw->c_str() + 2, nullptr, 10), raw->substr(bar + 1));
    while (start < items.size() && !before(after, key(items[start]))) ++start;
  }
  ListPage page;
  size_t limit = std::max<size_t>(1, requested.max_results);
  for (size_t i = start; i < items.size() && page.items.size() < limit; ++i) {
    page.items.push_back(items[i]);
  }
  if (start + page.items.size() < items.size()) {
    auto [ms, name_key] = key(page.items.back());
    page.next_token = Base64Encode("m|" + std::to_string(ms) + "|" + name_key);
  }
  return page;
}

Result<json::value, AwsError> ListConfigs(HandlerContext& h) {
  const json::value& in = h.input();
  // The model's default order is CreationTime; newest first, like the other List* calls.
  ListOptions options = ListOptions::FromInput(in, SortBy::kCreationTime, true);
  const ResourceTable& table = h.backend.Table(kKind);
  auto sort_by = aws::StringField(in, "SortBy");
  auto page = sort_by && *sort_by == "LastModifiedTime"
                  ? ListByLastModified(table, in, options.descending)
                  : table.List(options);
  if (!page.ok()) return page.error();
  json::array configs;
  for (const Resource* r : page->items) {
    configs.push_back(json::object{{kNameMember, r->name},
                                   {"NotebookInstanceLifecycleConfigArn", r->arn},
                                   {"CreationTime", aws::TimestampValue(r->created)},
                                   {"LastModifiedTime", aws::TimestampValue(LastModified(*r))}});
  }
  json::object out{{"NotebookInstanceLifecycleConfigs", std::move(configs)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> UpdateConfig(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name = NameOf(in);
  Resource* r = h.FindMutable(kKind, name);
  if (r == nullptr) return NotFound("update", h.Arn(kKind, name));
  // A script given replaces the stored one; one left out stays as it was.
  for (const char* member : {"OnCreate", "OnStart"}) {
    if (const json::value* v = aws::Field(in, member)) r->body[member] = *v;
  }
  SetLastModified(*r, h.clock.Now());
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> DeleteConfig(HandlerContext& h) {
  std::string name = NameOf(h.input());
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound("delete", h.Arn(kKind, name));
  std::string key = r->name_key;  // a copy: Remove erases `r`, then records the key
  h.Remove(kKind, key);
  return json::value(json::object());
}

}  // namespace

void RegisterNotebookLifecycleConfigHandlers(HandlerTable& handlers) {
  handlers["CreateNotebookInstanceLifecycleConfig"] = CreateConfig;
  handlers["DescribeNotebookInstanceLifecycleConfig"] = DescribeConfig;
  handlers["ListNotebookInstanceLifecycleConfigs"] = ListConfigs;
  handlers["UpdateNotebookInstanceLifecycleConfig"] = UpdateConfig;
  handlers["DeleteNotebookInstanceLifecycleConfig"] = DeleteConfig;
}

}  // namespace sagetrail::sagemaker
