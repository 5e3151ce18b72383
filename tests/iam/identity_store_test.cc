// IdentityStore over the durable state (in memory here): accounts, users, keys, the changes each
// API method commits, and reopening.
#include "iam/identity_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <regex>
#include <thread>

#include "fakes/memory_state.h"
#include "fakes/test_support.h"

namespace sagetrail::iam {
namespace {

namespace fs = std::filesystem;

class IdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sagetrail_iam_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // A store on the durable state `state_` (reopening: a new process on the same state).
  std::unique_ptr<IdentityStore> Open() {
    auto s = IdentityStore::Open(state_, state_, random_, clock_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // The number of entities of `kind` in the durable state.
  int64_t RowsOnDisk(const std::string& kind) const {
    int64_t n = 0;
    EXPECT_TRUE(state_
                    .Scan("iam/",
                          [&](std::string_view key, std::string_view) {
                            size_t a = key.find('/', 4);
                            size_t k = key.find('/', a + 1);
                            n += a != std::string_view::npos && k != std::string_view::npos &&
                                 key.substr(a + 1, k - a - 1) == kind;
                            return true;
                          })
                    .ok());
    return n;
  }

  fs::path dir_;
  testing::MemoryState state_;
  SystemRandom random_;
  testing::FakeClock clock_;
  std::unique_ptr<IdentityStore> store_;
};

TEST_F(IdentityStoreTest, CreatesAccountUserAndKeys) {
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  auto user = store_->CreateUser("123456789012", "admin");
  ASSERT_TRUE(user.ok()) << user.error().ToString();
  EXPECT_EQ(user->account_id, "123456789012");
  EXPECT_EQ(user->user_name, "admin");
  EXPECT_EQ(user->path, "/");
  EXPECT_EQ(user->arn, "arn:aws:iam::123456789012:user/admin");
  EXPECT_TRUE(std::regex_match(user->user_id, std::regex("AIDA[A-Z2-7]{17}"))) << user->user_id;

  auto key = store_->CreateAccessKey("123456789012", "admin");
  ASSERT_TRUE(key.ok()) << key.error().ToString();
  EXPECT_TRUE(std::regex_match(key->access_key_id, std::regex("AKIA[A-Z2-7]{16}")))
      << key->access_key_id;
  EXPECT_EQ(key->access_key_id.size(), 20u);
  EXPECT_TRUE(std::regex_match(key->secret_access_key, std::regex("[A-Za-z0-9+/]{40}")))
      << key->secret_access_key;
  EXPECT_EQ(key->user_name, "admin");
  EXPECT_TRUE(key->active);

  auto other = store_->CreateAccessKey("123456789012", "admin");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->access_key_id, key->access_key_id);
  EXPECT_NE(other->secret_access_key, key->secret_access_key);

  auto accounts = store_->Accounts();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].account_id, "123456789012");
  EXPECT_EQ(accounts[0].alias, "acme");
}

TEST_F(IdentityStoreTest, FindsTheUserIdentity) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  auto user = store_->CreateUser("123456789012", "admin");
  ASSERT_TRUE(user.ok());
  auto key = store_->CreateAccessKey("123456789012", "admin");
  ASSERT_TRUE(key.ok());

  auto cred = store_->Find(key->access_key_id, "");
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->access_key_id, key->access_key_id);
  EXPECT_EQ(cred->secret_access_key, key->secret_access_key);
  EXPECT_TRUE(cred->active);
  EXPECT_TRUE(cred->session_token.empty());
  const aws::Identity& id = cred->identity;
  EXPECT_EQ(id.type, aws::IdentityType::kIAMUser);
  EXPECT_STREQ(aws::IdentityTypeName(id.type), "IAMUser");
  EXPECT_EQ(id.principal_id, user->user_id);
  EXPECT_EQ(id.arn, "arn:aws:iam::123456789012:user/admin");
  EXPECT_EQ(id.account_id, "123456789012");
  EXPECT_EQ(id.access_key_id, key->access_key_id);
  EXPECT_EQ(id.user_name, "admin");
}

TEST_F(IdentityStoreTest, FindsTheRootIdentity) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("210987654321", "beta").ok());
  auto key = store_->CreateAccessKey("210987654321", "");
  ASSERT_TRUE(key.ok()) << key.error().ToString();
  auto cred = store_->Find(key->access_key_id, "");
  ASSERT_NE(cred, nullptr);
  const aws::Identity& id = cred->identity;
  EXPECT_EQ(id.type, aws::IdentityType::kRoot);
  EXPECT_STREQ(aws::IdentityTypeName(id.type), "Root");
  EXPECT_EQ(id.principal_id, "210987654321");
  EXPECT_EQ(id.arn, "arn:aws:iam::210987654321:root");
  EXPECT_EQ(id.account_id, "210987654321");
  EXPECT_EQ(id.user_name, "beta");  // the account alias
}

TEST_F(IdentityStoreTest, UnknownKeyIsNotFound) {
  store_ = Open();
  EXPECT_EQ(store_->Find("AKIAAAAAAAAAAAAAAAAA", ""), nullptr);
}

TEST_F(IdentityStoreTest, ReopeningFindsTheSameKeys) {
  std::string root_key, user_key, user_secret, user_id;
  {
    auto s = Open();
    ASSERT_TRUE(s->CreateAccount("123456789012", "acme").ok());
    auto u = s->CreateUser("123456789012", "admin");
    ASSERT_TRUE(u.ok());
    user_id = u->user_id;
    auto rk = s->CreateAccessKey("123456789012", "");
    auto uk = s->CreateAccessKey("123456789012", "admin");
    ASSERT_TRUE(rk.ok() && uk.ok());
    root_key = rk->access_key_id;
    user_key = uk->access_key_id;
    user_secret = uk->secret_access_key;
  }
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  auto root = store_->Find(root_key, "");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->identity.type, aws::IdentityType::kRoot);
  EXPECT_EQ(root->identity.user_name, "acme");
  auto user = store_->Find(user_key, "");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->secret_access_key, user_secret);
  EXPECT_EQ(user->identity.type, aws::IdentityType::kIAMUser);
  EXPECT_EQ(user->identity.principal_id, user_id);
  EXPECT_EQ(user->identity.arn, "arn:aws:iam::123456789012:user/admin");
  ASSERT_EQ(store_->Accounts().size(), 1u);
  // A duplicate is still refused after reopening.
  EXPECT_EQ(store_->CreateAccount("123456789012", "again").code(), Status::Code::kAlreadyExists);
}

