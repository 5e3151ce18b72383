// SageMaker AddTags, ListTags and DeleteTags through SageMakerService::Invoke with hand-made
// requests, on every resource kind that exists: adding, overwriting, listing with paging,
// deleting, the 50-tag limit, ARNs that name nothing here, and persistence that happens only when
// the call's after_audit actions run.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;

constexpr char kOther[] = "210987654321";
constexpr char kModelArn[] = "arn:aws:sagemaker:us-west-2:123456789012:model/scorer";

class TagsTest : public testing::SageMakerServiceTest {
 protected:
  // The tags stored on disk for the resource of `kind` with key `name_key`.
  json::array TagsOnDisk(const std::string& kind, const std::string& name_key) const {
    json::array tags;
    ForEachOnDisk([&](const std::string&, const std::string&, Resource r) {
      if (r.kind == kind && r.name_key == name_key) tags = r.tags;
    });
    return tags;
  }

  static std::string AddTagsInput(const std::string& arn, const json::array& tags) {
    return json::serialize(json::object{{"ResourceArn", arn}, {"Tags", tags}});
  }
  static std::string ArnInput(const std::string& arn) {
    return json::serialize(json::object{{"ResourceArn", arn}});
  }
  static std::string DeleteTagsInput(const std::string& arn, const json::array& keys) {
    return json::serialize(json::object{{"ResourceArn", arn}, {"TagKeys", keys}});
  }
  // [{"Key":"<prefix>0","Value":"v0"}, ...] with keys from `first` to `first + n - 1`.
  static json::array NumberedTags(const std::string& prefix, int first, int n) {
    json::array tags;
    for (int i = first; i < first + n; ++i) {
      tags.push_back(
          json::object{{"Key", prefix + std::to_string(i)}, {"Value", "v" + std::to_string(i)}});
    }
    return tags;
  }
  json::value ListAll(const std::string& arn) {
    auto list = Do("ListTags", ArnInput(arn));
    EXPECT_TRUE(list.ok()) << arn;
    return list.ok() ? list->at("Tags") : json::value();
  }

  // One resource of each kind (the transform job needs the model, the endpoint the config).
  void CreateOneOfEach() {
    ASSERT_TRUE(Do("CreateModel", R"({"ModelName":"Scorer","PrimaryContainer":{"Image":"img"},
                                      "Tags":[{"Key":"owner","Value":"ds"}]})")
                    .ok());
    ASSERT_TRUE(Do("CreateEndpointConfig", R"({"EndpointConfigName":"Scorer-Config",
        "ProductionVariants":[{"VariantName":"v1","ModelName":"scorer","InitialInstanceCount":1,
                               "InstanceType":"ml.m5.large"}]})")
                    .ok());
    ASSERT_TRUE(
        Do("CreateEndpoint", R"({"EndpointName":"Scorer-Live","EndpointConfigName":"scorer-config",
                                 "Tags":[{"Key":"owner","Value":"ops"}]})")
            .ok());
    ASSERT_TRUE(Do("CreateProcessingJob", R"({"ProcessingJobName":"Prep",
        "ProcessingResources":{"ClusterConfig":{"InstanceCount":1,"InstanceType":"ml.m5.xlarge",
                                                "VolumeSizeInGB":30}},
        "AppSpecification":{"ImageUri":"img"},
        "RoleArn":"arn:aws:iam::123456789012:role/r"})")
                    .ok());
    ASSERT_TRUE(Do("CreateTransformJob", R"({"TransformJobName":"Batch","ModelName":"Scorer",
        "TransformInput":{"DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"s3://b/in"}}},
        "TransformOutput":{"S3OutputPath":"s3://b/out"},
        "TransformResources":{"InstanceType":"ml.m5.large","InstanceCount":1}})")
                    .ok());
  }
};

