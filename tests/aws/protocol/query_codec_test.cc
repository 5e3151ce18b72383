// QueryCodec (STS, IAM, SNS): routing by Action and the <ErrorResponse> document.
#include "aws/protocol/query_codec.h"

#include <gtest/gtest.h>

#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

class QueryCodecTest : public ::testing::Test {
 protected:
  QueryCodecTest() : sts_(*testing::Models().Find("sts")) {}

  static http::Request Form(std::string body) {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "sts.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = std::move(body);
    return r;
  }

  const ServiceModel& sts_;
  QueryCodec codec_;
};

TEST_F(QueryCodecTest, ResolvesTheActionFromTheBody) {
  auto op = codec_.ResolveOperation(sts_, Form("Action=GetCallerIdentity&Version=2011-06-15"));
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "GetCallerIdentity");
  EXPECT_EQ(codec_.protocol(), Protocol::kQuery);
}

TEST_F(QueryCodecTest, ResolvesTheActionFromTheQueryString) {
  http::Request r;
  r.method = "GET";
  r.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  auto op = codec_.ResolveOperation(sts_, r);
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "GetCallerIdentity");
}

TEST_F(QueryCodecTest, UnknownActionIsInvalidAction) {
  auto op = codec_.ResolveOperation(sts_, Form("Action=StealIdentity&Version=2011-06-15"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "InvalidAction");
  EXPECT_EQ(op.error().http_status, 400);
  EXPECT_EQ(op.error().message, "Could not find operation StealIdentity for version 2011-06-15");
  // Without a Version the model's API version is named.
  auto no_version = codec_.ResolveOperation(sts_, Form("Action=StealIdentity"));
  ASSERT_FALSE(no_version.ok());
  EXPECT_EQ(no_version.error().message,
            "Could not find operation StealIdentity for version 2011-06-15");
}

TEST_F(QueryCodecTest, FormParamsAreDecoded) {
  auto params = QueryCodec::FormParams(
      Form("Action=AssumeRole&RoleSessionName=a+b%2Bc&Policy=%7B%22x%22%7D&Flag"));
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[1], (std::pair<std::string, std::string>{"RoleSessionName", "a b+c"}));
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>{"Policy", "{\"x\"}"}));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>{"Flag", ""}));
}

TEST_F(QueryCodecTest, SerializeErrorLayout) {
  AwsError e{"InvalidClientTokenId", "The security token included in the request is invalid.", 403,
             true};
  http::Response r = codec_.SerializeError(&sts_, e, "16fc956c-311e-4199-bee1-1680236e9698");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <Error>\n"
            "    <Type>Sender</Type>\n"
            "    <Code>InvalidClientTokenId</Code>\n"
            "    <Message>The security token included in the request is invalid.</Message>\n"
            "  </Error>\n"
            "  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n"
            "</ErrorResponse>\n");
  ASSERT_NE(r.FindHeader("Content-Type"), nullptr);
  EXPECT_EQ(*r.FindHeader("Content-Type"), "text/xml");
  ASSERT_NE(r.FindHeader("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "16fc956c-311e-4199-bee1-1680236e9698");
}

TEST_F(QueryCodecTest, ServerFaultIsReceiverAndTextIsEscaped) {
  AwsError e = AwsError::InternalFailure("a & b < c > d \"e\" 'f'");
  http::Response r = codec_.SerializeError(testing::Models().Find("iam"), e, "rid");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_NE(r.body.find("<Message>a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;</Message>"),
            std::string::npos)
      << r.body;
}

TEST_F(QueryCodecTest, SerializeErrorWithoutAModelHasNoNamespace) {
  http::Response r = codec_.SerializeError(nullptr, AwsError::Validation("bad"), "rid");
  EXPECT_EQ(r.body.rfind("<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n", 0), 0u);
}

TEST_F(QueryCodecTest, InputAndOutputAreNotImplementedYet) {
  const Operation* op = sts_.FindOperation("GetCallerIdentity");
  auto in = codec_.ParseInput(sts_, *op, Form("Action=GetCallerIdentity"));
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().code, "NotImplemented");
  EXPECT_EQ(in.error().http_status, 501);
}

}  // namespace
}  // namespace sagetrail::aws
