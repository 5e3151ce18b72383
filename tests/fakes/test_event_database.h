// TestEventDatabase: a real Database (RocksDB) with its RocksEventStore in a directory of the
// test's, reopenable (a restart) and openable read-only beside itself.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cloudtrail/store/rocks_event_store.h"
#include "common/random.h"
#include "store/database.h"

namespace sagetrail::testing {

class TestEventDatabase {
 public:
  TestEventDatabase(std::string dir, Random& random, store::DatabaseOptions options = {})
      : dir_(std::move(dir)), random_(random), options_(std::move(options)) {
    retention_ = std::make_shared<cloudtrail::IndexRetention>();
    Open();
  }

  // A restart: closes and opens the same directory.
  void Reopen() {
    store_.reset();
    db_.reset();
    Open();
  }
  // A second, read-only instance beside this one.
  std::pair<std::unique_ptr<store::Database>, std::unique_ptr<cloudtrail::RocksEventStore>>
  OpenReadOnly() {
    store::DatabaseOptions o;
    o.read_only = true;
    auto db = store::Database::Open(dir_, o);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().ToString());
    if (!db.ok()) return {};
    auto s = cloudtrail::RocksEventStore::Open(**db, random_);
    EXPECT_TRUE(s.ok());
    return {std::move(db).value(), s.ok() ? std::move(s).value() : nullptr};
  }

  store::Database& db() { return *db_; }
  cloudtrail::RocksEventStore& store() { return *store_; }
  const std::string& dir() const { return dir_; }

 private:
  void Open() {
    store::DatabaseOptions o = options_;
    o.index_expired = [r = retention_](std::string_view key) { return r->Expired(key); };
    auto db = store::Database::Open(dir_, o);
    ASSERT_TRUE(db.ok()) << db.error().ToString();
    db_ = std::move(db).value();
    auto s = cloudtrail::RocksEventStore::Open(*db_, random_, retention_);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    store_ = std::move(s).value();
  }

  std::string dir_;
  Random& random_;
  store::DatabaseOptions options_;
  std::shared_ptr<cloudtrail::IndexRetention> retention_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<cloudtrail::RocksEventStore> store_;
};

}  // namespace sagetrail::testing