TEST_F(IdentityStoreTest, DuplicateAccountIsAlreadyExists) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  Status s = store_->CreateAccount("123456789012", "other");
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists);
  EXPECT_NE(s.message().find("123456789012"), std::string::npos);
  ASSERT_EQ(store_->Accounts().size(), 1u);
  EXPECT_EQ(store_->Accounts()[0].alias, "acme");
}

TEST_F(IdentityStoreTest, AccountKeepsItsCreationTimeAcrossReopening) {
  store_ = Open();
  TimePoint created = clock_.Now();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  clock_.Advance(std::chrono::hours(5));
  ASSERT_TRUE(store_->CreateAccessKey("123456789012", "").ok());
  ASSERT_EQ(store_->Account("123456789012")->created, created);
  store_.reset();
  store_ = Open();
  auto account = store_->Account("123456789012");
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->created, created);
}

// Data directories from before accounts kept their creation time: the account dates from its
// earliest entity.
TEST_F(IdentityStoreTest, AccountSavedWithoutACreationTimeDatesFromItsEarliestEntity) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  clock_.Advance(std::chrono::hours(1));
  TimePoint first = FromUnixSeconds(ToUnixSeconds(clock_.Now()));
  ASSERT_TRUE(store_->CreateAccessKey("123456789012", "").ok());
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(store_->CreateUser("123456789012", "admin").ok());
  store_.reset();
  ASSERT_TRUE(state_
                  .Apply({store::Mutation::Put("iam/123456789012/account/123456789012",
                                               R"({"alias":"acme"})")})
                  .ok());
  store_ = Open();
  auto account = store_->Account("123456789012");
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->alias, "acme");
  EXPECT_EQ(account->created, first);
}

// An entity the codec cannot decode is reported: the store refuses to open rather than run
// without it (a skipped inline policy could be a Deny).
TEST_F(IdentityStoreTest, MalformedStoredEntityFailsTheOpen) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  store_.reset();
  ASSERT_TRUE(
      state_.Apply({store::Mutation::Put("iam/123456789012/inline/user/bob/p", "{broken")}).ok());
  auto s = IdentityStore::Open(state_, state_, random_, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Status::Code::kCorruption);
  EXPECT_NE(s.error().message().find("iam/123456789012/inline/user/bob/p"), std::string::npos)
      << s.error().message();
}

TEST_F(IdentityStoreTest, DuplicateUserIsRefused) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  ASSERT_TRUE(store_->CreateUser("123456789012", "admin").ok());
  EXPECT_FALSE(store_->CreateUser("123456789012", "admin").ok());
}

TEST_F(IdentityStoreTest, KeyForAnUnknownUserIsRefusedAndNotPersisted) {
  store_ = Open();
  ASSERT_TRUE(store_->CreateAccount("123456789012", "acme").ok());
  auto key = store_->CreateAccessKey("123456789012", "ghost");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code(), Status::Code::kNotFound);
  store_.reset();
  // No orphan entity: the durable state holds no key at all.
  EXPECT_EQ(RowsOnDisk("key"), 0);
}

TEST_F(IdentityStoreTest, UserArnHonoursThePath) {
  EXPECT_EQ(UserArn("123456789012", "/", "admin"), "arn:aws:iam::123456789012:user/admin");
  EXPECT_EQ(UserArn("123456789012", "/division/team/", "bob"),
            "arn:aws:iam::123456789012:user/division/team/bob");
  EXPECT_EQ(UserArn("123456789012", "", "bob"), "arn:aws:iam::123456789012:user/bob");
}

TEST_F(IdentityStoreTest, SeededRandomGivesRepeatableIds) {
  SeededRandom a(11), b(11);
  testing::FakeClock clock;
  testing::MemoryState state_a, state_b;
  auto sa = IdentityStore::Open(state_a, state_a, a, clock);
  auto sb = IdentityStore::Open(state_b, state_b, b, clock);
  ASSERT_TRUE(sa.ok() && sb.ok());
  ASSERT_TRUE((*sa)->CreateAccount("123456789012", "").ok());
  ASSERT_TRUE((*sb)->CreateAccount("123456789012", "").ok());
  auto ka = (*sa)->CreateAccessKey("123456789012", "");
  auto kb = (*sb)->CreateAccessKey("123456789012", "");
  ASSERT_TRUE(ka.ok() && kb.ok());
  EXPECT_EQ(ka->access_key_id, kb->access_key_id);
  EXPECT_EQ(ka->secret_access_key, kb->secret_access_key);
}

// --- the IAM API methods: memory now, Save() later --------------------------------------------

constexpr char kAcct[] = "123456789012";
constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr char kAllowList[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:List*","Resource":"*"}]})";
constexpr char kAdminArn[] = "arn:aws:iam::aws:policy/AdministratorAccess";

// The changes of an API method, committed (as the pipeline does with the call's record).
void SaveAll(testing::MemoryState& state, IdentityStore::Changes changes) {
  EXPECT_TRUE(changes.ticket.valid());
  changes.ticket.Release();
  Status s = state.Apply(changes.mutations);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

class IdentityApiTest : public IdentityStoreTest {
 protected:
  void SetUp() override {
    IdentityStoreTest::SetUp();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateAccount(kAcct, "acme").ok());
  }

  UserRecord AddUser(const std::string& name, const std::string& path = "/") {
    auto added = store_->AddUser(kAcct, name, path);
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    if (!added.ok()) return {};
    SaveAll(state_, std::move(added.changes));
    return added.value();
  }
  RoleRecord AddRole(const std::string& name, const std::string& path = "/") {
    RoleRecord r;
    r.account_id = kAcct;
    r.role_name = name;
    r.path = path;
    r.trust_policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]})";
    auto added = store_->AddRole(r, {});
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    if (!added.ok()) return {};
    SaveAll(state_, std::move(added.changes));
    return added.value();
  }
  ManagedPolicyRecord AddPolicy(const std::string& name, const std::string& document,
                                const std::string& path = "/") {
    ManagedPolicyRecord p;
    p.account_id = kAcct;
    p.name = name;
    p.path = path;
    p.document = document;
    auto added = store_->AddManagedPolicy(p);
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    if (!added.ok()) return {};
    SaveAll(state_, std::move(added.changes));
    return added.value();
  }
  template <typename R>
  static void ExpectError(const R& result, const std::string& code, const std::string& message,
                          int status) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, code);
    EXPECT_EQ(result.error().message, message);
    EXPECT_EQ(result.error().http_status, status);
  }
};

