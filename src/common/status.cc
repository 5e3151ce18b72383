#include "common/status.h"

namespace sagetrail {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      name = "Invalid argument";
      break;
    case Code::kNotFound:
      name = "Not found";
      break;
    case Code::kAlreadyExists:
      name = "Already exists";
      break;
    case Code::kIOError:
      name = "IO error";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kUnavailable:
      name = "Unavailable";
      break;
    case Code::kInternal:
      name = "Internal";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace sagetrail
