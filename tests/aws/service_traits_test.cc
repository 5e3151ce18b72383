// The default traits of a service: which calls are read-only and keep their response.
#include "aws/service_traits.h"

#include <gtest/gtest.h>

namespace sagetrail::aws {
namespace {

TEST(ServiceTraitsTest, ReadOnlyCallsAndTheirResponses) {
  const ServiceTraits& t = ServiceTraits::Default();
  for (const char* op : {"DescribeModel", "ListModels", "GetScalingConfigurationRecommendation",
                         "Search", "LookupEvents", "BatchDescribeModelPackage", "BatchGetMetrics",
                         "QueryLineage", "HeadObject", "SelectObjectContent"}) {
    EXPECT_TRUE(t.IsReadOnly(op)) << op;
    EXPECT_FALSE(t.LogsResponse(op)) << op;
  }
  for (const char* op : {"CreateModel", "DeleteModel", "InvokeEndpoint", "StopTrainingJob",
                         "AddTags", "UpdateEndpoint", "PutObject", "Lister"}) {
    EXPECT_EQ(t.IsReadOnly(op), std::string_view(op) == "Lister") << op;
  }
  EXPECT_TRUE(t.LogsResponse("CreateModel"));
  EXPECT_FALSE(t.IsDataEvent("CreateModel"));
  EXPECT_FALSE(t.ListsResources("CreateModel"));
  EXPECT_TRUE(t.LogsRequestParameters("CreateModel"));
  EXPECT_EQ(t.RecordRegion("eu-west-3"), "eu-west-3");
  EXPECT_FALSE(t.HidesOutputMember("CreateModel", "ModelArn"));
}

}  // namespace
}  // namespace sagetrail::aws
