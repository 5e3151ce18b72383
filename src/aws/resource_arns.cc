#include "aws/resource_arns.h"

#include <algorithm>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"

namespace sagetrail::aws {

std::string ExpandArn(std::string_view tpl, std::string_view region, std::string_view account,
                      std::string_view name) {
  std::string out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] != '{') {
      out.push_back(tpl[i]);
      continue;
    }
    size_t close = tpl.find('}', i);
    std::string_view var = tpl.substr(i + 1, close - i - 1);
    if (var == "region") out.append(region);
    if (var == "account") out.append(account);
    if (var == "name") out.append(name);
    if (var == "lname") out += AsciiLower(name);
    i = close;
  }
  return out;
}

std::optional<ArnParts> ParseArn(std::string_view arn) {
  std::string_view fields[5];
  std::string_view rest = arn;
  for (std::string_view& field : fields) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn") return std::nullopt;
  return ArnParts{fields[1], fields[2], fields[3], fields[4], rest};
}

std::vector<CallResource> ResourcesFromRules(std::span<const ResourceRule> rules,
                                             std::string_view account_id, std::string_view region,
                                             const boost::json::value& input) {
  std::vector<CallResource> out;
  for (const ResourceRule& r : rules) {
    auto name = StringField(input, r.member);
    if (!name) continue;
    CallResource res;
    res.type = std::string(r.type);
    res.name = std::string(*name);
    if (res.name.rfind("arn:", 0) == 0) {
      res.arn = res.name;
    } else if (!r.arn.empty()) {
      res.arn = ExpandArn(r.arn, region, account_id, *name);
    }
    out.push_back(std::move(res));
  }
  return out;
}

namespace {

void CollectShapeValues(const ServiceModel& model, ShapeId id, const boost::json::value& value,
                        std::string_view shape_name, std::string_view member, int depth,
                        std::vector<ShapeValue>* out) {
  if (id == kNoShape || depth > 32) return;
  const Shape& shape = model.shape(id);
  if (shape.name == shape_name && value.is_string()) {
    out->push_back({std::string(member), std::string(value.get_string())});
    return;
  }
  switch (shape.type) {
    case ShapeType::kStructure:
      if (const auto* o = value.if_object()) {
        for (const Member& m : shape.members) {
          auto it = o->find(m.name);
          if (it != o->end()) {
            CollectShapeValues(model, m.shape, it->value(), shape_name, m.name, depth + 1, out);
          }
        }
      }
      return;
    case ShapeType::kList:
      if (const auto* a = value.if_array()) {
        for (const auto& e : *a) {
          CollectShapeValues(model, shape.member_shape, e, shape_name, member, depth + 1, out);
        }
      }
      return;
    case ShapeType::kMap:
      if (const auto* o = value.if_object()) {
        for (const auto& kv : *o) {
          CollectShapeValues(model, shape.value_shape, kv.value(), shape_name, member, depth + 1,
                             out);
        }
      }
      return;
    default:
      return;
  }
}

}  // namespace

std::vector<ShapeValue> ValuesOfShape(const ServiceModel& model, ShapeId id,
                                      const boost::json::value& value,
                                      std::string_view shape_name) {
  std::vector<ShapeValue> out;
  CollectShapeValues(model, id, value, shape_name, "", 0, &out);
  return out;
}

void PutPrimaryFirst(std::string_view operation, std::vector<CallResource>* resources) {
  size_t best = resources->size();
  size_t best_len = 0;
  for (size_t i = 0; i < resources->size(); ++i) {
    std::string_view type = (*resources)[i].type;
    std::string_view noun = type.substr(type.rfind(':') + 1);
    if (noun.size() > best_len && operation.size() >= noun.size() &&
        operation.substr(operation.size() - noun.size()) == noun) {
      best = i;
      best_len = noun.size();
    }
  }
  if (best == resources->size() || best == 0) return;
  std::rotate(resources->begin(), resources->begin() + best, resources->begin() + best + 1);
}

}  // namespace sagetrail::aws
