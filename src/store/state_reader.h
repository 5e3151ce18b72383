// StateReader: how a service reads back its durable state (at start, and for entities it keeps
// on disk only). Writes never go through here: they are Mutations on the commit path.
// Implementations are thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace sagetrail::store {

class StateReader {
 public:
  virtual ~StateReader() = default;
  // Calls `fn(key, value)` for every key starting with `prefix`, in key order; stops early (OK)
  // when `fn` returns false.
  virtual Status Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) const = 0;
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
};

}  // namespace sagetrail::store
