// IdentityStore over a temporary SQLite file: accounts, users, keys and reopening.
#include "iam/identity_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

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

  std::unique_ptr<IdentityStore> Open() {
    auto s = IdentityStore::Open((dir_ / "iam.db").string(), random_, clock_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
    return s.ok() ? std::move(s).value() : nullptr;
  }

  fs::path dir_;
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
  // No orphan row: the database holds no key at all.
  auto db = SqliteDb::Open((dir_ / "iam.db").string());
  ASSERT_TRUE(db.ok());
  auto stmt = (*db)->Prepare("SELECT COUNT(*) FROM iam_entities WHERE kind = 'key'");
  ASSERT_TRUE(stmt.ok());
  auto row = stmt->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(stmt->ColumnInt64(0), 0);
}

TEST_F(IdentityStoreTest, UserArnHonoursThePath) {
  EXPECT_EQ(IdentityStore::UserArn("123456789012", "/", "admin"),
            "arn:aws:iam::123456789012:user/admin");
  EXPECT_EQ(IdentityStore::UserArn("123456789012", "/division/team/", "bob"),
            "arn:aws:iam::123456789012:user/division/team/bob");
  EXPECT_EQ(IdentityStore::UserArn("123456789012", "", "bob"),
            "arn:aws:iam::123456789012:user/bob");
}

TEST_F(IdentityStoreTest, SeededRandomGivesRepeatableIds) {
  SeededRandom a(11), b(11);
  testing::FakeClock clock;
  fs::path pa = dir_ / "a.db", pb = dir_ / "b.db";
  auto sa = IdentityStore::Open(pa.string(), a, clock);
  auto sb = IdentityStore::Open(pb.string(), b, clock);
  ASSERT_TRUE(sa.ok() && sb.ok());
  ASSERT_TRUE((*sa)->CreateAccount("123456789012", "").ok());
  ASSERT_TRUE((*sb)->CreateAccount("123456789012", "").ok());
  auto ka = (*sa)->CreateAccessKey("123456789012", "");
  auto kb = (*sb)->CreateAccessKey("123456789012", "");
  ASSERT_TRUE(ka.ok() && kb.ok());
  EXPECT_EQ(ka->access_key_id, kb->access_key_id);
  EXPECT_EQ(ka->secret_access_key, kb->secret_access_key);
}

}  // namespace
}  // namespace sagetrail::iam
