// SageMaker endpoint configurations through SageMakerService::Invoke with hand-made requests:
// creation checks the models it names, duplicates, Describe/List/Delete and their texts, and
// persistence after the call's after_audit actions.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

std::string Arn(const std::string& kind, const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:" + kind + "/" + lower_name;
}

class EndpointConfigsTest : public testing::SageMakerServiceTest {
 protected:
  void CreateModel(const std::string& name) {
    ASSERT_TRUE(
        Do("CreateModel", R"({"ModelName":")" + name + R"(","PrimaryContainer":{"Image":"img:1"}})")
            .ok());
  }
  // A one-variant configuration serving `model`.
  static std::string Config(const std::string& name, const std::string& model) {
    return R"({"EndpointConfigName":")" + name + R"(","ProductionVariants":[{
        "VariantName":"AllTraffic","ModelName":")" +
           model + R"(","InitialInstanceCount":1,"InstanceType":"ml.m5.large"}]})";
  }
  static std::string Named(const std::string& name) {
    return R"({"EndpointConfigName":")" + name + R"("})";
  }

  std::vector<std::string> Names(std::string_view input) {
    auto list = Do("ListEndpointConfigs", input);
    EXPECT_TRUE(list.ok()) << input;
    std::vector<std::string> out;
    if (!list.ok()) return out;
    for (const auto& c : list->at("EndpointConfigs").as_array()) {
      out.push_back(std::string(c.at("EndpointConfigName").as_string()));
    }
    return out;
  }
};

TEST_F(EndpointConfigsTest, CreateDescribeListDelete) {
  ASSERT_NE(service_, nullptr);
  CreateModel("Model-A");
  CreateModel("model-b");
  clock_.Advance(std::chrono::milliseconds(750));
  auto created = Do("CreateEndpointConfig", R"({
      "EndpointConfigName":"Prod-Config",
      "ProductionVariants":[
        {"VariantName":"Blue","ModelName":"model-a","InitialInstanceCount":2,
         "InstanceType":"ml.m5.xlarge"},
        {"VariantName":"Green","ModelName":"MODEL-B","InitialInstanceCount":1,
         "InstanceType":"ml.m5.large","InitialVariantWeight":0.25},
        {"VariantName":"Lambda","ModelName":"model-b",
         "ServerlessConfig":{"MemorySizeInMB":2048,"MaxConcurrency":5}}],
      "DataCaptureConfig":{"InitialSamplingPercentage":50,"DestinationS3Uri":"s3://b/capture",
                           "CaptureOptions":[{"CaptureMode":"Input"}]},
      "KmsKeyId":"key-1",
      "Tags":[{"Key":"team","Value":"ml"}]})");
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string arn = Arn("endpoint-config", "prod-config");
  EXPECT_EQ(*created, json::parse(R"({"EndpointConfigArn":")" + arn + "\"}"));

  const json::value expected = json::parse(R"({
      "EndpointConfigName":"Prod-Config",
      "EndpointConfigArn":")" + arn + R"(",
      "ProductionVariants":[
        {"VariantName":"Blue","ModelName":"model-a","InitialInstanceCount":2,
         "InstanceType":"ml.m5.xlarge","InitialVariantWeight":1.0},
        {"VariantName":"Green","ModelName":"MODEL-B","InitialInstanceCount":1,
         "InstanceType":"ml.m5.large","InitialVariantWeight":0.25},
        {"VariantName":"Lambda","ModelName":"model-b",
         "ServerlessConfig":{"MemorySizeInMB":2048,"MaxConcurrency":5}}],
      "DataCaptureConfig":{"InitialSamplingPercentage":50,"DestinationS3Uri":"s3://b/capture",
                           "CaptureOptions":[{"CaptureMode":"Input"}]},
      "KmsKeyId":"key-1",
      "CreationTime":1763805600.75})");
  for (const char* name : {"Prod-Config", "prod-config", "PROD-CONFIG"}) {
    auto d = Do("DescribeEndpointConfig", Named(name));
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(*d, expected);
  }

  auto list = Do("ListEndpointConfigs", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, json::parse(R"({"EndpointConfigs":[{"EndpointConfigName":"Prod-Config",
      "EndpointConfigArn":")" + arn +
                               R"(","CreationTime":1763805600.75}]})"));

  auto deleted = Do("DeleteEndpointConfig", Named("PROD-config"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, json::object());
  ExpectError(Call("DescribeEndpointConfig", Named("Prod-Config"), nullptr),
              "Could not find endpoint configuration \"" + arn + "\".");
  EXPECT_TRUE(Names("{}").empty());
  EXPECT_TRUE(Do("CreateEndpointConfig", Config("prod-config", "model-a")).ok());
}

