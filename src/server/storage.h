// Storage: the server's durable core, in <data-dir>/db: the Database (RocksDB), the event store
// over it, the reader services load their state through, and the commit path (EventWriter)
// that writes a call's record and its state changes in one batch. Shared by `serve` and by the
// tools that write a stopped server's data directory (`accounts add`). Destroyed in reverse
// order: the writer drains first, then the database closes.
#pragma once

#include <memory>
#include <string>

#include "cloudtrail/record/event_builder.h"
#include "cloudtrail/store/event_writer.h"
#include "cloudtrail/store/rocks_event_store.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "store/database.h"
#include "store/database_state_reader.h"

namespace sagetrail::server {

struct StorageOptions {
  bool sync = false;  // fsync every group commit ("full" durability)
  std::chrono::hours retention{24 * 90};
  std::shared_ptr<rocksdb::Env> env;  // tests: fault injection
};

class Storage {
 public:
  // Opens (or creates) the store in `data_dir`/db. Refuses a data directory written by an
  // older sagetrail (state.db / events/), which this version does not read.
  static Result<std::unique_ptr<Storage>> Open(const std::string& data_dir,
                                               const StorageOptions& options, const Clock& clock,
                                               Random& random);
  // A read-only view of a data directory, beside a running server or of a stopped one.
  static Result<std::unique_ptr<Storage>> OpenReadOnly(const std::string& data_dir, Random& random);
  ~Storage();

  static std::string DatabaseDir(const std::string& data_dir);
  // Refuses a data directory an older sagetrail wrote (state.db or events/, no db/), naming what
  // it found; Open checks this too, commands call it before touching the directory.
  static Status CheckLayout(const std::string& data_dir);

  store::Database& database() { return *db_; }
  cloudtrail::RocksEventStore& events() { return *events_; }
  const store::StateReader& state() const { return *state_; }
  cloudtrail::EventWriter& writer() { return *writer_; }
  const cloudtrail::EventBuilder& builder() const { return *builder_; }

  // Stops the commit path after committing everything submitted (shutdown).
  void StopWriter() { writer_.reset(); }

 private:
  Storage() = default;
  std::shared_ptr<cloudtrail::IndexRetention> retention_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<cloudtrail::RocksEventStore> events_;
  std::unique_ptr<store::DatabaseStateReader> state_;
  std::unique_ptr<cloudtrail::EventBuilder> builder_;
  std::unique_ptr<cloudtrail::EventWriter> writer_;
};

}  // namespace sagetrail::server
