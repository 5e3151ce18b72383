// ResourceArns: which resources a call is about, derived from its parameters and results by
// per-service rules: what IAM authorizes a call against, what CloudTrail indexes for Event
// history (LookupEvents ResourceType / ResourceName) and lists in a record's "resources".
// Pure; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::aws {

struct CallResource {
  std::string type;  // "AWS::SageMaker::Model"
  std::string name;  // the resource name as given (or an id, or an ARN)
  std::string arn;   // empty if unknown
};

// `input`/`output` are the generic (model member name) forms; `output` may be null.
std::vector<CallResource> ResourcesOf(std::string_view service, std::string_view account_id,
                                      std::string_view region, const boost::json::value& input,
                                      const boost::json::value& output);

// "AWS::SageMaker::Model" for "arn:aws:sagemaker:...:model/x"; empty if not recognised.
std::string ResourceTypeOfArn(std::string_view arn);

}  // namespace sagetrail::aws
