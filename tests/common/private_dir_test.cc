// MakePrivateDir: creates a data directory 0700, and takes group and other bits off an existing
// tree without following symbolic links.
#include "common/private_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "fakes/temp_dir.h"

namespace sagetrail {
namespace {

using testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(PrivateDirTest, CreatesMissingFoldersPrivateWhateverTheUmask) {
  TempDir tmp;
  mode_t old = ::umask(0);
  auto changed = MakePrivateDir(tmp.Sub("a/b/data"));
  ::umask(old);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_TRUE(changed->empty());
  for (const char* p : {"a", "a/b", "a/b/data"}) EXPECT_EQ(ModeOf(tmp.Sub(p)), 0700u) << p;
}

TEST(PrivateDirTest, TightensAnExistingTreeAndReportsWhatItChanged) {
  TempDir tmp;
  std::string root = tmp.Sub("data");
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/events").c_str(), 0775), 0);
  std::ofstream(root + "/state.db") << "x";
  std::ofstream(root + "/events/segment") << "x";
  std::ofstream(root + "/credentials") << "x";
  std::ofstream(tmp.Sub("outside")) << "x";
  ASSERT_EQ(::chmod((root + "/state.db").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((root + "/events/segment").c_str(), 0666), 0);
  ASSERT_EQ(::chmod((root + "/credentials").c_str(), 0600), 0);
  ASSERT_EQ(::chmod(root.c_str(), 0755), 0);
  ASSERT_EQ(::chmod((root + "/events").c_str(), 0775), 0);
  ASSERT_EQ(::chmod(tmp.Sub("outside").c_str(), 0644), 0);
  ASSERT_EQ(::symlink(tmp.Sub("outside").c_str(), (root + "/link").c_str()), 0);

  auto changed = MakePrivateDir(root);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->size(), 4u);  // root, events, state.db, events/segment
  EXPECT_EQ(ModeOf(root), 0700u);
  EXPECT_EQ(ModeOf(root + "/events"), 0700u);
  EXPECT_EQ(ModeOf(root + "/state.db"), 0600u);
  EXPECT_EQ(ModeOf(root + "/events/segment"), 0600u);
  EXPECT_EQ(ModeOf(root + "/credentials"), 0600u);
  EXPECT_EQ(ModeOf(tmp.Sub("outside")), 0644u);  // a link's target is left alone

  auto again = MakePrivateDir(root);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(PrivateDirTest, AFileInPlaceOfTheDirectoryIsAnError) {
  TempDir tmp;
  std::ofstream(tmp.Sub("data")) << "x";
  auto r = MakePrivateDir(tmp.Sub("data"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace sagetrail
