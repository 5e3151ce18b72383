// SageMaker endpoint configurations: CreateEndpointConfig, DescribeEndpointConfig,
// ListEndpointConfigs, DeleteEndpointConfig. A configuration names models that must exist when
// it is created; deleting one in use is allowed (AWS only warns).
#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "endpoint-config";

AwsError NotFound(const std::string& arn) {
  return AwsError::Validation("Could not find endpoint configuration \"" + arn + "\".");
}

Result<json::value, AwsError> CreateEndpointConfig(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "EndpointConfigName"));
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError::Validation("Cannot create already existing endpoint configuration \"" + arn +
                                "\".");
  }
  // Every variant's model must exist now.
  json::array variants;
  if (const json::value* v = aws::Field(in, "ProductionVariants"); v && v->is_array()) {
    variants = v->get_array();
  }
  for (json::value& variant : variants) {
    if (auto model = aws::StringField(variant, "ModelName")) {
      if (h.Find("model", *model) == nullptr) {
        return AwsError::Validation("Could not find model \"" +
                                    h.Arn("model", std::string(*model)) + "\".");
      }
    }
    json::object& o = variant.as_object();
    if (o.find("InitialVariantWeight") == o.end() && o.find("ServerlessConfig") == o.end()) {
      o["InitialVariantWeight"] = 1.0;
    }
  }
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = h.clock.Now();
  h.CopyDescribed("DescribeEndpointConfig", &r.body);
  r.body["EndpointConfigArn"] = arn;
  r.body["ProductionVariants"] = std::move(variants);
  r.body["CreationTime"] = aws::TimestampValue(r.created);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  h.Save(std::move(r));
  return json::value(json::object{{"EndpointConfigArn", arn}});
}

Result<json::value, AwsError> DescribeEndpointConfig(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "EndpointConfigName"));
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  return json::value(r->body);
}

Result<json::value, AwsError> ListEndpointConfigs(HandlerContext& h) {
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, true);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array configs;
  for (const Resource* r : page->items) {
    configs.push_back(json::object{{"EndpointConfigName", r->name},
                                   {"EndpointConfigArn", r->arn},
                                   {"CreationTime", aws::TimestampValue(r->created)}});
  }
  json::object out{{"EndpointConfigs", std::move(configs)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> DeleteEndpointConfig(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "EndpointConfigName"));
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  h.Remove(kKind, r->name_key);
  return json::value(json::object());
}

}  // namespace

void RegisterEndpointConfigHandlers(HandlerTable& handlers) {
  handlers["CreateEndpointConfig"] = CreateEndpointConfig;
  handlers["DescribeEndpointConfig"] = DescribeEndpointConfig;
  handlers["ListEndpointConfigs"] = ListEndpointConfigs;
  handlers["DeleteEndpointConfig"] = DeleteEndpointConfig;
}

}  // namespace sagetrail::sagemaker
