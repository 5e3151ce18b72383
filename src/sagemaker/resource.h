// Resource: one SageMaker resource (a model, an endpoint, a training job, ...) as the control
// plane keeps it: its identity, its Describe* document in generic form, and its tags.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace sagetrail::sagemaker {

struct Resource {
  std::string kind;      // ARN resource type: "model", "endpoint", "training-job", ...
  std::string name;      // as created (case preserved)
  std::string name_key;  // lower-case: names are unique case-insensitively
  std::string arn;
  TimePoint created;
  std::string status;        // for resources with a lifecycle; empty otherwise
  boost::json::object body;  // the Describe* output
  boost::json::array tags;   // [{"Key","Value"}]
  // Bookkeeping that is never returned: the pending state transition ("next_at", epoch ms),
  // its generation ("gen", bumped whenever the lifecycle changes course, so a scheduled
  // transition that went stale is recognised and skipped), and whatever a lifecycle keeps.
  boost::json::object meta;
};

// The pending transition of `r`, if any.
std::optional<TimePoint> NextTransition(const Resource& r);
int64_t TransitionGeneration(const Resource& r);

// arn:aws:sagemaker:<region>:<account>:<kind>/<lower-case name>
std::string MakeArn(const std::string& region, const std::string& account_id,
                    const std::string& kind, const std::string& name);

// The (kind, lower-case name key) an ARN of this account and region names, if it has the form
// MakeArn produces (the name part in any case); nullopt otherwise.
struct ArnRef {
  std::string kind;
  std::string name_key;
};
std::optional<ArnRef> ParseResourceArn(std::string_view arn, std::string_view region,
                                       std::string_view account_id);

// The resource kinds of the control plane: each one's input member naming it and its
// CloudTrail resource type.
struct ResourceKind {
  std::string_view kind;         // "model"
  std::string_view name_member;  // "ModelName"
  std::string_view type;         // "AWS::SageMaker::Model"
};
std::span<const ResourceKind> ResourceKinds();
const ResourceKind* FindResourceKind(std::string_view kind);

}  // namespace sagetrail::sagemaker
