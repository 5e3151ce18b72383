#include "sagemaker/resource_store.h"

#include <boost/json.hpp>

namespace sagetrail::sagemaker {
namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "sagemaker/";

}  // namespace

std::string ResourceStore::Key(std::string_view account_id, std::string_view region,
                               std::string_view kind, std::string_view name_key) {
  std::string k(kPrefix);
  k.append(account_id).append("/").append(region).append("/").append(kind).append("/");
  k.append(name_key);
  return k;
}

store::Mutation ResourceStore::Put(const std::string& account_id, const std::string& region,
                                   const Resource& r) {
  json::object v{{"account", account_id},
                 {"region", region},
                 {"kind", r.kind},
                 {"key", r.name_key},
                 {"name", r.name},
                 {"arn", r.arn},
                 {"created", ToUnixMillis(r.created)},
                 {"status", r.status},
                 {"body", r.body},
                 {"tags", r.tags},
                 {"meta", r.meta}};
  return store::Mutation::Put(Key(account_id, region, r.kind, r.name_key), json::serialize(v));
}

store::Mutation ResourceStore::Delete(const std::string& account_id, const std::string& region,
                                      const std::string& kind, const std::string& name_key) {
  return store::Mutation::Delete(Key(account_id, region, kind, name_key));
}

bool ResourceStore::Decode(std::string_view value, std::string* account_id, std::string* region,
                           Resource* r) {
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return false;
  auto str = [&](std::string_view k) -> std::string {
    auto it = o->find(k);
    return it != o->end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
  };
  *account_id = str("account");
  *region = str("region");
  r->kind = str("kind");
  r->name_key = str("key");
  r->name = str("name");
  r->arn = str("arn");
  r->status = str("status");
  if (auto it = o->find("created"); it != o->end() && it->value().is_int64()) {
    r->created = FromUnixMillis(it->value().get_int64());
  }
  if (auto it = o->find("body"); it != o->end() && it->value().is_object()) {
    r->body = it->value().get_object();
  }
  if (auto it = o->find("tags"); it != o->end() && it->value().is_array()) {
    r->tags = it->value().get_array();
  }
  if (auto it = o->find("meta"); it != o->end() && it->value().is_object()) {
    r->meta = it->value().get_object();
  }
  return !account_id->empty() && !r->kind.empty() && !r->name_key.empty();
}

Status ResourceStore::ForEach(
    const std::function<void(const std::string&, const std::string&, Resource)>& fn) const {
  Status bad = Status::Ok();
  Status s = state_.Scan(kPrefix, [&](std::string_view key, std::string_view value) {
    std::string account, region;
    Resource r;
    if (!Decode(value, &account, &region, &r)) {
      bad = Status::Corruption("stored resource " + std::string(key) + " cannot be decoded");
      return false;
    }
    fn(account, region, std::move(r));
    return true;
  });
  return s.ok() ? bad : s;
}

}  // namespace sagetrail::sagemaker