TEST_F(IdentityApiTest, AddGetListAndRemoveUsers) {
  auto added = store_->AddUser(kAcct, "Bob", "/eng/");
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->user_name, "Bob");
  EXPECT_EQ(added->path, "/eng/");
  EXPECT_EQ(added->arn, "arn:aws:iam::123456789012:user/eng/Bob");
  EXPECT_TRUE(std::regex_match(added->user_id, std::regex("AIDA[A-Z2-7]{17}")));
  EXPECT_EQ(added->created, FromUnixSeconds(ToUnixSeconds(clock_.Now())));
  ASSERT_EQ(added.changes.mutations.size(), 1u);
  EXPECT_EQ(added.changes.mutations[0].key, "iam/123456789012/user/bob");
  AddUser("alice");

  // Names ignore case: lookups, duplicates and removal.
  auto got = store_->GetUser(kAcct, "BOB");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->user_name, "Bob");
  EXPECT_EQ(got->user_id, added->user_id);
  ExpectError(store_->AddUser(kAcct, "bob", "/"), "EntityAlreadyExists",
              "User with name bob already exists.", 409);
  EXPECT_FALSE(store_->GetUser(kAcct, "carol").has_value());
  EXPECT_FALSE(store_->GetUser("999999999999", "Bob").has_value());
  ExpectError(store_->AddUser("999999999999", "x", "/"), "NoSuchEntity",
              "The account 999999999999 cannot be found.", 404);

  auto users = store_->ListUsers(kAcct);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].user_name, "alice");  // by lower-case name
  EXPECT_EQ(users[1].user_name, "Bob");

  auto removed = store_->RemoveUser(kAcct, "bOB");
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(store_->GetUser(kAcct, "Bob").has_value());
  ExpectError(store_->RemoveUser(kAcct, "Bob"), "NoSuchEntity",
              "The user with name Bob cannot be found.", 404);
  EXPECT_EQ(store_->ListUsers(kAcct).size(), 1u);
}

TEST_F(IdentityApiTest, RemovingAUserWithKeysPoliciesOrAttachmentsIsADeleteConflict) {
  AddUser("bob");
  auto key = store_->AddAccessKey(kAcct, "bob");
  ASSERT_TRUE(key.ok());
  ExpectError(store_->RemoveUser(kAcct, "bob"), "DeleteConflict",
              "Cannot delete entity, must delete access keys first.", 409);
  ASSERT_TRUE(store_->RemoveAccessKey(kAcct, "bob", key->access_key_id).ok());

  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", "bob"}, "p", kAllowAll).ok());
  ExpectError(store_->RemoveUser(kAcct, "bob"), "DeleteConflict",
              "Cannot delete entity, must delete policies first.", 409);
  ASSERT_TRUE(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "p").ok());

  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, kAdminArn).ok());
  ExpectError(store_->RemoveUser(kAcct, "bob"), "DeleteConflict",
              "Cannot delete entity, must detach all policies first.", 409);
  ASSERT_TRUE(store_->Detach(kAcct, {"user", "bob"}, kAdminArn).ok());

  EXPECT_TRUE(store_->RemoveUser(kAcct, "bob").ok());
}

TEST_F(IdentityApiTest, AccessKeysPerUserAreLimitedToTwo) {
  AddUser("bob");
  auto k1 = store_->AddAccessKey(kAcct, "BOB");  // the user's own spelling is kept
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ(k1->user_name, "bob");
  EXPECT_TRUE(std::regex_match(k1->access_key_id, std::regex("AKIA[A-Z2-7]{16}")));
  EXPECT_EQ(k1->secret_access_key.size(), 40u);
  ASSERT_EQ(k1.changes.mutations.size(), 1u);
  EXPECT_EQ(k1.changes.mutations[0].key, "iam/123456789012/key/" + k1->access_key_id);
  ASSERT_TRUE(store_->AddAccessKey(kAcct, "bob").ok());
  ExpectError(store_->AddAccessKey(kAcct, "bob"), "LimitExceeded",
              "Cannot exceed quota for AccessKeysPerUser: 2", 409);
  ExpectError(store_->AddAccessKey(kAcct, "nobody"), "NoSuchEntity",
              "The user with name nobody cannot be found.", 404);
  // Another user has a quota of its own.
  AddUser("carol");
  EXPECT_TRUE(store_->AddAccessKey(kAcct, "carol").ok());
  EXPECT_EQ(store_->ListAccessKeys(kAcct, "bob").size(), 2u);
  EXPECT_EQ(store_->ListAccessKeys(kAcct, "Carol").size(), 1u);
  // After a removal there is room again.
  ASSERT_TRUE(store_->RemoveAccessKey(kAcct, "bob", k1->access_key_id).ok());
  EXPECT_TRUE(store_->AddAccessKey(kAcct, "bob").ok());
}

TEST_F(IdentityApiTest, RootKeysAreTheAccountsOwn) {
  auto root = store_->AddAccessKey(kAcct, "");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->user_name, "");
  auto cred = store_->Find(root->access_key_id, "");
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->identity.type, aws::IdentityType::kRoot);
  EXPECT_EQ(cred->identity.arn, "arn:aws:iam::123456789012:root");
  ASSERT_TRUE(store_->AddAccessKey(kAcct, "").ok());
  ExpectError(store_->AddAccessKey(kAcct, ""), "LimitExceeded",
              "Cannot exceed quota for AccessKeysPerUser: 2", 409);
  // Root keys are listed apart from users' keys.
  AddUser("bob");
  ASSERT_TRUE(store_->AddAccessKey(kAcct, "bob").ok());
  auto root_keys = store_->ListAccessKeys(kAcct, "");
  ASSERT_EQ(root_keys.size(), 2u);
  for (const auto& k : root_keys) {
    EXPECT_EQ(k.user_name, "");
    EXPECT_TRUE(k.secret_access_key.empty());  // listings never carry secrets
  }
  // A user's name does not reach the root's keys.
  ExpectError(store_->RemoveAccessKey(kAcct, "bob", root->access_key_id), "NoSuchEntity",
              "The Access Key with id " + root->access_key_id + " cannot be found.", 404);
  EXPECT_TRUE(store_->RemoveAccessKey(kAcct, "", root->access_key_id).ok());
}