TEST_F(EndpointConfigsTest, EveryModelMustExist) {
  ASSERT_NE(service_, nullptr);
  CreateModel("present");
  ExpectError(Call("CreateEndpointConfig", Config("cfg", "Absent"), nullptr),
              "Could not find model \"" + Arn("model", "absent") + "\".");
  // The second variant's model is missing: nothing is created.
  ExpectError(Call("CreateEndpointConfig", R"({"EndpointConfigName":"cfg","ProductionVariants":[
                       {"VariantName":"a","ModelName":"present","InitialInstanceCount":1,
                        "InstanceType":"ml.m5.large"},
                       {"VariantName":"b","ModelName":"gone","InitialInstanceCount":1,
                        "InstanceType":"ml.m5.large"}]})",
                   nullptr),
              "Could not find model \"" + Arn("model", "gone") + "\".");
  ExpectError(Call("DescribeEndpointConfig", Named("cfg"), nullptr),
              "Could not find endpoint configuration \"" + Arn("endpoint-config", "cfg") + "\".");
  EXPECT_TRUE(OnDisk("endpoint-config").empty());
  // A model deleted later does not affect the configuration itself.
  ASSERT_TRUE(Do("CreateEndpointConfig", Config("cfg", "present")).ok());
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"present"})").ok());
  EXPECT_TRUE(Do("DescribeEndpointConfig", Named("cfg")).ok());
}

TEST_F(EndpointConfigsTest, DuplicatesAndMissingConfigs) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  ASSERT_TRUE(Do("CreateEndpointConfig", Config("Shared-Cfg", "m")).ok());
  for (const char* name : {"Shared-Cfg", "shared-cfg", "SHARED-CFG"}) {
    ExpectError(Call("CreateEndpointConfig", Config(name, "m"), nullptr),
                "Cannot create already existing endpoint configuration \"" +
                    Arn("endpoint-config", "shared-cfg") + "\".");
  }
  const std::string missing =
      "Could not find endpoint configuration \"" + Arn("endpoint-config", "nope") + "\".";
  ExpectError(Call("DescribeEndpointConfig", Named("Nope"), nullptr), missing);
  ExpectError(Call("DeleteEndpointConfig", Named("Nope"), nullptr), missing);
  EXPECT_EQ(Names("{}"), (std::vector<std::string>{"Shared-Cfg"}));
}

TEST_F(EndpointConfigsTest, ListSortsFiltersAndPages) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  for (const char* n : {"charlie", "Alpha", "echo", "Delta", "bravo"}) {
    ASSERT_TRUE(Do("CreateEndpointConfig", Config(n, "m")).ok());
    clock_.Advance(seconds(10));
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(Names("{}"), (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(Names(R"({"SortBy":"Name","SortOrder":"Ascending"})"),
            (V{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  EXPECT_EQ(Names(R"({"SortBy":"Name"})"), (V{"echo", "Delta", "charlie", "bravo", "Alpha"}));
  EXPECT_EQ(Names(R"({"NameContains":"LT"})"), (V{"Delta"}));
  EXPECT_EQ(Names(R"({"CreationTimeAfter":1763805620})"), (V{"bravo", "Delta", "echo"}));
  EXPECT_EQ(Names(R"({"CreationTimeBefore":1763805620})"), (V{"Alpha", "charlie"}));
  V all;
  std::string token;
  int pages = 0;
  do {
    std::string in = R"({"MaxResults":2)";
    if (!token.empty()) in += R"(,"NextToken":")" + token + "\"";
    auto page = Do("ListEndpointConfigs", in + "}");
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->at("EndpointConfigs").as_array()) {
      all.push_back(std::string(c.at("EndpointConfigName").as_string()));
    }
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
}

TEST_F(EndpointConfigsTest, DeletingAConfigInUseIsAllowed) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  ASSERT_TRUE(Do("CreateEndpointConfig", Config("live", "m")).ok());
  ASSERT_TRUE(Do("CreateEndpoint", R"({"EndpointName":"ep","EndpointConfigName":"live"})").ok());
  scheduler_->AdvanceBy(Timings{}.endpoint);
  ASSERT_EQ(Do("DescribeEndpoint", R"({"EndpointName":"ep"})")->at("EndpointStatus"), "InService");
  ASSERT_TRUE(Do("DeleteEndpointConfig", Named("live")).ok());
  auto ep = Do("DescribeEndpoint", R"({"EndpointName":"ep"})");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->at("EndpointStatus"), "InService");
  EXPECT_EQ(ep->at("EndpointConfigName"), "live");
}

TEST_F(EndpointConfigsTest, ChangesReachDiskOnlyAfterTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateEndpointConfig", Config("Durable", "m"), &create).ok());
  EXPECT_TRUE(OnDisk("endpoint-config").empty());
  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk("endpoint-config");
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].name, "Durable");
  EXPECT_EQ(disk[0].name_key, "durable");

  // Restarted, it is still there and still blocks its name.
  service_.reset();
  service_ = Start();
  ASSERT_NE(service_, nullptr);
  EXPECT_TRUE(Do("DescribeEndpointConfig", Named("durable")).ok());
  EXPECT_FALSE(Call("CreateEndpointConfig", Config("DURABLE", "m"), nullptr).ok());

  // The delete's save must name the deleted key. (Remove records the key after erasing it: a
  // caller passing the stored resource's own name_key hands it a dangling reference; run under
  // SAGETRAIL_SANITIZE to see it.)
  std::vector<std::function<Status()>> del;
  ASSERT_TRUE(Call("DeleteEndpointConfig", Named("Durable"), &del).ok());
  EXPECT_EQ(OnDisk("endpoint-config").size(), 1u);
  for (auto& a : del) ASSERT_TRUE(a().ok());
  EXPECT_TRUE(OnDisk("endpoint-config").empty());
}

}  // namespace
}  // namespace sagetrail::sagemaker
