// S3Service driven through Invoke with generic input, as the pipeline drives it: buckets,
// objects, listings, multipart rules, and the state it reloads after a restart.
#include "s3/s3_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "aws/protocol/generic_value.h"
#include "aws/request_context.h"
#include "common/crypto.h"
#include "common/random.h"
#include "fakes/memory_state.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "s3/object_reader.h"
#include "s3/s3_state_codec.h"

namespace sagetrail::s3 {
namespace {
namespace json = boost::json;

class S3ServiceTest : public ::testing::Test {
 protected:
  S3ServiceTest()
      : random_(7), blobs_(dir_.path() / "s3", random_, false), s3_(clock_, random_, blobs_) {
    EXPECT_TRUE(s3_.Load(state_).ok());
  }

  // Runs `op` with `input` as account 111122223333 in us-east-1; commits its mutations.
  Result<json::value, aws::AwsError> Call(std::string_view op, json::object input,
                                          std::string body = "", std::string* out_body = nullptr) {
    auto ctx = std::make_shared<aws::RequestContext>();
    ctx->service = testing::Models().Find("s3");
    ctx->operation = ctx->service->FindOperation(op);
    EXPECT_NE(ctx->operation, nullptr) << op;
    ctx->account_id = "111122223333";
    ctx->region = "us-east-1";
    ctx->audit = &state_;
    ctx->input = std::move(input);
    ctx->http.body = std::move(body);
    auto r = s3_.Invoke(*ctx);
    EXPECT_TRUE(state_.Apply(ctx->mutations).ok());
    ctx->ticket.Release();
    for (auto& f : ctx->after_audit) EXPECT_TRUE(f().ok());
    if (out_body && ctx->output_body) {
      out_body->resize(ctx->output_body->size());
      size_t got = ctx->output_body->Read(out_body->data(), out_body->size());
      if (!out_body->empty()) {
        EXPECT_EQ(got, out_body->size());
      }
    }
    return r;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  SeededRandom random_;
  testing::MemoryState state_;
  BlobFiles blobs_;
  S3Service s3_;
};

TEST_F(S3ServiceTest, PutGetDeleteRoundTrip) {
  ASSERT_TRUE(Call("CreateBucket", {{"Bucket", "bkt1"}}).ok());
  auto put = Call("PutObject", {{"Bucket", "bkt1"}, {"Key", "a/b"}}, "hello");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(*aws::StringField(*put, "ETag"), "\"" + HexEncode(Md5("hello")) + "\"");
  std::string body;
  auto got = Call("GetObject", {{"Bucket", "bkt1"}, {"Key", "a/b"}}, "", &body);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(*aws::IntField(*got, "ContentLength"), 5);
  ASSERT_TRUE(Call("DeleteObject", {{"Bucket", "bkt1"}, {"Key", "a/b"}}).ok());
  auto missing = Call("GetObject", {{"Bucket", "bkt1"}, {"Key", "a/b"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NoSuchKey");
  // The blob went with the object.
  size_t files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir_.path() / "s3" / "blobs")) {
    files += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files, 0u);
}

TEST_F(S3ServiceTest, BucketNamespaceIsShared) {
  ASSERT_TRUE(Call("CreateBucket", {{"Bucket", "shared"}}).ok());
  auto again = Call("CreateBucket", {{"Bucket", "shared"}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "BucketAlreadyOwnedByYou");
  auto bad = Call("CreateBucket", {{"Bucket", "UPPER"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidBucketName");
  for (const char* name : {"ab", "-ab", "a..b", "192.168.1.1", "xn--ab", "a_b"}) {
    auto r = Call("CreateBucket", {{"Bucket", name}});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, "InvalidBucketName") << name;
  }
}

TEST_F(S3ServiceTest, ListingOrdersByBytesAndGroupsPrefixes) {
  ASSERT_TRUE(Call("CreateBucket", {{"Bucket", "lst"}}).ok());
  for (const char* k : {"b", "a/1", "a/2", "\xc3\xa9", "c/d/e", "Z"}) {
    ASSERT_TRUE(Call("PutObject", {{"Bucket", "lst"}, {"Key", k}}, "x").ok());
  }
  auto all = Call("ListObjectsV2", {{"Bucket", "lst"}});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> keys;
  for (const auto& c : all->at("Contents").as_array()) {
    keys.push_back(std::string(c.at("Key").as_string()));
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"Z", "a/1", "a/2", "b", "c/d/e", "\xc3\xa9"}));
  auto grouped = Call("ListObjectsV2", {{"Bucket", "lst"}, {"Delimiter", "/"}, {"MaxKeys", 3}});
  ASSERT_TRUE(grouped.ok());
  EXPECT_EQ(grouped->at("KeyCount").as_int64(), 3);
  EXPECT_TRUE(grouped->at("IsTruncated").as_bool());
  auto token = std::string(grouped->at("NextContinuationToken").as_string());
  auto next =
      Call("ListObjectsV2", {{"Bucket", "lst"}, {"Delimiter", "/"}, {"ContinuationToken", token}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->at("CommonPrefixes").as_array().at(0).at("Prefix").as_string(), "c/");
  EXPECT_EQ(next->at("Contents").as_array().at(0).at("Key").as_string(), "\xc3\xa9");
  EXPECT_FALSE(next->at("IsTruncated").as_bool());
}

TEST_F(S3ServiceTest, MultipartRulesAndEtag) {
  ASSERT_TRUE(Call("CreateBucket", {{"Bucket", "mpu"}}).ok());
  auto created = Call("CreateMultipartUpload", {{"Bucket", "mpu"}, {"Key", "big"}});
  ASSERT_TRUE(created.ok());
  std::string id(created->at("UploadId").as_string());
  std::string p1(5 * 1024 * 1024, 'a'), p2 = "tail", small = "tiny";
  auto e1 = Call("UploadPart",
                 {{"Bucket", "mpu"}, {"Key", "big"}, {"UploadId", id}, {"PartNumber", 1}}, p1);
  auto e2 = Call("UploadPart",
                 {{"Bucket", "mpu"}, {"Key", "big"}, {"UploadId", id}, {"PartNumber", 2}}, p2);
  ASSERT_TRUE(e1.ok() && e2.ok());
  auto part = [](int n, const json::value& e) {
    return json::object{{"PartNumber", n}, {"ETag", e.at("ETag")}};
  };
  auto order = Call("CompleteMultipartUpload",
                    {{"Bucket", "mpu"},
                     {"Key", "big"},
                     {"UploadId", id},
                     {"MultipartUpload", {{"Parts", json::array{part(2, *e2), part(1, *e1)}}}}});
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().code, "InvalidPartOrder");
  auto wrong = Call("CompleteMultipartUpload",
                    {{"Bucket", "mpu"},
                     {"Key", "big"},
                     {"UploadId", id},
                     {"MultipartUpload", {{"Parts", json::array{part(1, *e2)}}}}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "InvalidPart");
  auto done = Call("CompleteMultipartUpload",
                   {{"Bucket", "mpu"},
                    {"Key", "big"},
                    {"UploadId", id},
                    {"MultipartUpload", {{"Parts", json::array{part(1, *e1), part(2, *e2)}}}}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  std::string md5s = *HexDecode(HexEncode(Md5(p1))) + *HexDecode(HexEncode(Md5(p2)));
  EXPECT_EQ(done->at("ETag").as_string(), "\"" + HexEncode(Md5(md5s)) + "-2\"");
  std::string body;
  ASSERT_TRUE(Call("GetObject",
                   {{"Bucket", "mpu"}, {"Key", "big"}, {"Range", "bytes=5242878-5242881"}}, "",
                   &body)
                  .ok());
  EXPECT_EQ(body, "aata");
  auto gone = Call("ListParts", {{"Bucket", "mpu"}, {"Key", "big"}, {"UploadId", id}});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "NoSuchUpload");

  // A part under 5 MiB that is not the last one.
  auto u2 = Call("CreateMultipartUpload", {{"Bucket", "mpu"}, {"Key", "k2"}});
  std::string id2(u2->at("UploadId").as_string());
  auto s1 = Call("UploadPart",
                 {{"Bucket", "mpu"}, {"Key", "k2"}, {"UploadId", id2}, {"PartNumber", 1}}, small);
  auto s2 = Call("UploadPart",
                 {{"Bucket", "mpu"}, {"Key", "k2"}, {"UploadId", id2}, {"PartNumber", 2}}, small);
  auto too_small =
      Call("CompleteMultipartUpload",
           {{"Bucket", "mpu"},
            {"Key", "k2"},
            {"UploadId", id2},
            {"MultipartUpload", {{"Parts", json::array{part(1, *s1), part(2, *s2)}}}}});
  ASSERT_FALSE(too_small.ok());
  EXPECT_EQ(too_small.error().code, "EntityTooSmall");
}

TEST_F(S3ServiceTest, StateSurvivesReloadAndOrphansGo) {
  ASSERT_TRUE(Call("CreateBucket", {{"Bucket", "keep"}}).ok());
  ASSERT_TRUE(Call("PutObject", {{"Bucket", "keep"}, {"Key", "k"}}, "kept").ok());
  // A blob no metadata names and a temporary, as a crash would leave them.
  auto orphan = blobs_.Write(
      [](int fd) { return ::write(fd, "x", 1) == 1 ? Status::Ok() : Status::IOError("w"); });
  ASSERT_TRUE(orphan.ok());
  std::ofstream(blobs_.tmp_dir() / "abc.tmp") << "partial";
  S3Service again(clock_, random_, blobs_);
  ASSERT_TRUE(again.Load(state_).ok());
  EXPECT_FALSE(std::filesystem::exists(blobs_.PathOf(*orphan)));
  EXPECT_FALSE(std::filesystem::exists(blobs_.tmp_dir() / "abc.tmp"));
  EXPECT_EQ(again.BucketRegion("keep").value_or(""), "us-east-1");
}

TEST(ObjectReaderTest, ReadsRangesAcrossExtents) {
  testing::TempDir dir;
  SeededRandom random(3);
  BlobFiles blobs(dir.path() / "s3", random, false);
  ASSERT_TRUE(blobs.Prepare().ok());
  auto make = [&](const std::string& s) {
    return *blobs.Write([&](int fd) {
      return ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())
                 ? Status::Ok()
                 : Status::IOError("w");
    });
  };
  std::vector<Extent> extents = {{make("abc"), 3}, {make("defg"), 4}, {make("hi"), 2}};
  for (uint64_t off = 0; off < 9; ++off) {
    for (uint64_t len = 0; off + len <= 9; ++len) {
      auto r = ObjectReader::Open(blobs, extents, off, len);
      ASSERT_TRUE(r.ok());
      std::string out(len, '\0');
      size_t got = 0;
      while (got < len) {
        size_t n = (*r)->Read(out.data() + got, 2);
        ASSERT_GT(n, 0u);
        got += n;
      }
      EXPECT_EQ(out, std::string("abcdefghi").substr(off, len)) << off << "+" << len;
    }
  }
}

TEST(S3StateCodecTest, ObjectRoundTrip) {
  StoredObject o;
  o.key = "k/\xc3\xa9";
  o.size = 7;
  o.etag = "\"x-2\"";
  o.extents = {{"0123456789abcdef0123456789abcdef", 7}};
  o.headers.content_type = "text/plain";
  o.headers.metadata = {{"a", "b"}};
  o.tags = {{"t", "v"}};
  o.parts_count = 2;
  auto back = S3StateCodec::DecodeObject(S3StateCodec::EncodeObject(o));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->key, o.key);
  EXPECT_EQ(back->extents[0].blob, o.extents[0].blob);
  EXPECT_EQ(back->headers.metadata, o.headers.metadata);
  EXPECT_EQ(back->tags, o.tags);
  EXPECT_EQ(back->parts_count, 2);
  EXPECT_FALSE(S3StateCodec::DecodeObject("{").ok());
}

}  // namespace
}  // namespace sagetrail::s3