TEST_F(IdentityApiTest, InactiveKeysAreFoundAsInactive) {
  AddUser("bob");
  auto key = store_->AddAccessKey(kAcct, "bob");
  ASSERT_TRUE(key.ok());
  const std::string id = key->access_key_id;
  auto outcome = store_->SetAccessKeyStatus(kAcct, "bob", id, false);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome.changes.mutations.size(), 1u);
  EXPECT_TRUE(outcome.changes.mutations[0].key.starts_with("iam/123456789012/key/"));
  auto cred = store_->Find(id, "");
  ASSERT_NE(cred, nullptr);
  EXPECT_FALSE(cred->active);
  EXPECT_EQ(cred->secret_access_key, key->secret_access_key);
  EXPECT_FALSE(store_->ListAccessKeys(kAcct, "bob")[0].active);
  ASSERT_TRUE(store_->SetAccessKeyStatus(kAcct, "bob", id, true).ok());
  EXPECT_TRUE(store_->Find(id, "")->active);
  ExpectError(store_->SetAccessKeyStatus(kAcct, "bob", "AKIANOSUCHKEY0000000", false),
              "NoSuchEntity", "The Access Key with id AKIANOSUCHKEY0000000 cannot be found.", 404);
  // A user that does not exist (here, in another account) is named rather than the key.
  ExpectError(store_->SetAccessKeyStatus("999999999999", "bob", id, false), "NoSuchEntity",
              "The user with name bob cannot be found.", 404);
  ExpectError(store_->SetAccessKeyStatus(kAcct, "carol", id, false), "NoSuchEntity",
              "The user with name carol cannot be found.", 404);
  ExpectError(store_->RemoveAccessKey(kAcct, "carol", id), "NoSuchEntity",
              "The user with name carol cannot be found.", 404);
  // The status survives a save and a reopen.
  auto deactivated = store_->SetAccessKeyStatus(kAcct, "bob", id, false);
  ASSERT_TRUE(deactivated.ok());
  SaveAll(state_, std::move(deactivated.changes));
  auto reopened = Open();
  ASSERT_NE(reopened->Find(id, ""), nullptr);
  EXPECT_FALSE(reopened->Find(id, "")->active);
}

TEST_F(IdentityApiTest, RemovedKeysAreNotFound) {
  AddUser("bob");
  auto key = store_->AddAccessKey(kAcct, "bob");
  ASSERT_TRUE(key.ok());
  SaveAll(state_, std::move(key.changes));
  auto removed = store_->RemoveAccessKey(kAcct, "bob", key->access_key_id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(store_->Find(key->access_key_id, ""), nullptr);
  EXPECT_TRUE(store_->ListAccessKeys(kAcct, "bob").empty());
  ExpectError(store_->RemoveAccessKey(kAcct, "bob", key->access_key_id), "NoSuchEntity",
              "The Access Key with id " + key->access_key_id + " cannot be found.", 404);
}

// A key removed through the API but not yet saved (its audit record is still being written) and
// used in that window stays removed: the lookup must not re-read the account from disk, which
// would bring the key back and let the pending save write it again.
TEST_F(IdentityApiTest, KeyUsedBetweenRemovalAndSaveStaysRemoved) {
  AddUser("bob");
  auto key = store_->AddAccessKey(kAcct, "bob");
  ASSERT_TRUE(key.ok());
  SaveAll(state_, std::move(key.changes));
  const std::string id = key->access_key_id;
  auto removed = store_->RemoveAccessKey(kAcct, "bob", id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(RowsOnDisk("key"), 1);           // not saved yet
  EXPECT_EQ(store_->Find(id, ""), nullptr);  // used in the window
  SaveAll(state_, std::move(removed.changes));
  EXPECT_EQ(store_->Find(id, ""), nullptr);
  EXPECT_EQ(RowsOnDisk("key"), 0);
  EXPECT_EQ(Open()->Find(id, ""), nullptr);
}

TEST_F(IdentityApiTest, RolesHaveAroaIdsAndArnsWithPaths) {
  RoleRecord role = AddRole("Trainer", "/ml/teams/");
  EXPECT_TRUE(std::regex_match(role.role_id, std::regex("AROA[A-Z2-7]{17}"))) << role.role_id;
  EXPECT_EQ(role.arn, "arn:aws:iam::123456789012:role/ml/teams/Trainer");
  EXPECT_EQ(role.max_session_duration, 3600);
  RoleRecord plain = AddRole("Plain", "");
  EXPECT_EQ(plain.path, "/");
  EXPECT_EQ(plain.arn, "arn:aws:iam::123456789012:role/Plain");
  EXPECT_EQ(RoleArn(kAcct, "/a/", "R"), "arn:aws:iam::123456789012:role/a/R");

  auto got = store_->GetRole(kAcct, "trainer");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->role_name, "Trainer");
  EXPECT_EQ(got->trust_policy, role.trust_policy);
  RoleRecord dup;
  dup.account_id = kAcct;
  dup.role_name = "TRAINER";
  ExpectError(store_->AddRole(dup, {}), "EntityAlreadyExists",
              "Role with name TRAINER already exists.", 409);
  ASSERT_EQ(store_->ListRoles(kAcct).size(), 2u);

  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"role", "Trainer"}, "p", kAllowAll).ok());
  ExpectError(store_->RemoveRole(kAcct, "Trainer"), "DeleteConflict",
              "Cannot delete entity, must delete policies first.", 409);
  ASSERT_TRUE(store_->DeleteInlinePolicy(kAcct, {"role", "Trainer"}, "p").ok());
  ASSERT_TRUE(store_->Attach(kAcct, {"role", "trainer"}, kAdminArn).ok());
  ExpectError(store_->RemoveRole(kAcct, "Trainer"), "DeleteConflict",
              "Cannot delete entity, must detach all policies first.", 409);
  ASSERT_TRUE(store_->Detach(kAcct, {"role", "TRAINER"}, kAdminArn).ok());
  EXPECT_TRUE(store_->RemoveRole(kAcct, "TRAINER").ok());
  EXPECT_FALSE(store_->GetRole(kAcct, "Trainer").has_value());
  ExpectError(store_->RemoveRole(kAcct, "Trainer"), "NoSuchEntity",
              "The role with name Trainer cannot be found.", 404);
}

