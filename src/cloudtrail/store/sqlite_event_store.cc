#include "cloudtrail/store/sqlite_event_store.h"

#include <sqlite3.h>

namespace sagetrail::cloudtrail {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS partitions(
  id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  UNIQUE(account_id, region));
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY,
  partition INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  username TEXT,
  access_key_id TEXT,
  read_only INTEGER NOT NULL,
  management INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS event_bodies(seq INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS event_resources(
  seq INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  alias INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_time ON events(partition, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS events_by_id ON events(event_id);
CREATE INDEX IF NOT EXISTS events_by_name ON events(partition, event_name, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS events_by_read_only ON events(partition, read_only, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS events_by_user ON events(partition, username, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS events_by_source ON events(partition, event_source, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS events_by_key ON events(partition, access_key_id, event_time, seq)
  WHERE management = 1;
CREATE INDEX IF NOT EXISTS resources_by_type
  ON event_resources(partition, type, alias, event_time, seq);
CREATE INDEX IF NOT EXISTS resources_by_name ON event_resources(partition, name, event_time, seq);
CREATE INDEX IF NOT EXISTS resources_by_seq ON event_resources(seq);
)sql";

constexpr char kColumns[] =
    "e.seq, e.event_time, e.event_id, e.event_name, e.event_source, e.username, "
    "e.access_key_id, e.read_only, e.management, b.body, p.account_id, p.region";

// The SQL of a lookup; parameters: ?1 account, ?2 region, ?3 start ms, ?4 end ms, ?5/?6 cursor
// (event_time, seq), ?7 attribute value, ?8 limit.
std::string LookupSql(LookupAttribute attribute) {
  std::string from =
      " FROM events e JOIN event_bodies b ON b.seq = e.seq JOIN partitions p ON p.id = e.partition";
  std::string order = "e.event_time DESC, e.seq DESC";
  std::string where =
      " WHERE e.partition = (SELECT id FROM partitions WHERE account_id = ?1 AND region = ?2)"
      " AND e.management = 1 AND e.event_time BETWEEN ?3 AND ?4"
      " AND (e.event_time, e.seq) < (?5, ?6)";
  switch (attribute) {
    case LookupAttribute::kNone:
      break;
    case LookupAttribute::kEventId:
      where += " AND e.event_id = ?7";
      break;
    case LookupAttribute::kEventName:
      where += " AND e.event_name = ?7";
      break;
    case LookupAttribute::kReadOnly:
      where += " AND e.read_only = ?7";
      break;
    case LookupAttribute::kUsername:
      where += " AND e.username = ?7";
      break;
    case LookupAttribute::kEventSource:
      where += " AND e.event_source = ?7";
      break;
    case LookupAttribute::kAccessKeyId:
      where += " AND e.access_key_id = ?7";
      break;
    case LookupAttribute::kResourceType:
    case LookupAttribute::kResourceName: {
      // Driven by the resource index, whose rows carry the event's time.
      bool by_type = attribute == LookupAttribute::kResourceType;
      return std::string("SELECT ") + kColumns +
             " FROM event_resources r JOIN events e ON e.seq = r.seq"
             " JOIN event_bodies b ON b.seq = e.seq JOIN partitions p ON p.id = e.partition"
             " WHERE r.partition = (SELECT id FROM partitions WHERE account_id = ?1 AND region = "
             "?2)" +
             (by_type ? " AND r.type = ?7 AND r.alias = 0" : " AND r.name = ?7") +
             " AND r.event_time BETWEEN ?3 AND ?4 AND (r.event_time, r.seq) < (?5, ?6)"
             " ORDER BY r.event_time DESC, r.seq DESC LIMIT ?8";
    }
  }
  return std::string("SELECT ") + kColumns + from + where + " ORDER BY " + order + " LIMIT ?8";
}

void BindLookup(SqliteStatement& st, const LookupQuery& q) {
  st.Bind(1, q.account_id).Bind(2, q.region);
  st.Bind(3, ToUnixMillis(q.start)).Bind(4, ToUnixMillis(q.end));
  if (q.after) {
    st.Bind(5, q.after->first).Bind(6, static_cast<int64_t>(q.after->second));
  } else {
    st.Bind(5, INT64_MAX).Bind(6, INT64_MAX);
  }
  if (q.attribute == LookupAttribute::kReadOnly) {
    st.Bind(7, static_cast<int64_t>(q.value == "true" ? 1 : 0));
  } else {
    st.Bind(7, q.value);
  }
  st.Bind(8, static_cast<int64_t>(q.max_results + 1));
}

EventRecord RowToRecord(const SqliteStatement& st) {
  EventRecord r;
  r.seq = static_cast<uint64_t>(st.ColumnInt64(0));
  r.event_time = FromUnixMillis(st.ColumnInt64(1));
  r.event_id = st.ColumnText(2);
  r.event_name = st.ColumnText(3);
  r.event_source = st.ColumnText(4);
  r.username = st.ColumnText(5);
  r.access_key_id = st.ColumnText(6);
  r.read_only = st.ColumnInt64(7) != 0;
  r.management = st.ColumnInt64(8) != 0;
  r.body = std::string(st.ColumnBlob(9));
  r.account_id = st.ColumnText(10);
  r.region = st.ColumnText(11);
  return r;
}

Status LoadResources(SqliteDb& db, std::vector<EventRecord>& records) {
  if (records.empty()) return Status::Ok();
  auto st =
      db.Prepare("SELECT type, name, alias FROM event_resources WHERE seq = ?1 ORDER BY rowid");
  if (!st.ok()) return st.error();
  for (EventRecord& r : records) {
    st->Bind(1, static_cast<int64_t>(r.seq));
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      if (st->ColumnInt64(2) == 0) {
        r.resources.push_back({st->ColumnText(0), st->ColumnText(1), {}});
      } else if (!r.resources.empty()) {
        r.resources.back().arn = st->ColumnText(1);
      }
    }
    st->Reset();
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(const std::string& path,
                                                                 Durability durability,
                                                                 Random& random) {
  auto store = std::unique_ptr<SqliteEventStore>(new SqliteEventStore(path));
  Status s = store->Init(durability, random);
  if (!s.ok()) return s;
  return store;
}

SqliteEventStore::~SqliteEventStore() = default;

Status SqliteEventStore::Init(Durability durability, Random& random) {
  auto db = SqliteDb::Open(path_);
  if (!db.ok()) return db.error();
  writer_ = std::move(db).value();
  Status s = writer_->Exec(durability == Durability::kFull ? "PRAGMA synchronous=FULL;"
                                                           : "PRAGMA synchronous=NORMAL;");
  if (!s.ok()) return s;
  s = writer_->Exec(kSchema);
  if (!s.ok()) return s;

  // The paging-token secret, created once per store.
  auto get = writer_->Prepare("SELECT value FROM meta WHERE key = 'token_secret'");
  if (!get.ok()) return get.error();
  auto row = get->Step();
  if (!row.ok()) return row.error();
  if (*row) {
    secret_ = std::string(get->ColumnBlob(0));
  } else {
    secret_.resize(32);
    random.Fill(reinterpret_cast<uint8_t*>(secret_.data()), secret_.size());
    auto put = writer_->Prepare("INSERT INTO meta(key, value) VALUES('token_secret', ?1)");
    if (!put.ok()) return put.error();
    s = put->BindBlob(1, secret_).Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<int64_t> SqliteEventStore::PartitionId(const std::string& account_id,
                                              const std::string& region) {
  std::string key = account_id + "/" + region;
  auto it = partitions_.find(key);
  if (it != partitions_.end()) return it->second;
  auto ins = writer_->Prepare(
      "INSERT INTO partitions(account_id, region) VALUES(?1, ?2) ON CONFLICT DO NOTHING");
  if (!ins.ok()) return ins.error();
  Status s = ins->Bind(1, account_id).Bind(2, region).Run();
  if (!s.ok()) return s;
  auto sel = writer_->Prepare("SELECT id FROM partitions WHERE account_id = ?1 AND region = ?2");
  if (!sel.ok()) return sel.error();
  sel->Bind(1, account_id).Bind(2, region);
  auto row = sel->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Status::Internal("partition row missing after insert");
  int64_t id = sel->ColumnInt64(0);
  partitions_[key] = id;
  return id;
}

Status SqliteEventStore::Append(std::vector<EventRecord>& batch) {
  if (batch.empty()) return Status::Ok();
  Status s = writer_->Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  auto fail = [this](Status st) {
    writer_->Exec("ROLLBACK");
    partitions_.clear();  // ids created in the rolled-back transaction are gone
    return st;
  };
  auto ev = writer_->Prepare(
      "INSERT INTO events(partition, event_time, event_id, event_name, event_source, username, "
      "access_key_id, read_only, management) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  auto body = writer_->Prepare("INSERT INTO event_bodies(seq, body) VALUES(?1, ?2)");
  auto res = writer_->Prepare(
      "INSERT INTO event_resources(seq, partition, event_time, type, name, alias) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ev.ok()) return fail(ev.error());
  if (!body.ok()) return fail(body.error());
  if (!res.ok()) return fail(res.error());
  for (EventRecord& r : batch) {
    auto pid = PartitionId(r.account_id, r.region);
    if (!pid.ok()) return fail(pid.error());
    int64_t t = ToUnixMillis(r.event_time);
    ev->Bind(1, *pid).Bind(2, t).Bind(3, r.event_id).Bind(4, r.event_name).Bind(5, r.event_source);
    if (r.username.empty()) {
      ev->BindNull(6);
    } else {
      ev->Bind(6, r.username);
    }
    if (r.access_key_id.empty()) {
      ev->BindNull(7);
    } else {
      ev->Bind(7, r.access_key_id);
    }
    ev->Bind(8, static_cast<int64_t>(r.read_only)).Bind(9, static_cast<int64_t>(r.management));
    s = ev->Run();
    if (!s.ok()) return fail(s);
    r.seq = static_cast<uint64_t>(sqlite3_last_insert_rowid(writer_->raw()));
    s = body->Bind(1, static_cast<int64_t>(r.seq)).BindBlob(2, r.body).Run();
    if (!s.ok()) return fail(s);
    if (!r.management) continue;  // data events are not in Event history
    for (const ResourceRef& ref : r.resources) {
      s = res->Bind(1, static_cast<int64_t>(r.seq))
              .Bind(2, *pid)
              .Bind(3, t)
              .Bind(4, ref.type)
              .Bind(5, ref.name)
              .Bind(6, int64_t{0})
              .Run();
      if (!s.ok()) return fail(s);
      if (ref.arn.empty()) continue;
      s = res->Bind(1, static_cast<int64_t>(r.seq))
              .Bind(2, *pid)
              .Bind(3, t)
              .Bind(4, ref.type)
              .Bind(5, ref.arn)
              .Bind(6, int64_t{1})
              .Run();
      if (!s.ok()) return fail(s);
    }
  }
  s = writer_->Exec("COMMIT");
  if (!s.ok()) return fail(s);
  return Status::Ok();
}

Status SqliteEventStore::Probe() {
  return writer_->Exec("INSERT OR REPLACE INTO meta(key, value) VALUES('probe', 1)");
}

Result<std::unique_ptr<SqliteDb>> SqliteEventStore::AcquireReader() {
  {
    std::lock_guard<std::mutex> l(pool_mu_);
    if (!readers_.empty()) {
      auto db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  return SqliteDb::Open(path_);
}

void SqliteEventStore::ReleaseReader(std::unique_ptr<SqliteDb> db) {
  std::lock_guard<std::mutex> l(pool_mu_);
  if (readers_.size() < 8) readers_.push_back(std::move(db));
}

Result<LookupPage> SqliteEventStore::Lookup(const LookupQuery& query) {
  auto db = AcquireReader();
  if (!db.ok()) return db.error();
  LookupPage page;
  {
    auto st = (*db)->Prepare(LookupSql(query.attribute));
    if (!st.ok()) return st.error();
    BindLookup(*st, query);
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      EventRecord r = RowToRecord(*st);
      // One event can be indexed twice under one resource name; show it once.
      if (!page.events.empty() && page.events.back().seq == r.seq) continue;
      if (page.events.size() == query.max_results) {
        page.more = true;
        break;
      }
      page.events.push_back(std::move(r));
    }
  }
  Status s = LoadResources(**db, page.events);
  ReleaseReader(std::move(db).value());
  if (!s.ok()) return s;
  return page;
}

Result<std::string> SqliteEventStore::ExplainLookup(const LookupQuery& query) {
  auto st = writer_->Prepare("EXPLAIN QUERY PLAN " + LookupSql(query.attribute));
  if (!st.ok()) return st.error();
  BindLookup(*st, query);
  std::string plan;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    plan += st->ColumnText(3) + "\n";
  }
  return plan;
}

Result<std::vector<EventRecord>> SqliteEventStore::ReadAfter(uint64_t after_seq, size_t limit) {
  auto db = AcquireReader();
  if (!db.ok()) return db.error();
  std::vector<EventRecord> out;
  {
    auto st = (*db)->Prepare(std::string("SELECT ") + kColumns +
                             " FROM events e JOIN event_bodies b ON b.seq = e.seq"
                             " JOIN partitions p ON p.id = e.partition"
                             " WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2");
    if (!st.ok()) return st.error();
    st->Bind(1, static_cast<int64_t>(after_seq)).Bind(2, static_cast<int64_t>(limit));
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back(RowToRecord(*st));
    }
  }
  Status s = LoadResources(**db, out);
  ReleaseReader(std::move(db).value());
  if (!s.ok()) return s;
  return out;
}

Result<std::pair<uint64_t, uint64_t>> SqliteEventStore::SeqRange() {
  auto db = AcquireReader();
  if (!db.ok()) return db.error();
  std::pair<uint64_t, uint64_t> range{0, 0};
  {
    auto st = (*db)->Prepare("SELECT ifnull(min(seq), 0), ifnull(max(seq), 0) FROM events");
    if (!st.ok()) return st.error();
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (*row) {
      range = {static_cast<uint64_t>(st->ColumnInt64(0)),
               static_cast<uint64_t>(st->ColumnInt64(1))};
    }
  }
  ReleaseReader(std::move(db).value());
  return range;
}

Result<size_t> SqliteEventStore::DeleteOlderThan(TimePoint cutoff, size_t limit) {
  // Records are appended in time order, so the oldest are the lowest seqs.
  auto sel = writer_->Prepare("SELECT seq, event_time FROM events ORDER BY seq LIMIT ?1");
  if (!sel.ok()) return sel.error();
  sel->Bind(1, static_cast<int64_t>(limit));
  int64_t cutoff_ms = ToUnixMillis(cutoff);
  int64_t last = -1;
  size_t n = 0;
  while (true) {
    auto row = sel->Step();
    if (!row.ok()) return row.error();
    if (!*row || sel->ColumnInt64(1) >= cutoff_ms) break;
    last = sel->ColumnInt64(0);
    ++n;
  }
  sel->Reset();
  if (n == 0) return size_t{0};
  Status s = writer_->Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  for (const char* sql :
       {"DELETE FROM event_resources WHERE seq <= ?1", "DELETE FROM event_bodies WHERE seq <= ?1",
        "DELETE FROM events WHERE seq <= ?1"}) {
    auto st = writer_->Prepare(sql);
    if (!st.ok()) {
      writer_->Exec("ROLLBACK");
      return st.error();
    }
    s = st->Bind(1, last).Run();
    if (!s.ok()) {
      writer_->Exec("ROLLBACK");
      return s;
    }
  }
  s = writer_->Exec("COMMIT");
  if (!s.ok()) {
    writer_->Exec("ROLLBACK");
    return s;
  }
  return n;
}

}  // namespace sagetrail::cloudtrail
