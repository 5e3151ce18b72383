#include "aws/protocol/validator.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "aws/model/pattern.h"
#include "aws/protocol/generic_value.h"
#include "common/strings.h"

namespace sagetrail::aws {
namespace json = boost::json;

namespace {

// Java's String.length(): UTF-16 code units.
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;
    n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

std::string NumberText(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::floor(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<int64_t>(d)) + ".0";
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

bool IsIntegral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::floor(v.get_double()) == v.get_double() &&
         std::fabs(v.get_double()) < 9.2e18;
}

const char* JsonKindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return "STRING_VALUE";
    case json::kind::bool_:
      return "BOOLEAN_VALUE";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "NUMBER_VALUE";
    default:
      return "VALUE";
  }
}

class Walker {
 public:
  explicit Walker(const ServiceModel& model) : model_(model) {}

  void Check(ShapeId id, const json::value& v, std::string& path) {
    if (serialization_ || v.is_null()) return;
    const Shape& s = model_.shape(id);
    switch (s.type) {
      case ShapeType::kStructure:
        return CheckStructure(s, v, path);
      case ShapeType::kList:
        return CheckList(s, v, path);
      case ShapeType::kMap:
        return CheckMap(s, v, path);
      default:
        return CheckScalar(s, v, path);
    }
  }