TEST_F(IdentityApiTest, InlinePolicies) {
  AddUser("bob");
  AddRole("Trainer");
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", "bob"}, "b-policy", kAllowList).ok());
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", "BOB"}, "a-policy", kAllowAll).ok());
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"role", "Trainer"}, "r", kAllowAll).ok());
  EXPECT_EQ(store_->ListInlinePolicies(kAcct, {"user", "Bob"}),
            (std::vector<std::string>{"a-policy", "b-policy"}));
  EXPECT_EQ(store_->ListInlinePolicies(kAcct, {"role", "trainer"}),
            (std::vector<std::string>{"r"}));
  EXPECT_EQ(store_->GetInlinePolicy(kAcct, {"user", "bob"}, "b-policy"), kAllowList);
  // A put replaces the document.
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", "bob"}, "b-policy", kAllowAll).ok());
  EXPECT_EQ(store_->GetInlinePolicy(kAcct, {"user", "bob"}, "b-policy"), kAllowAll);
  EXPECT_FALSE(store_->GetInlinePolicy(kAcct, {"user", "bob"}, "nope").has_value());
  EXPECT_FALSE(store_->GetInlinePolicy(kAcct, {"role", "bob"}, "b-policy").has_value());

  ExpectError(store_->PutInlinePolicy(kAcct, {"user", "ghost"}, "p", kAllowAll), "NoSuchEntity",
              "The user with name ghost cannot be found.", 404);
  ExpectError(store_->PutInlinePolicy(kAcct, {"role", "Ghost"}, "p", kAllowAll), "NoSuchEntity",
              "The role with name Ghost cannot be found.", 404);
  ExpectError(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "nope"), "NoSuchEntity",
              "The user policy with name nope cannot be found.", 404);
  auto deleted = store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "a-policy");
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted.changes.mutations.size(), 1u);
  EXPECT_EQ(deleted.changes.mutations[0].key, "iam/123456789012/inline/user/bob/a-policy");
  EXPECT_FALSE(deleted.changes.mutations[0].value.has_value());
  EXPECT_EQ(store_->ListInlinePolicies(kAcct, {"user", "bob"}),
            (std::vector<std::string>{"b-policy"}));
}

TEST_F(IdentityApiTest, CustomerAndAwsManagedPolicies) {
  ManagedPolicyRecord p = AddPolicy("Narrow", kAllowList, "/team/");
  EXPECT_EQ(p.arn, "arn:aws:iam::123456789012:policy/team/Narrow");
  EXPECT_TRUE(std::regex_match(p.policy_id, std::regex("ANPA[A-Z2-7]{17}"))) << p.policy_id;
  EXPECT_EQ(p.created, p.updated);
  ManagedPolicyRecord dup;
  dup.account_id = kAcct;
  dup.name = "narrow";
  dup.document = kAllowAll;
  ExpectError(store_->AddManagedPolicy(dup), "EntityAlreadyExists",
              "A policy called narrow already exists. Duplicate names are not allowed.", 409);

  auto got = store_->GetManagedPolicy(kAcct, p.arn);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->document, kAllowList);
  EXPECT_FALSE(store_->GetManagedPolicy("999999999999", p.arn).has_value());
  EXPECT_FALSE(store_->GetManagedPolicy(kAcct, "arn:aws:iam::123456789012:policy/Narrow"));

  // AWS managed policies, in every account, with a stable id.
  auto admin = store_->GetManagedPolicy(kAcct, kAdminArn);
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->name, "AdministratorAccess");
  EXPECT_EQ(admin->account_id, "");
  EXPECT_TRUE(std::regex_match(admin->policy_id, std::regex("ANPA[A-Z2-7]{17}")));
  EXPECT_EQ(store_->GetManagedPolicy("999999999999", kAdminArn)->policy_id, admin->policy_id);
  EXPECT_FALSE(store_->GetManagedPolicy(kAcct, "arn:aws:iam::aws:policy/NoSuchPolicy"));

  size_t aws_count = store_->ListManagedPolicies(kAcct, "AWS").size();
  EXPECT_GE(aws_count, 4u);
  auto local = store_->ListManagedPolicies(kAcct, "Local");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].arn, p.arn);
  EXPECT_EQ(store_->ListManagedPolicies(kAcct, "All").size(), aws_count + 1);
  for (const auto& a : store_->ListManagedPolicies(kAcct, "AWS")) {
    EXPECT_EQ(a.arn.rfind("arn:aws:iam::aws:policy/", 0), 0u) << a.arn;
  }
}

TEST_F(IdentityApiTest, AttachDetachAndAttachmentCounts) {
  AddUser("bob");
  AddRole("Trainer");
  ManagedPolicyRecord p = AddPolicy("Narrow", kAllowList);
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, p.arn).ok());
  ASSERT_TRUE(store_->Attach(kAcct, {"role", "Trainer"}, p.arn).ok());
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, kAdminArn).ok());
  // Attaching again changes nothing.
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "Bob"}, kAdminArn).ok());
  EXPECT_EQ(store_->AttachmentCount(kAcct, p.arn), 2);
  EXPECT_EQ(store_->AttachmentCount(kAcct, kAdminArn), 1);
  auto attached = store_->ListAttached(kAcct, {"user", "bob"});
  ASSERT_EQ(attached.size(), 2u);
  EXPECT_NE(std::find(attached.begin(), attached.end(), p.arn), attached.end());
  EXPECT_NE(std::find(attached.begin(), attached.end(), kAdminArn), attached.end());
  EXPECT_EQ(store_->ListAttached(kAcct, {"role", "trainer"}), (std::vector<std::string>{p.arn}));

  ExpectError(store_->Attach(kAcct, {"user", "ghost"}, p.arn), "NoSuchEntity",
              "The user with name ghost cannot be found.", 404);
  ExpectError(store_->Attach(kAcct, {"user", "bob"}, "arn:aws:iam::123456789012:policy/Nope"),
              "NoSuchEntity",
              "Policy arn:aws:iam::123456789012:policy/Nope does not exist or is not attachable.",
              404);
  ExpectError(store_->RemoveManagedPolicy(kAcct, p.arn), "DeleteConflict",
              "Cannot delete a policy attached to entities.", 409);

  ASSERT_TRUE(store_->Detach(kAcct, {"user", "bob"}, p.arn).ok());
  ExpectError(store_->Detach(kAcct, {"user", "bob"}, p.arn), "NoSuchEntity",
              "Policy " + p.arn + " was not found.", 404);
  ASSERT_TRUE(store_->Detach(kAcct, {"role", "Trainer"}, p.arn).ok());
  EXPECT_EQ(store_->AttachmentCount(kAcct, p.arn), 0);
  auto removed = store_->RemoveManagedPolicy(kAcct, p.arn);
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(store_->GetManagedPolicy(kAcct, p.arn).has_value());
  ExpectError(store_->RemoveManagedPolicy(kAcct, p.arn), "NoSuchEntity",
              "Policy " + p.arn + " was not found.", 404);
  // AWS managed policies cannot be deleted.
  ExpectError(store_->RemoveManagedPolicy(kAcct, kAdminArn), "NoSuchEntity",
              std::string("Policy ") + kAdminArn + " was not found.", 404);
}

