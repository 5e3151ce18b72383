#include "server/accounts.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "common/private_dir.h"
#include "server/control_server.h"
#include "server/storage.h"

namespace sagetrail::server {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view kAdminPolicy = "arn:aws:iam::aws:policy/AdministratorAccess";

Status AppendCredentials(const std::string& data_dir, const std::string& account_id,
                         const std::string& admin_name, const iam::AccessKeyRecord& root,
                         const iam::AccessKeyRecord& admin) {
  std::ostringstream text;
  text << "\n# sagetrail credentials for account " << account_id << "\n"
       << "[root-" << account_id << "]\naws_access_key_id = " << root.access_key_id
       << "\naws_secret_access_key = " << root.secret_access_key << "\n\n"
       << "[" << admin_name << "]\naws_access_key_id = " << admin.access_key_id
       << "\naws_secret_access_key = " << admin.secret_access_key << "\n";
  std::string path = (fs::path(data_dir) / "credentials").string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  std::string data = text.str();
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

std::string CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kAlreadyExists:
      return "AlreadyExists";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    default:
      return "Error";
  }
}

Status StatusOf(std::string_view code, std::string message) {
  if (code == "AlreadyExists") return Status::AlreadyExists(std::move(message));
  if (code == "NotFound") return Status::NotFound(std::move(message));
  if (code == "InvalidArgument") return Status::InvalidArgument(std::move(message));
  return Status::IOError(std::move(message));
}

}  // namespace

std::string ControlSocketPath(const std::string& data_dir) {
  return (fs::path(data_dir) / "control.sock").string();
}

Result<std::string> CreateAccountWithAdmin(iam::IdentityStore& ids, Random& random,
                                           const std::string& data_dir, std::string account_id,
                                           const std::string& alias) {
  if (account_id.empty()) {
    do {
      account_id = random.FromAlphabet(12, "0123456789");
    } while (account_id[0] == '0' || ids.Account(account_id));
  } else if (ids.Account(account_id)) {
    return Status::AlreadyExists("account " + account_id + " already exists in " + data_dir +
                                 " (omit --account-id to get a new one)");
  }
  Status s = ids.CreateAccount(account_id, alias);
  if (!s.ok()) return s;
  auto root = ids.CreateAccessKey(account_id, "");
  if (!root.ok()) return root.error();
  std::string admin_name = "admin-" + account_id;
  auto user = ids.CreateUser(account_id, admin_name);
  if (!user.ok()) return user.error();
  auto admin = ids.CreateAccessKey(account_id, admin_name);
  if (!admin.ok()) return admin.error();
  s = ids.AttachPolicyNow(account_id, {"user", admin_name}, std::string(kAdminPolicy));
  if (!s.ok()) return s;
  s = AppendCredentials(data_dir, account_id, admin_name, *root, *admin);
  if (!s.ok()) return s;
  return account_id;
}

std::string HandleControlRequest(iam::IdentityStore& ids, Random& random,
                                 const std::string& data_dir, std::string_view request) {
  boost::system::error_code ec;
  json::value v = json::parse(request, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  auto field = [&](std::string_view k) -> std::string {
    if (o == nullptr) return {};
    auto it = o->find(k);
    return it != o->end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
  };
  if (field("op") != "accounts.add") {
    return json::serialize(
        json::object{{"error", "unknown control request"}, {"code", "InvalidArgument"}});
  }
  auto id = CreateAccountWithAdmin(ids, random, data_dir, field("account_id"), field("alias"));
  if (!id.ok()) {
    return json::serialize(
        json::object{{"error", id.error().message()}, {"code", CodeName(id.error().code())}});
  }
  return json::serialize(json::object{{"account_id", *id}});
}

Result<std::string> AddAccount(const std::string& data_dir, std::string account_id,
                               const std::string& alias) {
  std::error_code ec;
  std::string dir = fs::absolute(data_dir, ec).lexically_normal().string();
  if (Status layout = Storage::CheckLayout(dir); !layout.ok()) return layout;
  if (!fs::exists(fs::path(Storage::DatabaseDir(dir)) / "CURRENT", ec)) {
    return Status::NotFound("no sagetrail data in " + dir + " (start the server once with " +
                            "--data-dir " + dir + " first)");
  }
  auto changed = MakePrivateDir(dir);
  if (!changed.ok()) return changed.error();

  // A running server owns the data directory: ask it.
  json::object request{{"op", "accounts.add"}, {"account_id", account_id}, {"alias", alias}};
  auto answer = CallControl(ControlSocketPath(dir), json::serialize(request));
  if (answer.ok()) {
    boost::system::error_code pec;
    json::value v = json::parse(*answer, pec);
    const json::object* o = pec ? nullptr : v.if_object();
    if (o == nullptr) return Status::IOError("the server answered " + *answer);
    if (auto it = o->find("account_id"); it != o->end() && it->value().is_string()) {
      return std::string(it->value().get_string());
    }
    auto text = [&](std::string_view k) {
      auto it = o->find(k);
      return it != o->end() && it->value().is_string() ? std::string(it->value().get_string())
                                                       : std::string();
    };
    return StatusOf(text("code"), text("error"));
  }
  if (answer.error().code() != Status::Code::kNotFound) return answer.error();

  // No server: write the stopped server's data directory directly.
  SystemClock clock;
  SystemRandom random;
  auto storage = Storage::Open(dir, StorageOptions{}, clock, random);
  if (!storage.ok()) {
    if (storage.error().message().find("lock") != std::string::npos) {
      return Status::IOError("the server that holds " + dir +
                             " does not answer on its control socket (" + ControlSocketPath(dir) +
                             "); " + storage.error().message());
    }
    return storage.error();
  }
  auto ids = iam::IdentityStore::Open((*storage)->state(), (*storage)->writer(), random, clock);
  if (!ids.ok()) return ids.error();
  return CreateAccountWithAdmin(**ids, random, dir, std::move(account_id), alias);
}

}  // namespace sagetrail::server
