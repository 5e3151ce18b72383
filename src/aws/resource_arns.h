// ResourceArns: the generic machinery a service uses to say which resources a call is about.
// A service may keep a table of ResourceRules (which input members name which resource types, and
// how their ARNs are spelled); these helpers apply it. What IAM authorizes a call against, what a
// record lists in "resources" and what Event history indexes (LookupEvents ResourceType /
// ResourceName) all come from them, after the service has resolved each name to the entity it
// stores (Service::ResolveResources). Pure; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/model/service_model.h"
#include "aws/request_context.h"

namespace sagetrail::aws {

// One input member that names a resource. `arn` is a template with {region}, {account}, {name}
// and {lname} (the name lower-cased, as SageMaker spells its ARNs); empty when the member holds
// an ARN itself.
struct ResourceRule {
  std::string_view member;
  std::string_view type;
  std::string_view arn;
};

// The resources `input` names under `rules`, in rule order. A name member that already holds an
// ARN keeps it as its ARN.
std::vector<CallResource> ResourcesFromRules(std::span<const ResourceRule> rules,
                                             std::string_view account_id, std::string_view region,
                                             const boost::json::value& input);

// Expands an ArnTemplate (see ResourceRule::arn).
std::string ExpandArn(std::string_view tpl, std::string_view region, std::string_view account,
                      std::string_view name);

// Parts of "arn:<partition>:<service>:<region>:<account>:<resource>"; nullopt if `arn` does
// not have that form.
struct ArnParts {
  std::string_view partition, service, region, account, resource;
};
std::optional<ArnParts> ParseArn(std::string_view arn);

// Every string in `value` (walked through shape `id` of `model`) whose member's target shape is
// named `shape_name`, with the name of the member that holds it: e.g. every role ARN a SageMaker
// call carries (shape "RoleArn"), however deeply nested.
struct ShapeValue {
  std::string member;
  std::string value;
};
std::vector<ShapeValue> ValuesOfShape(const ServiceModel& model, ShapeId id,
                                      const boost::json::value& value, std::string_view shape_name);

// Moves the resource the operation is about (the one whose type the operation's name ends with:
// CreateEndpoint -> AWS::...::Endpoint, not ::EndpointConfig) to the front, keeping the others
// in order: IAM authorizes a call against its first resource.
void PutPrimaryFirst(std::string_view operation, std::vector<CallResource>* resources);

}  // namespace sagetrail::aws