TEST_F(IdentityApiTest, PoliciesOfAreInlineAndAttachedDocuments) {
  AddUser("bob");
  AddUser("carol");
  ManagedPolicyRecord p = AddPolicy("Narrow", kAllowList);
  EXPECT_TRUE(store_->PoliciesOf(kAcct, {"user", "bob"}).empty());
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"user", "bob"}, "inline", kAllowAll).ok());
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, p.arn).ok());
  ASSERT_TRUE(store_->Attach(kAcct, {"user", "bob"}, kAdminArn).ok());
  auto docs = store_->PoliciesOf(kAcct, {"user", "BOB"});
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0], kAllowAll);  // inline first
  EXPECT_NE(std::find(docs.begin(), docs.end(), kAllowList), docs.end());
  EXPECT_NE(
      std::find(docs.begin(), docs.end(), store_->GetManagedPolicy(kAcct, kAdminArn)->document),
      docs.end());
  EXPECT_TRUE(store_->PoliciesOf(kAcct, {"user", "carol"}).empty());
  EXPECT_TRUE(store_->PoliciesOf(kAcct, {"role", "bob"}).empty());
}

TEST_F(IdentityApiTest, NothingReachesDiskUntilSaved) {
  auto user = store_->AddUser(kAcct, "bob", "/eng/");
  ASSERT_TRUE(user.ok());
  RoleRecord r;
  r.account_id = kAcct;
  r.role_name = "Trainer";
  r.trust_policy = "{}";
  r.description = "trains";
  r.max_session_duration = 7200;
  auto role = store_->AddRole(r, {});
  ASSERT_TRUE(role.ok());
  auto key = store_->AddAccessKey(kAcct, "bob");
  ASSERT_TRUE(key.ok());
  auto put = store_->PutInlinePolicy(kAcct, {"user", "bob"}, "p", kAllowAll);
  ASSERT_TRUE(put.ok());
  ManagedPolicyRecord mp;
  mp.account_id = kAcct;
  mp.name = "Narrow";
  mp.document = kAllowList;
  mp.description = "lists";
  auto policy = store_->AddManagedPolicy(mp);
  ASSERT_TRUE(policy.ok());
  auto attach = store_->Attach(kAcct, {"role", "Trainer"}, policy->arn);
  ASSERT_TRUE(attach.ok());

  {
    // Another store on the same file sees none of it.
    auto other = Open();
    EXPECT_FALSE(other->GetUser(kAcct, "bob").has_value());
    EXPECT_FALSE(other->GetRole(kAcct, "Trainer").has_value());
    EXPECT_EQ(other->Find(key->access_key_id, ""), nullptr);
    EXPECT_TRUE(other->ListInlinePolicies(kAcct, {"user", "bob"}).empty());
    EXPECT_TRUE(other->ListManagedPolicies(kAcct, "Local").empty());
    EXPECT_TRUE(other->ListAttached(kAcct, {"role", "Trainer"}).empty());
  }

  for (auto* changes : {&user.changes, &role.changes, &key.changes, &put.changes, &policy.changes,
                        &attach.changes}) {
    SaveAll(state_, std::move(*changes));
  }
  auto other = Open();
  auto u = other->GetUser(kAcct, "BOB");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->user_id, user->user_id);
  EXPECT_EQ(u->arn, "arn:aws:iam::123456789012:user/eng/bob");
  EXPECT_EQ(u->created, user->created);
  auto ro = other->GetRole(kAcct, "trainer");
  ASSERT_TRUE(ro.has_value());
  EXPECT_EQ(ro->role_id, role->role_id);
  EXPECT_EQ(ro->trust_policy, "{}");
  EXPECT_EQ(ro->description, "trains");
  EXPECT_EQ(ro->max_session_duration, 7200);
  auto cred = other->Find(key->access_key_id, "");
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->secret_access_key, key->secret_access_key);
  EXPECT_EQ(cred->identity.principal_id, user->user_id);
  EXPECT_EQ(other->GetInlinePolicy(kAcct, {"user", "bob"}, "p"), kAllowAll);
  auto pol = other->GetManagedPolicy(kAcct, policy->arn);
  ASSERT_TRUE(pol.has_value());
  EXPECT_EQ(pol->policy_id, policy->policy_id);
  EXPECT_EQ(pol->document, kAllowList);
  EXPECT_EQ(pol->description, "lists");
  EXPECT_EQ(other->ListAttached(kAcct, {"role", "Trainer"}),
            (std::vector<std::string>{policy->arn}));
  EXPECT_EQ(other->Account(kAcct)->alias, "acme");
}

TEST_F(IdentityApiTest, SavingARemovedEntityDeletesIt) {
  AddUser("bob");
  AddRole("Trainer");
  ManagedPolicyRecord p = AddPolicy("Narrow", kAllowList);
  SaveAll(state_,
          std::move(store_->PutInlinePolicy(kAcct, {"user", "bob"}, "p", kAllowAll).changes));
  SaveAll(state_, std::move(store_->Attach(kAcct, {"role", "Trainer"}, p.arn).changes));
  auto key = store_->AddAccessKey(kAcct, "bob");
  SaveAll(state_, std::move(key.changes));
  EXPECT_EQ(RowsOnDisk("user"), 1);
  EXPECT_EQ(RowsOnDisk("attachment"), 1);

  auto detach = store_->Detach(kAcct, {"role", "Trainer"}, p.arn);
  auto del_inline = store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "p");
  auto del_key = store_->RemoveAccessKey(kAcct, "bob", key->access_key_id);
  ASSERT_TRUE(detach.ok() && del_inline.ok() && del_key.ok());
  auto del_user = store_->RemoveUser(kAcct, "bob");
  auto del_role = store_->RemoveRole(kAcct, "Trainer");
  auto del_policy = store_->RemoveManagedPolicy(kAcct, p.arn);
  ASSERT_TRUE(del_user.ok() && del_role.ok() && del_policy.ok());
  // Still on disk until saved.
  EXPECT_TRUE(Open()->GetUser(kAcct, "bob").has_value());
  for (auto* changes : {&detach.changes, &del_inline.changes, &del_key.changes, &del_user.changes,
                        &del_role.changes, &del_policy.changes}) {
    SaveAll(state_, std::move(*changes));
  }
  for (const char* kind : {"user", "role", "key", "inline", "policy", "attachment"}) {
    EXPECT_EQ(RowsOnDisk(kind), 0) << kind;
  }
  auto other = Open();
  EXPECT_FALSE(other->GetUser(kAcct, "bob").has_value());
  EXPECT_FALSE(other->GetRole(kAcct, "Trainer").has_value());
  EXPECT_FALSE(other->GetManagedPolicy(kAcct, p.arn).has_value());
  EXPECT_EQ(other->Find(key->access_key_id, ""), nullptr);
  EXPECT_EQ(RowsOnDisk("account"), 1);
}