TEST_F(TagsTest, ImplementsTheTagOperations) {
  for (const char* op : {"AddTags", "ListTags", "DeleteTags"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
}

TEST_F(TagsTest, EveryKindTakesTags) {
  CreateOneOfEach();
  const std::string prefix = "arn:aws:sagemaker:us-west-2:123456789012:";
  struct Case {
    std::string arn;
    json::array created;  // tags given at creation
  };
  const std::vector<Case> cases = {
      {prefix + "model/scorer", json::parse(R"([{"Key":"owner","Value":"ds"}])").as_array()},
      {prefix + "endpoint-config/scorer-config", {}},
      {prefix + "endpoint/scorer-live",
       json::parse(R"([{"Key":"owner","Value":"ops"}])").as_array()},
      {prefix + "processing-job/prep", {}},
      {prefix + "transform-job/batch", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.arn);
    EXPECT_EQ(ListAll(c.arn), c.created);

    // AddTags answers with every tag the resource has now.
    auto added = Do("AddTags", AddTagsInput(c.arn, json::parse(R"([{"Key":"team","Value":"ml"},
                                                                 {"Key":"stage","Value":"dev"}])")
                                                       .as_array()));
    ASSERT_TRUE(added.ok()) << added.error().message;
    json::array expected = c.created;
    expected.push_back(json::object{{"Key", "team"}, {"Value", "ml"}});
    expected.push_back(json::object{{"Key", "stage"}, {"Value", "dev"}});
    EXPECT_EQ(*added, json::value(json::object{{"Tags", expected}}));
    EXPECT_EQ(ListAll(c.arn), expected);

    // A key given again keeps its place and takes the new value; keys are case-sensitive.
    added = Do("AddTags", AddTagsInput(c.arn, json::parse(R"([{"Key":"team","Value":"platform"},
                                                            {"Key":"Team","Value":"x"},
                                                            {"Key":"empty","Value":""}])")
                                                  .as_array()));
    ASSERT_TRUE(added.ok());
    expected = c.created;
    expected.push_back(json::object{{"Key", "team"}, {"Value", "platform"}});
    expected.push_back(json::object{{"Key", "stage"}, {"Value", "dev"}});
    expected.push_back(json::object{{"Key", "Team"}, {"Value", "x"}});
    expected.push_back(json::object{{"Key", "empty"}, {"Value", ""}});
    EXPECT_EQ(added->at("Tags"), expected);
    EXPECT_EQ(ListAll(c.arn), expected);

    // DeleteTags removes the keys named and ignores keys the resource lacks.
    auto deleted = Do("DeleteTags", DeleteTagsInput(c.arn, {"team", "Team", "never-set"}));
    ASSERT_TRUE(deleted.ok()) << deleted.error().message;
    EXPECT_EQ(*deleted, json::object());
    expected = c.created;
    expected.push_back(json::object{{"Key", "stage"}, {"Value", "dev"}});
    expected.push_back(json::object{{"Key", "empty"}, {"Value", ""}});
    EXPECT_EQ(ListAll(c.arn), expected);
  }
  // Each resource kept its own tags.
  EXPECT_EQ(ListAll(prefix + "model/scorer").as_array().size(), 3u);
  EXPECT_EQ(ListAll(prefix + "processing-job/prep").as_array().size(), 2u);
}

TEST_F(TagsTest, TheArnNameIsMatchedCaseInsensitively) {
  CreateOneOfEach();
  ASSERT_TRUE(Do("AddTags", AddTagsInput("arn:aws:sagemaker:us-west-2:123456789012:model/SCORER",
                                         NumberedTags("k", 0, 1)))
                  .ok());
  EXPECT_EQ(ListAll(kModelArn).as_array().size(), 2u);
}

// A key given twice at creation is kept once, with its last value (as AddTags leaves it).
TEST_F(TagsTest, RepeatedKeysAtCreationKeepTheLastValue) {
  ASSERT_TRUE(Do("CreateModel", R"({"ModelName":"Scorer","PrimaryContainer":{"Image":"img"},
      "Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"},{"Key":"a","Value":"3"}]})")
                  .ok());
  EXPECT_EQ(ListAll(kModelArn),
            json::parse(R"([{"Key":"a","Value":"3"},{"Key":"b","Value":"2"}])"));
}

