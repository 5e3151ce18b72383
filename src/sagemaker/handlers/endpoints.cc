// SageMaker endpoints: CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
// DeleteEndpoint, and their lifecycle:
//   Creating --(endpoint time)--> InService, or Failed when the configuration or a model it
//                                 names cannot be served at that moment (FailureReason says why)
//   InService/Failed --UpdateEndpoint--> Updating --> InService on the new configuration (or,
//                                 when it cannot be served, back to InService on the old one)
//   any --DeleteEndpoint--> Deleting --> gone
#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "endpoint";

AwsError NotFound(const std::string& arn) {
  return AwsError::Validation("Could not find endpoint \"" + arn + "\".");
}

AwsError ConfigNotFound(const std::string& arn) {
  return AwsError::Validation("Could not find endpoint configuration \"" + arn + "\".");
}

void SetStatus(Resource& r, const std::string& status, TimePoint now) {
  r.status = status;
  r.body["EndpointStatus"] = status;
  SetLastModified(r, now);
}

// "repo:tag" -> "repo@sha256:<digest>": a stable stand-in for the digest ECR would resolve.
std::string ResolvedImage(std::string_view image) {
  if (image.find("@sha256:") != std::string_view::npos) return std::string(image);  // pinned
  std::string_view repo = image.substr(0, image.find('@'));
  size_t colon = repo.rfind(':');
  if (colon != std::string_view::npos && repo.find('/', colon) == std::string_view::npos) {
    repo = repo.substr(0, colon);
  }
  return std::string(repo) + "@sha256:" + Sha256Hex(image);
}

// The deployed variants for `config_name`, or the reason it cannot be served.
Result<json::array, std::string> Deploy(const TransitionContext& tc,
                                        const std::string& config_name) {
  const Resource* config = tc.Find("endpoint-config", config_name);
  if (config == nullptr) {
    return std::string("Could not find endpoint configuration \"" +
                       tc.Arn("endpoint-config", config_name) + "\".");
  }
  json::array out;
  auto variants = config->body.find("ProductionVariants");
  if (variants == config->body.end() || !variants->value().is_array()) return out;
  for (const json::value& v : variants->value().get_array()) {
    // A variant may name no model (inference components deploy theirs later).
    std::string model_name(aws::StringField(v, "ModelName").value_or(""));
    const Resource* model = model_name.empty() ? nullptr : tc.Find("model", model_name);
    if (!model_name.empty() && model == nullptr) {
      return std::string("Could not find model \"" + tc.Arn("model", model_name) + "\".");
    }
    json::array images;
    auto add_image = [&](const json::value& container) {
      if (auto image = aws::StringField(container, "Image")) {
        images.push_back(json::object{{"SpecifiedImage", *image},
                                      {"ResolvedImage", ResolvedImage(*image)},
                                      {"ResolutionTime", aws::TimestampValue(tc.now)}});
      }
    };
    if (model != nullptr) {
      if (auto it = model->body.find("PrimaryContainer"); it != model->body.end()) {
        add_image(it->value());
      }
      if (auto it = model->body.find("Containers");
          it != model->body.end() && it->value().is_array()) {
        for (const json::value& c : it->value().get_array()) add_image(c);
      }
    }
    json::object summary;
    summary["VariantName"] = aws::StringField(v, "VariantName").value_or("");
    summary["DeployedImages"] = std::move(images);
    const json::value* weight = aws::Field(v, "InitialVariantWeight");
    summary["CurrentWeight"] = weight ? *weight : json::value(1.0);
    summary["DesiredWeight"] = weight ? *weight : json::value(1.0);
    if (auto count = aws::IntField(v, "InitialInstanceCount")) {
      summary["CurrentInstanceCount"] = *count;
      summary["DesiredInstanceCount"] = *count;
    }
    if (const json::value* serverless = aws::Field(v, "ServerlessConfig")) {
      summary["CurrentServerlessConfig"] = *serverless;
      summary["DesiredServerlessConfig"] = *serverless;
    }
    out.push_back(std::move(summary));
  }
  return out;
}

// A model the config's variants name that does not exist (checked when the endpoint is created
// or updated, as AWS does), as AWS's error.
std::optional<AwsError> MissingModel(HandlerContext& h, const Resource& config) {
  auto variants = config.body.find("ProductionVariants");
  if (variants == config.body.end() || !variants->value().is_array()) return std::nullopt;
  for (const json::value& v : variants->value().get_array()) {
    std::string model(aws::StringField(v, "ModelName").value_or(""));
    if (!model.empty() && h.Find("model", model) == nullptr) {
      return AwsError::Validation("Could not find model \"" + h.Arn("model", model) + "\".");
    }
  }
  return std::nullopt;
}