// Every API write hands back its place in the commit order, refused or not; a refused one
// changes nothing.
TEST_F(IdentityApiTest, RefusedWritesHandBackAPlaceAndNoChanges) {
  AddUser("bob");
  ASSERT_TRUE(store_->AddAccessKey(kAcct, "bob").ok());
  auto expect_refused = [](const auto& outcome, const std::string& code) {
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().code, code);
    EXPECT_TRUE(outcome.changes.ticket.valid()) << code;
    EXPECT_TRUE(outcome.changes.mutations.empty()) << code;
  };
  expect_refused(store_->AddUser(kAcct, "bob", "/"), "EntityAlreadyExists");
  expect_refused(store_->RemoveUser(kAcct, "bob"), "DeleteConflict");
  expect_refused(store_->RemoveUser(kAcct, "ghost"), "NoSuchEntity");
  expect_refused(store_->AddAccessKey(kAcct, "ghost"), "NoSuchEntity");
  expect_refused(store_->SetAccessKeyStatus(kAcct, "bob", "AKIANOSUCHKEY0000000", false),
                 "NoSuchEntity");
  expect_refused(store_->RemoveAccessKey(kAcct, "bob", "AKIANOSUCHKEY0000000"), "NoSuchEntity");
  RoleRecord ghost_trust;
  ghost_trust.account_id = kAcct;
  ghost_trust.role_name = "Gate";
  expect_refused(store_->AddRole(ghost_trust, {"arn:aws:iam::123456789012:user/ghost"}),
                 "MalformedPolicyDocument");
  expect_refused(store_->ChangeRole(kAcct, "ghost", [](RoleRecord&) {}), "NoSuchEntity");
  expect_refused(store_->SetTrustPolicy(kAcct, "ghost", "{}", {}), "NoSuchEntity");
  expect_refused(store_->RemoveRole(kAcct, "ghost"), "NoSuchEntity");
  expect_refused(store_->PutInlinePolicy(kAcct, {"user", "ghost"}, "p", kAllowAll), "NoSuchEntity");
  expect_refused(store_->DeleteInlinePolicy(kAcct, {"user", "bob"}, "p"), "NoSuchEntity");
  ManagedPolicyRecord p = AddPolicy("Narrow", kAllowList);
  expect_refused(store_->AddManagedPolicy(p), "EntityAlreadyExists");
  expect_refused(store_->RemoveManagedPolicy(kAcct, kAdminArn), "NoSuchEntity");
  expect_refused(store_->Attach(kAcct, {"user", "ghost"}, kAdminArn), "NoSuchEntity");
  expect_refused(store_->Detach(kAcct, {"user", "bob"}, kAdminArn), "NoSuchEntity");
  // Each took a place of its own, in the order the writes ran.
  auto first = store_->RemoveUser(kAcct, "ghost");
  auto second = store_->Detach(kAcct, {"user", "bob"}, kAdminArn);
  EXPECT_LT(first.changes.ticket.position(), second.changes.ticket.position());
}

// DeleteUser races the DeleteAccessKey that removes the user's only key. Whichever runs first,
// the commit order agrees with what each saw: a DeleteUser refused because of the key comes
// before the key's removal, one that succeeded comes after it.
TEST_F(IdentityApiTest, RacingWritesAreOrderedAsTheySawEachOther) {
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    std::string name = "racer" + std::to_string(i);
    AddUser(name);
    auto key = store_->AddAccessKey(kAcct, name);
    ASSERT_TRUE(key.ok());
    std::string key_id = key->access_key_id;
    SaveAll(state_, std::move(key.changes));
    std::optional<IdentityStore::Outcome<IdentityStore::Done>> removed_key;
    std::thread other([&] { removed_key.emplace(store_->RemoveAccessKey(kAcct, name, key_id)); });
    auto removed_user = store_->RemoveUser(kAcct, name);
    other.join();
    ASSERT_TRUE(removed_key->ok());
    uint64_t user_at = removed_user.changes.ticket.position();
    uint64_t key_at = removed_key->changes.ticket.position();
    if (removed_user.ok()) {
      EXPECT_GT(user_at, key_at) << i;
    } else {
      ++refused;
      EXPECT_EQ(removed_user.error().code, "DeleteConflict");
      EXPECT_LT(user_at, key_at) << i;
      ASSERT_TRUE(store_->RemoveUser(kAcct, name).ok());
    }
  }
  // (How often each order happened is up to the scheduler; both are checked when they occur.)
  SUCCEED() << refused << " of 200 DeleteUser calls were refused";
}

TEST_F(IdentityApiTest, SessionTokensOpenIntoTheirSession) {
  RoleRecord trainer = AddRole("Trainer");
  SessionClaims claims;
  claims.access_key_id = "ASIAEXAMPLESESSION01";
  claims.secret_access_key = "secretsecretsecretsecretsecretsecret0001";
  claims.expires_at = clock_.Now() + std::chrono::hours(1);
  claims.identity.type = aws::IdentityType::kAssumedRole;
  claims.identity.principal_id = trainer.role_id + ":s";
  claims.identity.arn = "arn:aws:sts::123456789012:assumed-role/Trainer/s";
  claims.identity.account_id = kAcct;
  claims.identity.session_name = "s";
  claims.identity.session.emplace();
  claims.identity.session->issuer = aws::SessionIssuer{
      "Role", trainer.role_id, "arn:aws:iam::123456789012:role/Trainer", kAcct, "Trainer"};
  claims.session_policy = kAllowList;
  claims.session_policy_arns = {kAdminArn};
  claims.has_session_policy = true;
  std::string token = store_->tokens().Seal(claims, random_);

  auto cred = store_->Find(claims.access_key_id, token);
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->access_key_id, claims.access_key_id);
  EXPECT_EQ(cred->secret_access_key, claims.secret_access_key);
  EXPECT_EQ(cred->session_token, token);
  ASSERT_TRUE(cred->expiration.has_value());
  EXPECT_EQ(*cred->expiration, claims.expires_at);
  EXPECT_TRUE(cred->active);
  EXPECT_EQ(cred->identity.type, aws::IdentityType::kAssumedRole);
  EXPECT_EQ(cred->identity.arn, claims.identity.arn);
  EXPECT_EQ(cred->identity.access_key_id, claims.access_key_id);
  ASSERT_TRUE(cred->identity.session && cred->identity.session->issuer);
  EXPECT_EQ(cred->identity.session->issuer->user_name, "Trainer");
  EXPECT_TRUE(cred->has_session_policy);
  EXPECT_EQ(cred->session_policy, kAllowList);
  EXPECT_EQ(cred->session_policy_arns, (std::vector<std::string>{kAdminArn}));

  // A token for another key id, a damaged token, no token: nothing.
  EXPECT_EQ(store_->Find("ASIAEXAMPLESESSION02", token), nullptr);
  std::string damaged = token;
  damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(store_->Find(claims.access_key_id, damaged), nullptr);
  EXPECT_EQ(store_->Find(claims.access_key_id, ""), nullptr);
  EXPECT_EQ(store_->Find(claims.access_key_id, "garbage"), nullptr);
  // A token sealed by another data directory's key.
  SessionTokenCodec foreign(std::string(32, 'f'));
  EXPECT_EQ(store_->Find(claims.access_key_id, foreign.Seal(claims, random_)), nullptr);
}

