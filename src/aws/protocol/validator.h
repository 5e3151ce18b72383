// Validator: checks an operation's input (generic form) against its model shapes, the way AWS's
// front end does, and words the result as AWS does:
//   - a value of the wrong JSON type -> SerializationException;
//   - constraint violations (required, length, pattern, enum, range) -> one ValidationException
//     "<N> validation error(s) detected: Value '<v>' at '<path>' failed to satisfy constraint:
//     <constraint>; ..." with member names lower-cased at the first letter and list positions
//     written as "<name>.<i>.member" (1-based).
// Thread-safe; holds no state beyond the model.
#pragma once

#include <boost/json/value.hpp>
#include <optional>

#include "aws/aws_error.h"
#include "aws/model/service_model.h"

namespace sagetrail::aws {

class Validator {
 public:
  explicit Validator(const ServiceModel& model) : model_(model) {}

  // nullopt when `input` is acceptable for `shape`.
  std::optional<AwsError> Validate(ShapeId shape, const boost::json::value& input) const;

 private:
  const ServiceModel& model_;
};

}  // namespace sagetrail::aws
