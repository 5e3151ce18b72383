// Shape, Member and Operation: a compact, read-only view of one botocore service model, enough
// to route, validate, parse and serialize every operation generically (documentation dropped).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sagetrail::aws {

using ShapeId = uint32_t;
inline constexpr ShapeId kNoShape = UINT32_MAX;

enum class ShapeType : uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kTimestamp,
  kBlob,
  kBigInteger,
  kBigDecimal
};

// Where a member travels in a REST request or response.
enum class Location : uint8_t { kBody, kHeader, kHeaders, kQueryString, kUri, kStatusCode };

enum class TimestampFormat : uint8_t { kDefault, kIso8601, kUnixTimestamp, kRfc822 };

struct Member {
  std::string name;  // model name, e.g. "ModelName"
  ShapeId shape = kNoShape;
  Location location = Location::kBody;
  std::string location_name;  // header / query key / URI label / XML element name, if any
  std::string query_name;     // ec2-style queryName, if any
  bool xml_attribute = false;
  bool flattened = false;
  bool idempotency_token = false;
  bool host_label = false;
  bool streaming = false;   // a REST payload read or written as a stream (S3 object bodies)
  bool json_value = false;  // a header holding base64-encoded JSON ("jsonvalue")
  TimestampFormat timestamp_format = TimestampFormat::kDefault;
};

class CompiledPattern;  // see pattern.h

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;

  // Constraints.
  std::optional<double> min;
  std::optional<double> max;
  std::string min_text;  // the bound as AWS prints it ("1", "0.5")
  std::string max_text;
  std::string pattern;          // as the model has it
  std::string display_pattern;  // as AWS prints it in messages (anchors restored)
  std::vector<std::string> enum_values;
  bool sensitive = false;

  // Structures.
  std::vector<Member> members;
  std::vector<uint32_t> required;  // indices into members
  bool is_union = false;
  bool is_exception = false;
  bool is_document = false;
  int error_http_status = 0;  // from "error": {"httpStatusCode"}
  std::string error_code;     // from "error": {"code"} (query protocols), else empty
  bool error_sender_fault = true;
  std::string payload;               // REST: the member that is the whole body, if any
  std::string xml_namespace;         // "xmlNamespace": {"uri"}
  std::string xml_namespace_prefix;  // "xmlNamespace": {"prefix"}, e.g. "xsi"
  bool streaming = false;
  bool json_value = false;

  // Lists.
  ShapeId member_shape = kNoShape;
  std::string member_location_name;  // list member XML/query name ("member" by default)
  bool flattened = false;

  // Maps.
  ShapeId key_shape = kNoShape;
  ShapeId value_shape = kNoShape;
  std::string key_location_name;    // default "key"
  std::string value_location_name;  // default "value"

  TimestampFormat timestamp_format = TimestampFormat::kDefault;

  // Lazily compiled `pattern` (nullptr until first use). Owned by the ServiceModel.
  mutable std::atomic<const CompiledPattern*> compiled{nullptr};

  Shape() = default;
  Shape(Shape&& o) noexcept;
  Shape& operator=(Shape&&) = delete;

  const Member* FindMember(std::string_view member_name) const;
};

struct Operation {
  std::string name;
  std::string http_method = "POST";
  std::string request_uri = "/";
  int http_response_code = 200;
  ShapeId input = kNoShape;
  ShapeId output = kNoShape;
  std::string output_result_wrapper;  // query protocol: "<Op>Result"
  std::vector<ShapeId> errors;
  bool deprecated = false;
};

}  // namespace sagetrail::aws