TEST_F(IdentityApiTest, TokenKeyIsStableAcrossReopening) {
  UserRecord bob = AddUser("bob");
  SessionClaims claims;
  claims.access_key_id = "ASIAEXAMPLESESSION01";
  claims.secret_access_key = "s";
  claims.identity.type = aws::IdentityType::kIAMUser;
  claims.identity.user_name = "bob";
  claims.identity.principal_id = bob.user_id;
  claims.identity.arn = "arn:aws:iam::123456789012:user/bob";
  claims.identity.account_id = kAcct;
  std::string token = store_->tokens().Seal(claims, random_);
  store_.reset();
  store_ = Open();
  auto cred = store_->Find(claims.access_key_id, token);
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->identity.arn, "arn:aws:iam::123456789012:user/bob");
  // And a second data directory has a key of its own.
  SystemRandom r;
  testing::MemoryState other_state;
  auto elsewhere = IdentityStore::Open(other_state, other_state, r, clock_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ((*elsewhere)->Find(claims.access_key_id, token), nullptr);
}

// A session is bound to the principal behind it by that principal's unique id: once the user or
// role is deleted, the session is refused, even after another of the same name is created.
TEST_F(IdentityApiTest, SessionsDieWithTheirPrincipal) {
  RoleRecord temp = AddRole("Temp");
  UserRecord tmpu = AddUser("tmpu");
  auto seal = [&](aws::Identity identity, const std::string& key_id) {
    SessionClaims c;
    c.access_key_id = key_id;
    c.secret_access_key = "s";
    c.expires_at = clock_.Now() + std::chrono::hours(1);
    c.identity = std::move(identity);
    return store_->tokens().Seal(c, random_);
  };
  aws::Identity role_session;
  role_session.type = aws::IdentityType::kAssumedRole;
  role_session.account_id = kAcct;
  role_session.session.emplace();
  role_session.session->issuer = aws::SessionIssuer{"Role", temp.role_id, temp.arn, kAcct, "Temp"};
  aws::Identity user_session;  // GetSessionToken
  user_session.type = aws::IdentityType::kIAMUser;
  user_session.account_id = kAcct;
  user_session.user_name = "tmpu";
  user_session.principal_id = tmpu.user_id;
  aws::Identity federated;  // GetFederationToken by tmpu
  federated.type = aws::IdentityType::kFederatedUser;
  federated.account_id = kAcct;
  federated.session.emplace();
  federated.session->issuer = aws::SessionIssuer{"IAMUser", tmpu.user_id, tmpu.arn, kAcct, "tmpu"};
  std::string role_token = seal(role_session, "ASIAROLESESSION00001");
  std::string user_token = seal(user_session, "ASIAUSERSESSION00001");
  std::string fed_token = seal(federated, "ASIAFEDSESSION000001");
  EXPECT_NE(store_->Find("ASIAROLESESSION00001", role_token), nullptr);
  EXPECT_NE(store_->Find("ASIAUSERSESSION00001", user_token), nullptr);
  EXPECT_NE(store_->Find("ASIAFEDSESSION000001", fed_token), nullptr);

  ASSERT_TRUE(store_->RemoveRole(kAcct, "Temp").ok());
  ASSERT_TRUE(store_->RemoveUser(kAcct, "tmpu").ok());
  EXPECT_EQ(store_->Find("ASIAROLESESSION00001", role_token), nullptr);
  EXPECT_EQ(store_->Find("ASIAUSERSESSION00001", user_token), nullptr);
  EXPECT_EQ(store_->Find("ASIAFEDSESSION000001", fed_token), nullptr);
  // Successors with the same names (in another case, too) are other principals.
  AddRole("temp");
  AddUser("TMPU");
  EXPECT_EQ(store_->Find("ASIAROLESESSION00001", role_token), nullptr);
  EXPECT_EQ(store_->Find("ASIAUSERSESSION00001", user_token), nullptr);
  EXPECT_EQ(store_->Find("ASIAFEDSESSION000001", fed_token), nullptr);
  // Their policies are not the old principal's either.
  ASSERT_TRUE(store_->PutInlinePolicy(kAcct, {"role", "temp"}, "p", "{}").ok());
  EXPECT_TRUE(store_->PoliciesOf(kAcct, {"role", "Temp", temp.role_id}).empty());
  EXPECT_EQ(store_->PoliciesOf(kAcct, {"role", "Temp", ""}).size(), 1u);
}

TEST_F(IdentityApiTest, EntitiesByArn) {
  UserRecord alice = AddUser("Alice", "/div/");
  RoleRecord role = AddRole("Runner", "/ml/");
  // The name in any case, the path exactly.
  ASSERT_TRUE(store_->UserByArn("arn:aws:iam::123456789012:user/div/alice").has_value());
  EXPECT_EQ(store_->UserByArn("arn:aws:iam::123456789012:user/div/alice")->arn,
            "arn:aws:iam::123456789012:user/div/Alice");
  EXPECT_FALSE(store_->UserByArn("arn:aws:iam::123456789012:user/alice").has_value());
  EXPECT_FALSE(store_->UserByArn("arn:aws:iam::123456789012:user/DIV/alice").has_value());
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:iam::123456789012:user/div/Alice"), alice.user_id);
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:iam::123456789012:role/ml/RUNNER"), role.role_id);
  EXPECT_EQ(store_->RoleByArn("arn:aws:iam::123456789012:role/ml/runner")->arn, role.arn);
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:iam::123456789012:role/ml/"), "");
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:iam::999999999999:role/ml/Runner"), "");
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:iam::123456789012:user/ml/Runner"), "");
  EXPECT_EQ(store_->UniqueIdOf("arn:aws:sts::123456789012:assumed-role/Runner/s"), "");
  EXPECT_EQ(store_->UniqueIdOf("not an arn"), "");
}

}  // namespace
}  // namespace sagetrail::iam