TEST_F(TagsTest, ChangesReachDiskOnlyWhenTheActionsRun) {
  CreateOneOfEach();
  std::vector<std::function<Status()>> add;
  ASSERT_TRUE(Call("AddTags", AddTagsInput(kModelArn, NumberedTags("k", 0, 2)), &add).ok());
  ASSERT_FALSE(add.empty());
  EXPECT_EQ(ListAll(kModelArn).as_array().size(), 3u);  // in memory at once
  EXPECT_EQ(TagsOnDisk("model", "scorer"), json::parse(R"([{"Key":"owner","Value":"ds"}])"));
  for (auto& a : add) ASSERT_TRUE(a().ok());
  EXPECT_EQ(TagsOnDisk("model", "scorer"),
            json::parse(R"([{"Key":"owner","Value":"ds"},{"Key":"k0","Value":"v0"},
                            {"Key":"k1","Value":"v1"}])"));

  // Calls that change nothing have nothing to save.
  std::vector<std::function<Status()>> none;
  ASSERT_TRUE(Call("AddTags", AddTagsInput(kModelArn, NumberedTags("k", 0, 1)), &none).ok());
  ASSERT_TRUE(Call("AddTags", AddTagsInput(kModelArn, {}), &none).ok());
  ASSERT_TRUE(Call("DeleteTags", DeleteTagsInput(kModelArn, {"absent"}), &none).ok());
  ASSERT_TRUE(Call("ListTags", ArnInput(kModelArn), &none).ok());
  EXPECT_TRUE(none.empty());

  std::vector<std::function<Status()>> del;
  ASSERT_TRUE(Call("DeleteTags", DeleteTagsInput(kModelArn, {"owner", "k1"}), &del).ok());
  ASSERT_FALSE(del.empty());
  EXPECT_EQ(TagsOnDisk("model", "scorer").size(), 3u);
  for (auto& a : del) ASSERT_TRUE(a().ok());
  EXPECT_EQ(TagsOnDisk("model", "scorer"), json::parse(R"([{"Key":"k0","Value":"v0"}])"));

  // What a restart loads is what the running service showed.
  ASSERT_TRUE(Do("AddTags", AddTagsInput("arn:aws:sagemaker:us-west-2:123456789012:endpoint/"
                                         "scorer-live",
                                         NumberedTags("e", 0, 1)))
                  .ok());
  Restart();
  EXPECT_EQ(ListAll(kModelArn), json::parse(R"([{"Key":"k0","Value":"v0"}])"));
  EXPECT_EQ(ListAll("arn:aws:sagemaker:us-west-2:123456789012:endpoint/scorer-live"),
            json::parse(R"([{"Key":"owner","Value":"ops"},{"Key":"e0","Value":"v0"}])"));
}

TEST_F(TagsTest, AResourceHoldsAtMostFiftyTags) {
  json::object create{{"ModelName", "Scorer"}, {"Tags", NumberedTags("k", 0, 48)}};
  ASSERT_TRUE(Do("CreateModel", json::serialize(create)).ok());
  ExpectError(Call("AddTags", AddTagsInput(kModelArn, NumberedTags("k", 48, 3)), nullptr),
              "ValidationException",
              "The resource " + std::string(kModelArn) +
                  " would have 51 tags; a resource can have at most 50.");
  EXPECT_EQ(ListAll(kModelArn).as_array().size(), 48u);  // all or nothing

  // Overwritten keys do not count twice: two new ones and an old one reach exactly 50.
  json::array tags = NumberedTags("k", 48, 2);
  tags.push_back(json::object{{"Key", "k0"}, {"Value", "changed"}});
  auto added = Do("AddTags", AddTagsInput(kModelArn, tags));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->at("Tags").as_array().size(), 50u);
  EXPECT_EQ(added->at("Tags").as_array()[0], json::parse(R"({"Key":"k0","Value":"changed"})"));
  // At the limit, values can still change; keys cannot be added.
  json::array changed = NumberedTags("k", 10, 5);
  for (json::value& t : changed) t.as_object()["Value"] = "new";
  auto full = Do("AddTags", AddTagsInput(kModelArn, changed));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->at("Tags").as_array()[10], json::parse(R"({"Key":"k10","Value":"new"})"));
  ExpectError(Call("AddTags", AddTagsInput(kModelArn, NumberedTags("x", 0, 1)), nullptr),
              "ValidationException",
              "The resource " + std::string(kModelArn) +
                  " would have 51 tags; a resource can have at most 50.");
  // Room again after a delete.
  ASSERT_TRUE(Do("DeleteTags", DeleteTagsInput(kModelArn, {"k7"})).ok());
  EXPECT_TRUE(Do("AddTags", AddTagsInput(kModelArn, NumberedTags("x", 0, 1))).ok());
  EXPECT_EQ(ListAll(kModelArn).as_array().size(), 50u);
}

