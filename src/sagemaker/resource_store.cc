#include "sagemaker/resource_store.h"

#include <boost/json.hpp>

namespace sagetrail::sagemaker {
namespace json = boost::json;

namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS sagemaker_resources(
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  arn TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  tags TEXT NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY(account_id, region, kind, name_key));
)sql";

}  // namespace

Result<std::unique_ptr<ResourceStore>> ResourceStore::Open(const std::string& path) {
  auto db = SqliteDb::Open(path);
  if (!db.ok()) return db.error();
  Status s = (*db)->Exec("PRAGMA synchronous=NORMAL;");
  if (!s.ok()) return s;
  s = (*db)->Exec(kSchema);
  if (!s.ok()) return s;
  return std::unique_ptr<ResourceStore>(new ResourceStore(std::move(db).value()));
}

Status ResourceStore::Put(const std::string& account_id, const std::string& region,
                          const Resource& r) {
  std::lock_guard<std::mutex> l(mu_);
  if (!put_) {
    auto st = db_->Prepare(
        "INSERT OR REPLACE INTO sagemaker_resources(account_id, region, kind, name_key, name, "
        "arn, created_ms, status, body, tags, meta) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st.ok()) return st.error();
    put_.emplace(std::move(st).value());
  }
  return put_->Bind(1, account_id)
      .Bind(2, region)
      .Bind(3, r.kind)
      .Bind(4, r.name_key)
      .Bind(5, r.name)
      .Bind(6, r.arn)
      .Bind(7, ToUnixMillis(r.created))
      .Bind(8, r.status)
      .Bind(9, json::serialize(r.body))
      .Bind(10, json::serialize(r.tags))
      .Bind(11, json::serialize(r.meta))
      .Run();
}

Status ResourceStore::Delete(const std::string& account_id, const std::string& region,
                             const std::string& kind, const std::string& name_key) {
  std::lock_guard<std::mutex> l(mu_);
  if (!delete_) {
    auto st = db_->Prepare(
        "DELETE FROM sagemaker_resources WHERE account_id = ?1 AND region = ?2 AND kind = ?3 AND "
        "name_key = ?4");
    if (!st.ok()) return st.error();
    delete_.emplace(std::move(st).value());
  }
  return delete_->Bind(1, account_id).Bind(2, region).Bind(3, kind).Bind(4, name_key).Run();
}

Status ResourceStore::ForEach(
    const std::function<void(const std::string&, const std::string&, Resource)>& fn) {
  std::lock_guard<std::mutex> l(mu_);
  auto st = db_->Prepare(
      "SELECT account_id, region, kind, name_key, name, arn, created_ms, status, body, tags, meta "
      "FROM sagemaker_resources");
  if (!st.ok()) return st.error();
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    Resource r;
    r.kind = st->ColumnText(2);
    r.name_key = st->ColumnText(3);
    r.name = st->ColumnText(4);
    r.arn = st->ColumnText(5);
    r.created = FromUnixMillis(st->ColumnInt64(6));
    r.status = st->ColumnText(7);
    boost::system::error_code ec;
    json::value body = json::parse(st->ColumnText(8), ec);
    json::value tags = json::parse(st->ColumnText(9), ec);
    if (body.is_object()) r.body = std::move(body.get_object());
    if (tags.is_array()) r.tags = std::move(tags.get_array());
    json::value meta = json::parse(st->ColumnText(10), ec);
    if (meta.is_object()) r.meta = std::move(meta.get_object());
    fn(st->ColumnText(0), st->ColumnText(1), std::move(r));
  }
  return Status::Ok();
}

}  // namespace sagetrail::sagemaker