Result<json::value, AwsError> CreateEndpoint(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "EndpointName"));
  std::string config(*aws::StringField(in, "EndpointConfigName"));
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError::Validation("Cannot create already existing endpoint \"" + arn + "\".");
  }
  const Resource* config_resource = h.Find("endpoint-config", config);
  if (config_resource == nullptr) return ConfigNotFound(h.Arn("endpoint-config", config));
  if (auto missing = MissingModel(h, *config_resource)) return *missing;
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  r.body["EndpointName"] = name;
  r.body["EndpointArn"] = arn;
  r.body["EndpointConfigName"] = config;
  r.body["CreationTime"] = aws::TimestampValue(now);
  SetStatus(r, "Creating", now);
  r.meta["config"] = config;
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  h.ScheduleTransition(r, now + h.timings.endpoint);
  h.Save(std::move(r));
  return json::value(json::object{{"EndpointArn", arn}});
}

Result<json::value, AwsError> DescribeEndpoint(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "EndpointName"));
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  return json::value(r->body);
}

Result<json::value, AwsError> ListEndpoints(HandlerContext& h) {
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, true);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array endpoints;
  for (const Resource* r : page->items) {
    json::object e{{"EndpointName", r->name},
                   {"EndpointArn", r->arn},
                   {"CreationTime", aws::TimestampValue(r->created)}};
    if (auto it = r->body.find("LastModifiedTime"); it != r->body.end()) {
      e["LastModifiedTime"] = it->value();
    }
    e["EndpointStatus"] = r->status;
    endpoints.push_back(std::move(e));
  }
  json::object out{{"Endpoints", std::move(endpoints)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> UpdateEndpoint(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "EndpointName"));
  std::string config(*aws::StringField(in, "EndpointConfigName"));
  Resource* r = h.FindMutable(kKind, name);
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  if (r->status != "InService" && r->status != "Failed") {
    return AwsError::Validation("Cannot update in-progress endpoint \"" + r->arn + "\".");
  }
  const Resource* config_resource = h.Find("endpoint-config", config);
  if (config_resource == nullptr) return ConfigNotFound(h.Arn("endpoint-config", config));
  if (auto missing = MissingModel(h, *config_resource)) return *missing;
  TimePoint now = h.clock.Now();
  r->meta["before_update"] = r->status;  // where a failed update returns to
  SetStatus(*r, "Updating", now);
  r->body.erase("FailureReason");
  r->meta["config"] = config;
  h.ScheduleTransition(*r, now + h.timings.endpoint);
  h.Touch(*r);
  return json::value(json::object{{"EndpointArn", r->arn}});
}

Result<json::value, AwsError> DeleteEndpoint(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "EndpointName"));
  Resource* r = h.FindMutable(kKind, name);
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  if (r->status != "Deleting") {
    TimePoint now = h.clock.Now();
    SetStatus(*r, "Deleting", now);
    h.ScheduleTransition(*r, now + h.timings.endpoint);
    h.Touch(*r);
  }
  return json::value(json::object());
}

void Advance(TransitionContext& tc, Resource& r) {
  if (r.status == "Deleting") {
    tc.erase = true;
    return;
  }
  auto config_it = r.meta.find("config");
  std::string config = config_it != r.meta.end() && config_it->value().is_string()
                           ? std::string(config_it->value().get_string())
                           : std::string();
  auto deployed = Deploy(tc, config);
  if (r.status == "Creating") {
    if (!deployed.ok()) {
      r.body["FailureReason"] = deployed.error();
      SetStatus(r, "Failed", tc.now);
      return;
    }
    r.body["ProductionVariants"] = std::move(deployed).value();
    SetStatus(r, "InService", tc.now);
    return;
  }
  if (r.status == "Updating") {
    if (!deployed.ok()) {
      // The update rolls back: the endpoint keeps its current configuration and returns to
      // the status it had (InService, or Failed if it never deployed).
      auto before = r.meta.find("before_update");
      std::string status = before != r.meta.end() && before->value().is_string()
                               ? std::string(before->value().get_string())
                               : std::string("InService");
      if (auto current = r.body.find("EndpointConfigName"); current != r.body.end()) {
        r.meta["config"] = current->value();
      }
      r.body["FailureReason"] = deployed.error();
      SetStatus(r, status, tc.now);
      return;
    }
    r.body["EndpointConfigName"] = config;
    r.body["ProductionVariants"] = std::move(deployed).value();
    SetStatus(r, "InService", tc.now);
  }
}

}  // namespace

void RegisterEndpointHandlers(HandlerTable& handlers, LifecycleTable& lifecycles) {
  handlers["CreateEndpoint"] = CreateEndpoint;
  handlers["DescribeEndpoint"] = DescribeEndpoint;
  handlers["ListEndpoints"] = ListEndpoints;
  handlers["UpdateEndpoint"] = UpdateEndpoint;
  handlers["DeleteEndpoint"] = DeleteEndpoint;
  lifecycles[kKind] = Advance;
}

}  // namespace sagetrail::sagemaker
