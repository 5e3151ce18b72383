// RuntimeService: SageMaker Runtime calls are data events that name their endpoint.
#include "sagemaker/runtime_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fakes/test_support.h"

namespace sagetrail::sagemaker {
namespace {

TEST(RuntimeServiceTest, InvocationsAreDataEventsNamingTheirEndpoint) {
  RuntimeService runtime;
  EXPECT_TRUE(runtime.IsDataEvent("InvokeEndpoint"));
  EXPECT_TRUE(runtime.IsDataEvent("InvokeEndpointAsync"));
  EXPECT_FALSE(runtime.IsReadOnly("InvokeEndpoint"));
  EXPECT_FALSE(runtime.LogsRequestParameters("InvokeEndpoint"));
  EXPECT_TRUE(runtime.ListsResources("InvokeEndpoint"));
  aws::RequestContext ctx;
  ctx.service = sagetrail::testing::Models().Find("sagemaker-runtime");
  ctx.operation = ctx.service->FindOperation("InvokeEndpoint");
  ctx.account_id = "123456789012";
  ctx.region = "eu-west-1";
  ctx.input = boost::json::parse(R"({"EndpointName":"Prod-EP","Body":"eA=="})");
  auto got = runtime.ResolveResources(ctx);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(got[0].name, "Prod-EP");
  EXPECT_EQ(got[0].arn, "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/prod-ep");
  auto answer = runtime.Invoke(ctx);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, "NotImplemented");
}

}  // namespace
}  // namespace sagetrail::sagemaker
