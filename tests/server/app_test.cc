// App and AddAccount: what they create, refuse and say when something is in the way.
#include "server/app.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/clock.h"
#include "common/random.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "iam/identity_store.h"
#include "server/accounts.h"
#include "server/storage.h"

namespace sagetrail::server {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A loopback socket that holds a port until it goes away.
class BusyPort {
 public:
  BusyPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 1), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~BusyPort() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(AppTest, ABusyPortCreatesNothing) {
  TempDir tmp;
  BusyPort busy;
  ServeOptions options;
  options.port = busy.port();
  options.data_dir = tmp.Sub("data");
  auto app = App::Create(options);
  ASSERT_FALSE(app.ok());
  const std::string& message = app.error().message();
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(busy.port())), std::string::npos) << message;
  EXPECT_NE(message.find("--port"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(tmp.Sub("data")));
}

TEST(AppTest, StartsOnAFreePortWithAPrivateDataDir) {
  TempDir tmp;
  ServeOptions options;
  options.port = 0;
  options.threads = 1;
  options.data_dir = tmp.Sub("data");
  auto app = App::Create(options);
  ASSERT_TRUE(app.ok()) << app.error().ToString();
  ASSERT_TRUE((*app)->Start().ok());
  EXPECT_NE((*app)->port(), 0);
  (*app)->Stop();
  struct stat st;
  ASSERT_EQ(::stat(tmp.Sub("data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// A start that fails after the port is open (the data directory is in use by another server)
// stops what it started: the second server is gone, its port free, the first still serving.
TEST(AppTest, AFailedStartAfterListenStopsWhatItStarted) {
  TempDir tmp;
  ServeOptions options;
  options.port = 0;
  options.threads = 1;
  options.data_dir = tmp.Sub("data");
  auto first = App::Create(options);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_TRUE((*first)->Start().ok());
  auto second = App::Create(options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("in use by another sagetrail server"), std::string::npos)
      << second.error().message();
  // The first one is untouched and stops cleanly, twice.
  EXPECT_NE((*first)->port(), 0);
  (*first)->Stop();
  (*first)->Stop();
  first->reset();
  // Then the directory opens again, with the account it made.
  auto third = App::Create(options);
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  ASSERT_TRUE((*third)->Start().ok());
  (*third)->Stop();
}

// Stopping a server that was never started, or destroying it without Stop(), is clean.
TEST(AppTest, StopWithoutStartAndDestroyWithoutStop) {
  TempDir tmp;
  ServeOptions options;
  options.port = 0;
  options.threads = 1;
  options.data_dir = tmp.Sub("data");
  {
    auto app = App::Create(options);
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    (*app)->Stop();
  }
  {
    auto app = App::Create(options);
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    ASSERT_TRUE((*app)->Start().ok());
  }  // destroyed while serving
  EXPECT_TRUE(fs::exists(tmp.Sub("data/credentials")));
}

class AddAccountTest : public ::testing::Test {
 protected:
  // A stopped server's data directory with one account.
  void SetUp() override {
    SystemClock clock;
    SystemRandom random;
    auto storage = Storage::Open(tmp_.path().string(), StorageOptions{}, clock, random);
    ASSERT_TRUE(storage.ok()) << storage.error().ToString();
    auto ids = iam::IdentityStore::Open((*storage)->state(), (*storage)->writer(), random, clock);
    ASSERT_TRUE(ids.ok());
    ASSERT_TRUE((*ids)->CreateAccount("123456789012", "").ok());
  }
  TempDir tmp_;
};

TEST_F(AddAccountTest, AnExistingAccountIdIsNamedWithTheDataDir) {
  auto id = AddAccount(tmp_.path().string(), "123456789012", "");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(id.error().message(), "account 123456789012 already exists in " +
                                      fs::absolute(tmp_.path()).string() +
                                      " (omit --account-id to get a new one)");
  EXPECT_FALSE(fs::exists(tmp_.Sub("credentials")));  // nothing written
}

TEST_F(AddAccountTest, AddsANewAccountAndItsCredentialsPrivately) {
  auto id = AddAccount(tmp_.path().string(), "", "other");
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  EXPECT_EQ(id->size(), 12u);
  struct stat st;
  ASSERT_EQ(::stat(tmp_.Sub("credentials").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = AddAccount(tmp_.path().string(), *id, "");
  EXPECT_EQ(again.error().code(), Status::Code::kAlreadyExists);
}

TEST(AddAccountNoDataTest, AnEmptyDirectoryNamesTheServeCommandToRunFirst) {
  TempDir tmp;
  auto id = AddAccount(tmp.Sub("nothing"), "", "");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code(), Status::Code::kNotFound);
  EXPECT_NE(id.error().message().find("start the server once"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp.Sub("nothing")));
}

}  // namespace
}  // namespace sagetrail::server
