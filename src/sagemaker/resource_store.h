// ResourceStore: SageMaker resources persisted in SQLite (one row per resource, its document as
// JSON), so a restart keeps every resource and its state. Thread-safe (one connection behind a
// mutex; writes are small, synchronous=NORMAL: durable against process crashes).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/sqlite.h"
#include "sagemaker/resource.h"

namespace sagetrail::sagemaker {

class ResourceStore {
 public:
  static Result<std::unique_ptr<ResourceStore>> Open(const std::string& path);

  Status Put(const std::string& account_id, const std::string& region, const Resource& r);
  Status Delete(const std::string& account_id, const std::string& region, const std::string& kind,
                const std::string& name_key);
  // Calls `fn` with every stored resource.
  Status ForEach(const std::function<void(const std::string& account_id, const std::string& region,
                                          Resource r)>& fn);

 private:
  explicit ResourceStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
  // Prepared once, on first use (compiling the SQL cost more than running it); guarded by mu_.
  std::optional<SqliteStatement> put_, delete_;
};

}  // namespace sagetrail::sagemaker
