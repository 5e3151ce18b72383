#include "server/storage.h"

#include <filesystem>

namespace sagetrail::server {
namespace fs = std::filesystem;

std::string Storage::DatabaseDir(const std::string& data_dir) {
  return (fs::path(data_dir) / "db").string();
}

Status Storage::CheckLayout(const std::string& data_dir) {
  std::error_code ec;
  fs::path dir(data_dir);
  std::string found;
  for (auto [name, label] : {std::pair{"state.db", "state.db"}, std::pair{"events", "events/"}}) {
    if (fs::exists(dir / name, ec)) found += (found.empty() ? "" : ", ") + std::string(label);
  }
  if (!found.empty() && !fs::exists(dir / "db", ec)) {
    return Status::InvalidArgument(
        data_dir + " holds data of an older sagetrail (" + found +
        "), which this version does not read: it keeps everything in db/. Start with a new "
        "--data-dir.");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Storage>> Storage::Open(const std::string& data_dir,
                                               const StorageOptions& options, const Clock& clock,
                                               Random& random) {
  if (Status s = CheckLayout(data_dir); !s.ok()) return s;
  auto storage = std::unique_ptr<Storage>(new Storage());
  storage->retention_ = std::make_shared<cloudtrail::IndexRetention>();
  store::DatabaseOptions db_options;
  db_options.sync = options.sync;
  db_options.env = options.env;
  db_options.index_expired = [retention = storage->retention_](std::string_view key) {
    return retention->Expired(key);
  };
  db_options.index_run_prefix = cloudtrail::RocksEventStore::IndexRunPrefix;
  auto db = store::Database::Open(DatabaseDir(data_dir), db_options);
  if (!db.ok()) {
    // RocksDB holds a lock file while a database is open.
    if (db.error().message().find("/LOCK") != std::string::npos) {
      return Status::IOError(data_dir +
                             " is in use by another sagetrail server (stop it, or start this one "
                             "with another --data-dir): " +
                             db.error().message());
    }
    return db.error();
  }
  storage->db_ = std::move(db).value();
  auto events = cloudtrail::RocksEventStore::Open(*storage->db_, random, storage->retention_);
  if (!events.ok()) return events.error();
  storage->events_ = std::move(events).value();
  storage->state_ = std::make_unique<store::DatabaseStateReader>(*storage->db_);
  storage->builder_ = std::make_unique<cloudtrail::EventBuilder>(random);
  cloudtrail::EventWriterOptions writer_options;
  writer_options.retention = options.retention;
  storage->writer_ = std::make_unique<cloudtrail::EventWriter>(
      *storage->events_, *storage->builder_, clock, writer_options);
  return storage;
}

Result<std::unique_ptr<Storage>> Storage::OpenReadOnly(const std::string& data_dir,
                                                       Random& random) {
  if (Status s = CheckLayout(data_dir); !s.ok()) return s;
  auto storage = std::unique_ptr<Storage>(new Storage());
  store::DatabaseOptions db_options;
  db_options.read_only = true;
  auto db = store::Database::Open(DatabaseDir(data_dir), db_options);
  if (!db.ok()) return db.error();
  storage->db_ = std::move(db).value();
  auto events = cloudtrail::RocksEventStore::Open(*storage->db_, random);
  if (!events.ok()) return events.error();
  storage->events_ = std::move(events).value();
  storage->state_ = std::make_unique<store::DatabaseStateReader>(*storage->db_);
  storage->builder_ = std::make_unique<cloudtrail::EventBuilder>(random);
  return storage;
}

Storage::~Storage() {
  writer_.reset();
  builder_.reset();
  state_.reset();
  events_.reset();
  db_.reset();
}

}  // namespace sagetrail::server