  std::optional<AwsError> Result() {
    if (serialization_) return serialization_;
    if (errors_.empty()) return std::nullopt;
    std::string msg =
        std::to_string(errors_.size()) +
        (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i) msg += "; ";
      msg += errors_[i];
    }
    return AwsError::Validation(std::move(msg));
  }

 private:
  void TypeMismatch(const json::value& v, const char* expected) {
    if (serialization_) return;
    std::string msg;
    if (v.is_object()) {
      msg = "Start of structure or map found where not expected.";
    } else if (v.is_array()) {
      msg = "Start of list found where not expected.";
    } else {
      msg = std::string(JsonKindName(v)) + " can not be converted to " + expected;
    }
    serialization_ = AwsError::Serialization(std::move(msg));
  }

  void AddError(const Shape& s, const json::value* v, const std::string& path,
                const std::string& constraint) {
    std::string e = "Value ";
    if (v == nullptr) {
      e += "null ";
    } else if (!(s.sensitive || s.type == ShapeType::kBlob)) {
      e += "'" + Render(s, *v) + "' ";
    }
    e += "at '" + path + "' failed to satisfy constraint: " + constraint;
    errors_.push_back(std::move(e));
  }

  // Java-style toString of a value, as AWS quotes it in messages.
  std::string Render(const Shape& s, const json::value& v) {
    switch (v.kind()) {
      case json::kind::string:
        return std::string(v.get_string());
      case json::kind::bool_:
        return v.get_bool() ? "true" : "false";
      case json::kind::null:
        return "null";
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_:
        // Whole numbers as Java prints an int or long; a double beyond int64_t (which would be a
        // type error anyway) cannot be converted and is printed as it is.
        if (s.type == ShapeType::kInteger || s.type == ShapeType::kLong) {
          if (v.is_double() && std::fabs(v.get_double()) < 9.2e18) {
            return std::to_string(static_cast<int64_t>(v.get_double()));
          }
        }
        return NumberText(v);
      case json::kind::array: {
        std::string out = "[";
        const Shape* elem = s.member_shape != kNoShape ? &model_.shape(s.member_shape) : &s;
        bool first = true;
        for (const auto& e : v.get_array()) {
          if (!first) out += ", ";
          first = false;
          out += Render(*elem, e);
        }
        return out + "]";
      }
      case json::kind::object: {
        std::string out = "{";
        bool first = true;
        for (const auto& kv : v.get_object()) {
          if (!first) out += ", ";
          first = false;
          const Shape* child = &s;
          if (s.type == ShapeType::kMap && s.value_shape != kNoShape) {
            child = &model_.shape(s.value_shape);
          } else if (const Member* m = s.FindMember(kv.key())) {
            child = &model_.shape(m->shape);
          }
          out += std::string(kv.key()) + "=" + Render(*child, kv.value());
        }
        return out + "}";
      }
    }
    return {};
  }

  void LengthConstraints(const Shape& s, size_t length, std::vector<std::string>* out) {
    if (s.max && static_cast<double>(length) > *s.max) {
      out->push_back("Member must have length less than or equal to " + s.max_text);
    }
    if (s.min && static_cast<double>(length) < *s.min) {
      out->push_back("Member must have length greater than or equal to " + s.min_text);
    }
  }

  // The constraint texts a scalar value violates (empty if it satisfies them all). Sets a
  // serialization error instead when the JSON type is wrong.
  std::vector<std::string> ScalarFailures(const Shape& s, const json::value& v) {
    std::vector<std::string> out;
    switch (s.type) {
      case ShapeType::kString: {
        if (!v.is_string()) {
          TypeMismatch(v, "a String");
          return out;
        }
        std::string_view str = v.get_string();
        if (const CompiledPattern* p = model_.Pattern(s); p != nullptr && !p->Matches(str)) {
          out.push_back("Member must satisfy regular expression pattern: " + s.display_pattern);
        }
        if (s.min || s.max) LengthConstraints(s, Utf16Length(str), &out);
        if (!s.enum_values.empty()) {
          bool found = false;
          for (const auto& e : s.enum_values) found = found || e == str;
          if (!found) {
            out.push_back("Member must satisfy enum value set: [" + Join(s.enum_values, ", ") +
                          "]");
          }
        }
        return out;
      }
      case ShapeType::kInteger:
      case ShapeType::kLong:
      case ShapeType::kBigInteger:
        if (!v.is_number() || !IsIntegral(v)) {
          TypeMismatch(v, s.type == ShapeType::kInteger ? "an Integer" : "a Long");
          return out;
        }
        RangeConstraints(s, v.to_number<double>(), &out);
        return out;
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kBigDecimal:
        if (!v.is_number()) {
          TypeMismatch(v, s.type == ShapeType::kFloat ? "a Float" : "a Double");
          return out;
        }
        RangeConstraints(s, v.to_number<double>(), &out);
        return out;
      case ShapeType::kBoolean:
        if (!v.is_bool()) TypeMismatch(v, "a Boolean");
        return out;
      case ShapeType::kTimestamp:
        // Epoch seconds, or a string holding a time (ISO 8601 or epoch seconds); anything else
        // cannot be read as one.
        if ((!v.is_number() && !v.is_string()) || (v.is_string() && !ToTimePoint(v))) {
          TypeMismatch(v, "a Date");
        }
        return out;
      case ShapeType::kBlob:
        if (!v.is_string()) {
          TypeMismatch(v, "a ByteBuffer");
          return out;
        }
        if (s.min || s.max) LengthConstraints(s, v.get_string().size() * 3 / 4, &out);
        return out;
      default:
        return out;
    }
  }

  void RangeConstraints(const Shape& s, double value, std::vector<std::string>* out) {
    if (s.max && value > *s.max) {
      out->push_back("Member must have value less than or equal to " + s.max_text);
    }
    if (s.min && value < *s.min) {
      out->push_back("Member must have value greater than or equal to " + s.min_text);
    }
  }

  void CheckScalar(const Shape& s, const json::value& v, std::string& path) {
    if (s.is_document) return;
    for (const std::string& c : ScalarFailures(s, v)) AddError(s, &v, path, c);
  }

  void CheckStructure(const Shape& s, const json::value& v, std::string& path) {
    if (s.is_document) return;
    if (!v.is_object()) return TypeMismatch(v, "a Structure");
    const json::object& o = v.get_object();
    for (uint32_t i = 0; i < s.members.size(); ++i) {
      const Member& m = s.members[i];
      auto it = o.find(m.name);
      bool present = it != o.end() && !it->value().is_null();
      size_t mark = path.size();
      if (!path.empty()) path.push_back('.');
      path.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(m.name[0]))));
      path.append(m.name, 1);
      if (!present) {
        bool required = false;
        for (uint32_t r : s.required) required = required || r == i;
        if (required) AddError(model_.shape(m.shape), nullptr, path, "Member must not be null");
      } else {
        Check(m.shape, it->value(), path);
      }
      path.resize(mark);
      if (serialization_) return;
    }
  }

  void CheckList(const Shape& s, const json::value& v, std::string& path) {
    if (!v.is_array()) return TypeMismatch(v, "a List");
    const json::array& a = v.get_array();
    std::vector<std::string> failures;
    LengthConstraints(s, a.size(), &failures);
    for (const std::string& c : failures) AddError(s, &v, path, c);
    for (size_t i = 0; i < a.size(); ++i) {
      size_t mark = path.size();
      path += "." + std::to_string(i + 1) + ".member";
      if (a[i].is_null()) {
        AddError(model_.shape(s.member_shape), nullptr, path, "Member must not be null");
      } else {
        Check(s.member_shape, a[i], path);
      }
      path.resize(mark);
      if (serialization_) return;
    }
  }

  void CheckMap(const Shape& s, const json::value& v, std::string& path) {
    if (!v.is_object()) return TypeMismatch(v, "a Map");
    const json::object& o = v.get_object();
    std::vector<std::string> failures;
    LengthConstraints(s, o.size(), &failures);
    for (const std::string& c : failures) AddError(s, &v, path, c);

    const Shape& key_shape = model_.shape(s.key_shape);
    const Shape& value_shape = model_.shape(s.value_shape);
    bool scalar_values = value_shape.type != ShapeType::kStructure &&
                         value_shape.type != ShapeType::kList &&
                         value_shape.type != ShapeType::kMap;
    std::vector<std::string> key_failures, value_failures;
    auto add_unique = [](std::vector<std::string>* list, const std::vector<std::string>& more) {
      for (const auto& m : more) {
        bool seen = false;
        for (const auto& e : *list) seen = seen || e == m;
        if (!seen) list->push_back(m);
      }
    };
    for (const auto& kv : o) {
      add_unique(&key_failures, ScalarFailures(key_shape, json::value(kv.key())));
      if (serialization_) return;
      if (kv.value().is_null()) continue;
      if (scalar_values) {
        add_unique(&value_failures, ScalarFailures(value_shape, kv.value()));
        if (serialization_) return;
      } else {
        size_t mark = path.size();
        path += "." + std::string(kv.key());
        Check(s.value_shape, kv.value(), path);
        path.resize(mark);
        if (serialization_) return;
      }
    }
    if (!key_failures.empty()) {
      AddError(s, &v, path, "Map keys must satisfy constraint: [" + Join(key_failures, ", ") + "]");
    }
    if (!value_failures.empty()) {
      AddError(s, &v, path,
               "Map value must satisfy constraint: [" + Join(value_failures, ", ") + "]");
    }
  }

  const ServiceModel& model_;
  std::vector<std::string> errors_;
  std::optional<AwsError> serialization_;
};

}  // namespace

std::optional<AwsError> Validator::Validate(ShapeId shape, const json::value& input) const {
  if (shape == kNoShape) return std::nullopt;
  Walker walker(model_);
  std::string path;
  path.reserve(128);
  walker.Check(shape, input, path);
  return walker.Result();
}

}  // namespace sagetrail::aws
