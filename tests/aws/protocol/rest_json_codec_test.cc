// RestJsonCodec (SageMaker Runtime): routing by URI template and the error body.
#include "aws/protocol/rest_json_codec.h"

#include <gtest/gtest.h>

#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

constexpr char kInvoke[] = "/endpoints/{EndpointName}/invocations";

TEST(RestJsonCodecTest, PathMatchesTemplate) {
  EXPECT_TRUE(RestJsonCodec::PathMatches(kInvoke, "/endpoints/churn-ep/invocations"));
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/endpoints/churn-ep/async-invocations"));
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/endpoints//invocations"));  // empty label
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/endpoints/invocations"));
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/endpoints/a/b/invocations"));
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/"));
}

TEST(RestJsonCodecTest, PathMatchesWithAPathPrefix) {
  // An endpoint URL with a path ("http://host/sagemaker-runtime") still routes.
  EXPECT_TRUE(RestJsonCodec::PathMatches(kInvoke, "/runtime/endpoints/churn-ep/invocations"));
  EXPECT_TRUE(RestJsonCodec::PathMatches(kInvoke, "/a/b/endpoints/churn-ep/invocations"));
  EXPECT_FALSE(RestJsonCodec::PathMatches(kInvoke, "/runtime/endpoints/churn-ep/other"));
}

TEST(RestJsonCodecTest, PathMatchesIgnoresTheTemplateQuery) {
  EXPECT_TRUE(RestJsonCodec::PathMatches("/things/{Id}?versions", "/things/42"));
  EXPECT_TRUE(RestJsonCodec::PathMatches("/", "/"));
  EXPECT_FALSE(RestJsonCodec::PathMatches("/", "/x"));
}

TEST(RestJsonCodecTest, ResolvesSageMakerRuntimeOperations) {
  const ServiceModel& rt = *testing::Models().Find("sagemaker-runtime");
  RestJsonCodec codec;
  http::Request r;
  r.method = "POST";
  r.target = "/endpoints/churn-ep/invocations?x=1";
  auto op = codec.ResolveOperation(rt, r);
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "InvokeEndpoint");
  r.target = "/endpoints/churn-ep/async-invocations";
  op = codec.ResolveOperation(rt, r);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ((*op)->name, "InvokeEndpointAsync");
  r.method = "GET";
  op = codec.ResolveOperation(rt, r);
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "UnknownOperationException");
  EXPECT_EQ(op.error().http_status, 404);
}

TEST(RestJsonCodecTest, SerializeErrorPutsTheCodeInAHeader) {
  RestJsonCodec codec;
  http::Response r = codec.SerializeError(nullptr,
                                          {"UnrecognizedClientException",
                                           "The security token included in the request is "
                                           "invalid.",
                                           403},
                                          "rid-1");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"message":"The security token included in the request is invalid."})");
  EXPECT_EQ(*r.FindHeader("x-amzn-ErrorType"), "UnrecognizedClientException");
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "rid-1");
  EXPECT_EQ(*r.FindHeader("Content-Type"), "application/json");
}

}  // namespace
}  // namespace sagetrail::aws
