// RestXmlCodec (S3): the <Error> document.
#include "aws/protocol/rest_xml_codec.h"

#include <gtest/gtest.h>

namespace sagetrail::aws {
namespace {

TEST(RestXmlCodecTest, SerializeErrorWithExtraElements) {
  RestXmlCodec codec;
  AwsError e{"SignatureDoesNotMatch",
             "The request signature we calculated does not match the signature you provided. "
             "Check your key and signing method.",
             403, true};
  e.extra = {{"AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"}, {"StringToSign", "AWS4\n<&>"}};
  http::Response r = codec.SerializeError(nullptr, e, "4RTEHTT2H8YZ1AY1");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
            "calculated does not match the signature you provided. Check your key and signing "
            "method.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"
            "<StringToSign>AWS4\n&lt;&amp;&gt;</StringToSign>"
            "<RequestId>4RTEHTT2H8YZ1AY1</RequestId></Error>");
  ASSERT_NE(r.FindHeader("x-amz-request-id"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amz-request-id"), "4RTEHTT2H8YZ1AY1");
  EXPECT_EQ(r.FindHeader("x-amzn-RequestId"), nullptr);
  ASSERT_NE(r.FindHeader("Content-Type"), nullptr);
  EXPECT_EQ(*r.FindHeader("Content-Type"), "application/xml");
  EXPECT_EQ(codec.protocol(), Protocol::kRestXml);
}

TEST(RestXmlCodecTest, SerializeErrorWithoutExtras) {
  RestXmlCodec codec;
  http::Response r = codec.SerializeError(nullptr, {"AccessDenied", "Access Denied", 403}, "X1");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            "<Message>Access Denied</Message><RequestId>X1</RequestId></Error>");
}

}  // namespace
}  // namespace sagetrail::aws
