#include "sagemaker/handler_context.h"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"

namespace sagetrail::sagemaker {

boost::json::array UniqueTags(const boost::json::array& tags) {
  boost::json::array out;
  for (const boost::json::value& tag : tags) {
    auto key = aws::StringField(tag, "Key");
    auto same = std::find_if(out.begin(), out.end(), [&](const boost::json::value& t) {
      return aws::StringField(t, "Key") == key;
    });
    if (same == out.end()) {
      out.push_back(tag);
    } else {
      *same = tag;
    }
  }
  return out;
}

void SetNextTransition(Resource& r, TimePoint at) {
  r.meta["next_at"] = ToUnixMillis(at);
  r.meta["gen"] = TransitionGeneration(r) + 1;
}

void ClearNextTransition(Resource& r) { r.meta.erase("next_at"); }

void SetLastModified(Resource& r, TimePoint t) {
  r.body["LastModifiedTime"] = aws::TimestampValue(t);
}

const Resource* HandlerContext::Find(const std::string& kind, std::string_view name) const {
  // Through the const table lookup, which never creates an empty table for an unknown kind.
  return std::as_const(backend).Table(kind).Find(AsciiLower(name));
}

Resource* HandlerContext::FindMutable(const std::string& kind, std::string_view name) {
  return backend.Table(kind).FindMutable(AsciiLower(name));
}

const Resource* HandlerContext::Save(Resource r) {
  std::string kind = r.kind, key = r.name_key;
  ResourceTable& table = backend.Table(kind);
  table.Put(std::move(r));
  dirty.emplace_back(kind, key);
  return table.Find(key);
}

void HandlerContext::Touch(const Resource& r) { dirty.emplace_back(r.kind, r.name_key); }

// `name_key` is taken by value: callers often pass the key of the resource being erased.
void HandlerContext::Remove(const std::string& kind, std::string name_key) {
  backend.Table(kind).Erase(name_key);
  dirty.emplace_back(kind, std::move(name_key));
}

void HandlerContext::ScheduleTransition(Resource& r, TimePoint at) {
  SetNextTransition(r, at);
  scheduled.push_back({r.kind, r.name_key, at, TransitionGeneration(r)});
}

std::optional<aws::AwsError> HandlerContext::CheckRole(std::string_view role_arn) const {
  if (authorizer == nullptr || authorizer->ServiceCanAssumeRole(role_arn, kServicePrincipal)) {
    return std::nullopt;
  }
  return aws::AwsError::Validation("Could not assume role " + std::string(role_arn) +
                                   ". Please ensure that the role exists and allows principal "
                                   "'sagemaker.amazonaws.com' to assume the role.");
}

void HandlerContext::CopyDescribed(std::string_view describe_operation,
                                   boost::json::object* body) const {
  const aws::ServiceModel& model = *request.service;
  const aws::Operation* op = model.FindOperation(describe_operation);
  const boost::json::object* in = input().if_object();
  if (op == nullptr || op->output == aws::kNoShape || in == nullptr ||
      request.operation == nullptr || request.operation->input == aws::kNoShape) {
    return;
  }
  const aws::Shape& own_input = model.shape(request.operation->input);
  for (const aws::Member& m : model.shape(op->output).members) {
    // Only the call's own parameters: a client cannot set a status by sending an extra member.
    if (own_input.FindMember(m.name) == nullptr) continue;
    auto it = in->find(m.name);
    if (it != in->end() && !it->value().is_null()) (*body)[m.name] = it->value();
  }
}

const Resource* TransitionContext::Find(const std::string& kind, std::string_view name) const {
  return std::as_const(backend).Table(kind).Find(AsciiLower(name));
}

}  // namespace sagetrail::sagemaker
