#include "s3/s3_wire.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sagetrail::s3 {
namespace {

using std::chrono::milliseconds;

// Draws the same 64-bit value every time.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(uint64_t value) : value_(value) {}
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; i += sizeof value_) {
      std::memcpy(out + i, &value_, std::min(sizeof value_, n - i));
    }
  }

 private:
  uint64_t value_;
};

TEST(S3WireTest, EncodesKeysAsS3WantsThemKeepingSlashes) {
  EXPECT_EQ(EncodeKey("plain/Key-1_x.y~z"), "plain/Key-1_x.y~z");
  EXPECT_EQ(EncodeKey("a b+c%d"), "a%20b%2Bc%25d");
  EXPECT_EQ(EncodeKey("dir//x/../y/./z"), "dir//x/../y/./z");
  EXPECT_EQ(EncodeKey("\xC3\xBC=?&#*!'()"), "%C3%BC%3D%3F%26%23%2A%21%27%28%29");
  EXPECT_EQ(EncodeKey("tab\tnew\nline"), "tab%09new%0Aline");
}

TEST(S3WireTest, ObjectPathIsPathStyleUnderTheEndpointPrefix) {
  EXPECT_EQ(ObjectPath("", "bucket", "a b/c"), "/bucket/a%20b/c");
  EXPECT_EQ(ObjectPath("/s3", "bucket", "k"), "/s3/bucket/k");
  EXPECT_EQ(ObjectPath("", "bucket", ""), "/bucket");
}

TEST(S3WireTest, ReadsAnS3ErrorBody) {
  aws::AwsError e = ErrorFromResponse(
      404,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>nope</BucketName>"
      "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_TRUE(e.sender_fault);
  ASSERT_EQ(e.extra.size(), 2u);
  EXPECT_EQ(e.extra[0], (std::pair<std::string, std::string>{"BucketName", "nope"}));
  EXPECT_EQ(e.extra[1], (std::pair<std::string, std::string>{"RequestId", "4442587FB7D0A2F9"}));

  aws::AwsError slow = ErrorFromResponse(
      503,
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  EXPECT_EQ(slow.code, "SlowDown");
  EXPECT_EQ(slow.http_status, 503);
  EXPECT_FALSE(slow.sender_fault);
}

TEST(S3WireTest, NamesBodilessErrorsAfterTheirStatus) {
  aws::AwsError head = ErrorFromResponse(404, "");
  EXPECT_EQ(head.code, "NoSuchKey");
  EXPECT_EQ(head.message, "The specified key does not exist.");
  EXPECT_EQ(head.http_status, 404);
  EXPECT_EQ(ErrorFromResponse(403, "").code, "AccessDenied");
  EXPECT_EQ(ErrorFromResponse(301, "").code, "PermanentRedirect");
  EXPECT_EQ(ErrorFromResponse(500, "").code, "InternalError");
  // A proxy's page is no S3 error: the status names it.
  aws::AwsError proxy = ErrorFromResponse(502, "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(proxy.code, "502");
  EXPECT_EQ(proxy.http_status, 502);
  EXPECT_FALSE(proxy.sender_fault);
  // An <Error> without a Code is not read as one.
  EXPECT_EQ(ErrorFromResponse(400, "<Error><Message>m</Message></Error>").code, "BadRequest");
}

TEST(S3WireTest, FindsAnErrorInASuccessfulAnswer) {
  EXPECT_FALSE(ErrorInOkBody(
      "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"));
  EXPECT_FALSE(ErrorInOkBody("<R><Key>Error</Key></R>"));
  std::optional<aws::AwsError> e = ErrorInOkBody(
      "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message>"
      "</Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InternalError");
  EXPECT_EQ(e->http_status, 500);
  EXPECT_TRUE(IsRetryable(*e));
  std::optional<aws::AwsError> bad =
      ErrorInOkBody("<Error><Code>InvalidPart</Code><Message>m</Message></Error>");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(IsRetryable(*bad));
}

TEST(S3WireTest, RetriesServerFaultsThrottlingAndConnectionFailuresOnly) {
  auto err = [](std::string code, int status) {
    aws::AwsError e;
    e.code = std::move(code);
    e.http_status = status;
    return e;
  };
  EXPECT_TRUE(IsRetryable(err("InternalError", 500)));
  EXPECT_TRUE(IsRetryable(err("502", 502)));
  EXPECT_TRUE(IsRetryable(err("SlowDown", 503)));
  EXPECT_TRUE(IsRetryable(err("ServiceUnavailable", 503)));
  EXPECT_TRUE(IsRetryable(err("TooManyRequests", 429)));
  EXPECT_TRUE(IsRetryable(err("Throttling", 400)));
  EXPECT_TRUE(IsRetryable(err("ThrottlingException", 400)));
  EXPECT_TRUE(IsRetryable(err(std::string(kConnectionFailedCode), 0)));
  EXPECT_TRUE(IsRetryable(err(std::string(kTimeoutCode), 0)));

  EXPECT_FALSE(IsRetryable(err("NotImplemented", 501)));
  EXPECT_FALSE(IsRetryable(err("AccessDenied", 403)));
  EXPECT_FALSE(IsRetryable(err("NoSuchKey", 404)));
  EXPECT_FALSE(IsRetryable(err("RequestTimeout", 400)));  // S3's own: a 4xx is not retried
  EXPECT_FALSE(IsRetryable(err("BadDigest", 400)));
  EXPECT_FALSE(IsRetryable(err(std::string(kLocalFailureCode), 0)));
  EXPECT_FALSE(IsRetryable(err("InvalidArgument", 0)));
}

TEST(S3WireTest, BackoffIsFullJitterUnderAnExponentialCap) {
  FixedRandom top(~uint64_t{0});  // the largest draw gives the cap itself
  std::vector<int64_t> caps;
  for (int retry = 0; retry < 7; ++retry) {
    caps.push_back(BackoffDelay(retry, milliseconds(100), milliseconds(2000), top).count());
  }
  EXPECT_EQ(caps, (std::vector<int64_t>{100, 200, 400, 800, 1600, 2000, 2000}));

  FixedRandom zero(0);
  EXPECT_EQ(BackoffDelay(3, milliseconds(100), milliseconds(2000), zero).count(), 0);
  FixedRandom half(uint64_t{1} << 63);
  EXPECT_EQ(BackoffDelay(2, milliseconds(100), milliseconds(2000), half).count(), 200);  // 401/2

  // Many doublings neither overflow nor pass the maximum.
  EXPECT_EQ(BackoffDelay(1000, milliseconds(100), milliseconds(20000), top).count(), 20000);
  EXPECT_EQ(BackoffDelay(5, milliseconds(0), milliseconds(20000), top).count(), 0);
}

TEST(S3WireTest, BackoffDrawsSpreadOverTheWholeRange) {
  SeededRandom random(7);
  int64_t lowest = 1000, highest = 0;
  for (int i = 0; i < 2000; ++i) {
    int64_t d = BackoffDelay(3, milliseconds(100), milliseconds(20000), random).count();
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 800);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, 50);
  EXPECT_GT(highest, 750);
}

}  // namespace
}  // namespace sagetrail::s3
