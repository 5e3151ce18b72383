// Accounts: what `sagetrail accounts add` does, in whichever process owns the data directory:
// the running server (asked over its control socket, so that the change goes through its commit
// path and it serves the new account at once) or, when no server runs, the command itself.
#pragma once

#include <string>
#include <string_view>

#include "common/random.h"
#include "common/result.h"
#include "iam/identity_store.h"

namespace sagetrail::server {

// Creates an account (a new random id unless `account_id` is given) with root credentials and an
// IAM user "admin-<id>" holding AdministratorAccess, and appends profiles "root-<id>" and
// "admin-<id>" to <data_dir>/credentials. Returns the account id.
Result<std::string> CreateAccountWithAdmin(iam::IdentityStore& ids, Random& random,
                                           const std::string& data_dir, std::string account_id,
                                           const std::string& alias);

// The control socket's answer to `request` ({"op":"accounts.add","account_id":..,"alias":..}):
// {"account_id":..} or {"error":.., "code":..}.
std::string HandleControlRequest(iam::IdentityStore& ids, Random& random,
                                 const std::string& data_dir, std::string_view request);

// `sagetrail accounts add`: through the running server if there is one, else directly.
Result<std::string> AddAccount(const std::string& data_dir, std::string account_id,
                               const std::string& alias);

// Where a data directory's control socket is.
std::string ControlSocketPath(const std::string& data_dir);

}  // namespace sagetrail::server
