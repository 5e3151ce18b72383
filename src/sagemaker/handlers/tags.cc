// SageMaker tags: AddTags, ListTags, DeleteTags on any stored resource of the caller's account
// and region, named by its ARN (arn:aws:sagemaker:<region>:<account>:<kind>/<name>; the kind is
// the resource's table, the name part its lower-case key). Tags keep their order; AddTags
// overwrites a key in place and appends new ones. A resource holds at most 50 tags.
// AWS's texts for an unknown ARN and for the tag limit are unknown; ours are below.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr size_t kMaxTagsPerResource = 50;
constexpr size_t kDefaultListTags = 50;  // ListTags' MaxResults has a minimum of 50

AwsError NotFound(std::string_view arn) {
  return AwsError::Validation("Could not find resource \"" + std::string(arn) + "\".");
}

// The resource `arn` names, or nullptr. Looks only at tables that exist (never creates one).
Resource* FindByArn(HandlerContext& h, std::string_view arn) {
  auto ref = ParseResourceArn(arn, h.region(), h.account_id());
  if (!ref) return nullptr;
  if (std::as_const(h.backend).Table(ref->kind).Find(ref->name_key) == nullptr) return nullptr;
  return h.backend.Table(ref->kind).FindMutable(ref->name_key);
}

std::string_view TagKey(const json::value& tag) {
  return aws::StringField(tag, "Key").value_or(std::string_view());
}

Result<json::value, AwsError> AddTags(HandlerContext& h) {
  std::string_view arn = *aws::StringField(h.input(), "ResourceArn");
  Resource* r = FindByArn(h, arn);
  if (r == nullptr) return NotFound(arn);
  json::array merged = r->tags;
  bool changed = false;
  if (const json::value* tags = aws::Field(h.input(), "Tags"); tags && tags->is_array()) {
    for (const json::value& tag : tags->get_array()) {
      std::string_view key = TagKey(tag);
      json::value value(aws::StringField(tag, "Value").value_or(std::string_view()));
      auto same_key = std::find_if(merged.begin(), merged.end(),
                                   [&](const json::value& t) { return TagKey(t) == key; });
      if (same_key == merged.end()) {
        merged.push_back(json::object{{"Key", key}, {"Value", std::move(value)}});
        changed = true;
      } else if (json::object* existing = same_key->if_object();
                 existing != nullptr && (*existing)["Value"] != value) {
        (*existing)["Value"] = std::move(value);
        changed = true;
      }
    }
  }
  if (merged.size() > kMaxTagsPerResource && merged.size() > r->tags.size()) {
    return AwsError::Validation(
        "The resource " + r->arn + " would have " + std::to_string(merged.size()) +
        " tags; a resource can have at most " + std::to_string(kMaxTagsPerResource) + ".");
  }
  if (changed) {
    r->tags = std::move(merged);
    h.Touch(*r);
  }
  return json::value(json::object{{"Tags", r->tags}});
}

Result<json::value, AwsError> ListTags(HandlerContext& h) {
  const json::value& in = h.input();
  std::string_view arn = *aws::StringField(in, "ResourceArn");
  const Resource* r = FindByArn(h, arn);
  if (r == nullptr) return NotFound(arn);
  size_t limit = kDefaultListTags;
  if (auto max = aws::IntField(in, "MaxResults"); max && *max > 0) {
    limit = static_cast<size_t>(*max);
  }
  size_t offset = 0;
  if (auto token = aws::StringField(in, "NextToken"); token && !token->empty()) {
    auto raw = Base64Decode(*token);
    if (!raw || raw->rfind("t|", 0) != 0 || raw->size() == 2 ||
        raw->find_first_not_of("0123456789", 2) != std::string::npos) {
      return AwsError::Validation("Invalid pagination token.");
    }
    offset = std::strtoull(raw->c_str() + 2, nullptr, 10);
  }
  json::array page;
  for (size_t i = offset; i < r->tags.size() && page.size() < limit; ++i) {
    page.push_back(r->tags[i]);
  }
  json::object out{{"Tags", std::move(page)}};
  if (offset + limit < r->tags.size()) {
    out["NextToken"] = Base64Encode("t|" + std::to_string(offset + limit));
  }
  return json::value(std::move(out));
}

Result<json::value, AwsError> DeleteTags(HandlerContext& h) {
  const json::value& in = h.input();
  std::string_view arn = *aws::StringField(in, "ResourceArn");
  Resource* r = FindByArn(h, arn);
  if (r == nullptr) return NotFound(arn);
  const json::value* keys = aws::Field(in, "TagKeys");
  if (keys == nullptr || !keys->is_array()) return json::value(json::object());
  auto doomed = [&](const json::value& tag) {
    for (const json::value& k : keys->get_array()) {
      if (k.is_string() && k.get_string() == TagKey(tag)) return true;
    }
    return false;
  };
  auto end = std::remove_if(r->tags.begin(), r->tags.end(), doomed);
  if (end != r->tags.end()) {
    r->tags.erase(end, r->tags.end());
    h.Touch(*r);
  }
  return json::value(json::object());
}

}  // namespace

void RegisterTagHandlers(HandlerTable& handlers) {
  handlers["AddTags"] = AddTags;
  handlers["ListTags"] = ListTags;
  handlers["DeleteTags"] = DeleteTags;
}

}  // namespace sagetrail::sagemaker
