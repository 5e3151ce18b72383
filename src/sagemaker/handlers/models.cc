// SageMaker models: CreateModel, DescribeModel, ListModels, DeleteModel.
// Models have no lifecycle; names are unique per account and region, case-insensitively.
#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "model";

AwsError NotFound(const std::string& arn) {
  return AwsError::Validation("Could not find model \"" + arn + "\".");
}

Result<json::value, AwsError> CreateModel(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "ModelName"));
  std::string key = AsciiLower(name);
  std::string arn = h.Arn(kKind, name);
  ResourceTable& table = h.backend.Table(kKind);
  if (table.Find(key) != nullptr) {
    return AwsError::Validation("Cannot create already existing model \"" + arn + "\".");
  }
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = key;
  r.arn = arn;
  r.created = h.clock.Now();
  json::object& b = r.body;
  b["ModelName"] = name;
  for (const char* member : {"PrimaryContainer", "Containers", "InferenceExecutionConfig",
                             "ExecutionRoleArn", "VpcConfig"}) {
    if (const json::value* v = aws::Field(in, member)) b[member] = *v;
  }
  b["CreationTime"] = aws::TimestampValue(r.created);
  b["ModelArn"] = arn;
  b["EnableNetworkIsolation"] = aws::BoolField(in, "EnableNetworkIsolation").value_or(false);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  h.Save(std::move(r));
  return json::value(json::object{{"ModelArn", arn}});
}

Result<json::value, AwsError> DescribeModel(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "ModelName"));
  const Resource* r = h.backend.Table(kKind).Find(AsciiLower(name));
  if (r == nullptr) return NotFound(h.Arn(kKind, name));
  return json::value(r->body);
}

Result<json::value, AwsError> ListModels(HandlerContext& h) {
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, true);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array models;
  for (const Resource* r : page->items) {
    models.push_back(json::object{{"ModelName", r->name},
                                  {"ModelArn", r->arn},
                                  {"CreationTime", aws::TimestampValue(r->created)}});
  }
  json::object out{{"Models", std::move(models)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> DeleteModel(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "ModelName"));
  std::string key = AsciiLower(name);
  if (h.backend.Table(kKind).Find(key) == nullptr) return NotFound(h.Arn(kKind, name));
  h.Remove(kKind, key);
  return json::value(json::object());
}

}  // namespace

void RegisterModelHandlers(HandlerTable& table) {
  table["CreateModel"] = CreateModel;
  table["DescribeModel"] = DescribeModel;
  table["ListModels"] = ListModels;
  table["DeleteModel"] = DeleteModel;
}

}  // namespace sagetrail::sagemaker
