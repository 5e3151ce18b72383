// RegionCatalog: the regions of every partition of endpoints.json, read plain or gzipped, and
// the machine's botocore list.
#include "aws/model/region_catalog.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "fakes/temp_dir.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

// A small document of our own in endpoints.json's layout.
constexpr char kEndpoints[] = R"({
  "partitions": [
    {"partition": "aws", "regions": {"us-east-1": {"description": "x"}, "eu-west-1": {}},
     "services": {}},
    {"partition": "aws-cn", "regions": {"cn-north-1": {}}},
    {"partition": "aws-iso", "regions": {"us-iso-east-1": {}}},
    {"partition": "no-regions"}
  ],
  "version": 3
})";

TEST(RegionCatalogTest, UnionOfEveryPartitionsRegions) {
  auto c = RegionCatalog::Parse(kEndpoints);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->regions().size(), 4u);
  for (const char* r : {"us-east-1", "eu-west-1", "cn-north-1", "us-iso-east-1"}) {
    EXPECT_TRUE(c->Contains(r)) << r;
  }
  for (const char* r : {"us-east-1x", "mars-1", "a", "", "US-EAST-1", "aws", "aws-cn"}) {
    EXPECT_FALSE(c->Contains(r)) << r;
  }
}

TEST(RegionCatalogTest, BrokenDocumentsAreErrors) {
  EXPECT_FALSE(RegionCatalog::Parse("not json").ok());
  EXPECT_FALSE(RegionCatalog::Parse("[]").ok());
  EXPECT_FALSE(RegionCatalog::Parse(R"({"partitions": {}})").ok());
  EXPECT_FALSE(RegionCatalog::Parse(R"({"partitions": [{"regions": {}}]})").ok());
}

TEST(RegionCatalogTest, LoadsPlainOrGzippedFileAndReportsAMissingOne) {
  testing::TempDir plain, gz;
  std::ofstream(plain.Sub("endpoints.json")) << kEndpoints;
  gzFile f = gzopen(gz.Sub("endpoints.json.gz").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_GT(gzputs(f, kEndpoints), 0);
  gzclose(f);
  for (const testing::TempDir* dir : {&plain, &gz}) {
    auto c = RegionCatalog::Load(dir->path().string());
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    EXPECT_TRUE(c->Contains("cn-north-1"));
  }
  testing::TempDir empty;
  auto missing = RegionCatalog::Load(empty.path().string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("endpoints.json"), std::string::npos);
  std::ofstream(empty.Sub("endpoints.json")) << "{";
  auto broken = RegionCatalog::Load(empty.path().string());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), Status::Code::kCorruption);
}

TEST(RegionCatalogTest, MachinesBotocoreListsEveryPartition) {
  auto c = RegionCatalog::Load(testing::Models().data_dir());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  for (const char* r : {"us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1",
                        "us-iso-east-1", "us-isob-east-1"}) {
    EXPECT_TRUE(c->Contains(r)) << r;
  }
  // Pseudo-regions of partitions.json are not in endpoints.json's lists.
  for (const char* r : {"us-east-1x", "mars-1", "a", "aws-global"})
    EXPECT_FALSE(c->Contains(r)) << r;
}

}  // namespace
}  // namespace sagetrail::aws
