// ResourceIndex: which resources a call is about, as CloudTrail indexes them for Event history
// (LookupEvents ResourceType / ResourceName) and lists them in a record's "resources" element.
// Derived from the call's parameters and results by per-service rules. Pure; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::cloudtrail {

struct IndexedResource {
  std::string type;  // "AWS::SageMaker::Model"
  std::string name;  // the resource name as given
  std::string arn;   // empty if unknown
};

// `input`/`output` are the generic (model member name) forms; `output` may be null.
std::vector<IndexedResource> ResourcesOf(std::string_view service, std::string_view account_id,
                                         std::string_view region, const boost::json::value& input,
                                         const boost::json::value& output);

// "AWS::SageMaker::Model" for "arn:aws:sagemaker:...:model/x"; empty if not recognised.
std::string ResourceTypeOfArn(std::string_view arn);

}  // namespace sagetrail::cloudtrail