TEST_F(TagsTest, ListTagsPages) {
  json::object create{{"ModelName", "Scorer"}, {"Tags", NumberedTags("k", 0, 50)}};
  ASSERT_TRUE(Do("CreateModel", json::serialize(create)).ok());
  // The default page (and MaxResults' minimum of 50) holds every tag a resource can have.
  auto list = Do("ListTags", ArnInput(kModelArn));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("Tags"), NumberedTags("k", 0, 50));
  EXPECT_FALSE(list->as_object().contains("NextToken"));
  list = Do("ListTags", R"({"ResourceArn":")" + std::string(kModelArn) + R"(","MaxResults":50})");
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->as_object().contains("NextToken"));

  // Smaller pages (below the model's minimum, so only without validation) walk the same list.
  json::array all;
  std::string token;
  std::vector<size_t> sizes;
  do {
    json::object in{{"ResourceArn", kModelArn}, {"MaxResults", 20}};
    if (!token.empty()) in["NextToken"] = token;
    auto page = Do("ListTags", json::serialize(in));
    ASSERT_TRUE(page.ok()) << page.error().message;
    sizes.push_back(page->at("Tags").as_array().size());
    for (const json::value& t : page->at("Tags").as_array()) all.push_back(t);
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
  } while (!token.empty() && sizes.size() < 10);
  EXPECT_EQ(sizes, (std::vector<size_t>{20, 20, 10}));
  EXPECT_EQ(all, NumberedTags("k", 0, 50));

  for (const char* bad : {"garbage", "dHw=", "dHxhYmM="}) {  // "garbage", "t|", "t|abc"
    ExpectError(
        Call("ListTags",
             R"({"ResourceArn":")" + std::string(kModelArn) + R"(","NextToken":")" + bad + R"("})",
             nullptr),
        "ValidationException", "Invalid pagination token.");
  }
}

TEST_F(TagsTest, ArnsThatNameNothingHere) {
  CreateOneOfEach();
  ASSERT_TRUE(Do("CreateModel", R"({"ModelName":"Scorer"})", kAcct, "eu-west-1").ok());
  ASSERT_TRUE(Do("CreateModel", R"({"ModelName":"Scorer"})", kOther, kRegion).ok());
  const std::vector<std::string> arns = {
      "arn:aws:sagemaker:us-west-2:123456789012:model/no-such-model",
      // The resource exists, but in another region or account than the caller's.
      "arn:aws:sagemaker:eu-west-1:123456789012:model/scorer",
      "arn:aws:sagemaker:us-west-2:210987654321:model/scorer",
      // Another partition, service or kind; no name.
      "arn:aws-cn:sagemaker:us-west-2:123456789012:model/scorer",
      "arn:aws:s3:us-west-2:123456789012:model/scorer",
      "arn:aws:sagemaker:us-west-2:123456789012:labeling-job/scorer",
      "arn:aws:sagemaker:us-west-2:123456789012:model",
      "arn:aws:sagemaker:us-west-2:123456789012:model/",
      "arn:aws:sagemaker:us-west-2:123456789012:/scorer",
      "not-an-arn",
  };
  for (const std::string& arn : arns) {
    SCOPED_TRACE(arn);
    const std::string msg = "Could not find resource \"" + arn + "\".";
    ExpectError(Call("AddTags", AddTagsInput(arn, NumberedTags("k", 0, 1)), nullptr),
                "ValidationException", msg);
    ExpectError(Call("ListTags", ArnInput(arn), nullptr), "ValidationException", msg);
    ExpectError(Call("DeleteTags", DeleteTagsInput(arn, {"owner"}), nullptr), "ValidationException",
                msg);
  }
  // The models elsewhere are untouched, and reachable from their own account and region.
  auto eu = Do("ListTags", ArnInput("arn:aws:sagemaker:eu-west-1:123456789012:model/scorer"), kAcct,
               "eu-west-1");
  ASSERT_TRUE(eu.ok());
  EXPECT_EQ(eu->at("Tags"), json::array());

  // A deleted resource takes its tags with it; a new one of the same name starts bare.
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"scorer"})").ok());
  ExpectError(Call("ListTags", ArnInput(kModelArn), nullptr), "ValidationException",
              "Could not find resource \"" + std::string(kModelArn) + "\".");
  ASSERT_TRUE(Do("CreateModel", R"({"ModelName":"Scorer"})").ok());
  EXPECT_EQ(ListAll(kModelArn), json::array());
}

}  // namespace
}  // namespace sagetrail::sagemaker
