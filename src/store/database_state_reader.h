// DatabaseStateReader: StateReader over the Database's state family. Thread-safe.
#pragma once

#include "store/database.h"
#include "store/state_reader.h"

namespace sagetrail::store {

class DatabaseStateReader final : public StateReader {
 public:
  explicit DatabaseStateReader(const Database& db) : db_(db) {}
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return db_.Get(Family::kState, key);
  }

 private:
  const Database& db_;
};

}  // namespace sagetrail::store
