// Resource: one SageMaker resource (a model, an endpoint, a training job, ...) as the control
// plane keeps it: its identity, its Describe* document in generic form, and its tags.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

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

}  // namespace sagetrail::sagemaker
