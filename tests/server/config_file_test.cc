// `serve --config FILE`: its lines, and how they join the command line (which wins).
#include "server/config_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "fakes/temp_dir.h"

namespace sagetrail::server {
namespace {

using Args = std::vector<std::string>;

bool AnyKey(const std::string&) { return true; }

TEST(ConfigFileTest, ParsesKeyValueLines) {
  auto got = ParseConfigText(
      "# comment\n; another\n[serve]\nport = 4566\n  data-dir=\"/srv/a b\"  \r\n"
      "--durability = 'full'\n\nendpoint-seconds=0.5",
      "f");
  ASSERT_TRUE(got.ok()) << got.error().message();
  std::vector<std::pair<std::string, std::string>> want = {{"port", "4566"},
                                                           {"data-dir", "/srv/a b"},
                                                           {"durability", "full"},
                                                           {"endpoint-seconds", "0.5"}};
  EXPECT_EQ(*got, want);
}

TEST(ConfigFileTest, MalformedLinesAreNamed) {
  for (const char* text : {"port 4566\n", "= 3\n", "a b = 1\n"}) {
    auto got = ParseConfigText(std::string("# ok\n") + text, "cfg.ini");
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().message(), "cfg.ini:2: expected `option = value`") << text;
  }
}

TEST(ConfigFileTest, FileOptionsJoinAfterServeAndTheCommandLineWins) {
  testing::TempDir dir;
  std::string path = (dir.path() / "c.ini").string();
  std::ofstream(path) << "port = 1234\nhost = 127.0.0.2\ndata-dir = /tmp/x\n";
  auto got = ApplyServeConfig(
      Args{"sagetrail", "serve", "--port", "0", "--config", path, "--data-dir=/tmp/y"}, AnyKey);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(*got, (Args{"sagetrail", "serve", "--host", "127.0.0.2", "--port", "0", "--config",
                        path, "--data-dir=/tmp/y"}));
  // --config=FILE too; other subcommands and no --config leave the line alone.
  got = ApplyServeConfig(Args{"sagetrail", "serve", "--config=" + path}, AnyKey);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 9u);
  Args other{"sagetrail", "events", "export", "--config", path};
  EXPECT_EQ(*ApplyServeConfig(other, AnyKey), other);
  Args plain{"sagetrail", "serve", "--port", "0"};
  EXPECT_EQ(*ApplyServeConfig(plain, AnyKey), plain);
}

TEST(ConfigFileTest, MissingFilesAndUnknownOptionsAreRefused) {
  auto missing = ApplyServeConfig(Args{"sagetrail", "serve", "--config", "/no/such/file"}, AnyKey);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "cannot read the config file /no/such/file");
  testing::TempDir dir;
  std::string path = (dir.path() / "c.ini").string();
  std::ofstream(path) << "port = 1\nbogus = 2\n";
  auto unknown = ApplyServeConfig(Args{"sagetrail", "serve", "--config", path},
                                  [](const std::string& k) { return k == "port"; });
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), path + ": unknown option `bogus`");
}

}  // namespace
}  // namespace sagetrail::server
