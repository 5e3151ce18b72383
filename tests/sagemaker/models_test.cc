// SageMaker models through SageMakerService::Invoke with hand-made requests: create, describe,
// list, delete, their errors, isolation per account and region, and persistence that happens
// only when the call's after_audit actions run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;

constexpr char kOther[] = "210987654321";

struct Stored {
  std::string account, region;
  Resource r;
};

class ModelsTest : public testing::SageMakerServiceTest {
 protected:
  // What is on disk now, read through a second connection.
  std::vector<Stored> OnDisk() const {
    std::vector<Stored> out;
    ForEachOnDisk([&](const std::string& account, const std::string& region, Resource r) {
      out.push_back({account, region, std::move(r)});
    });
    std::sort(out.begin(), out.end(), [](const Stored& a, const Stored& b) {
      return std::tie(a.account, a.region, a.r.name_key) <
             std::tie(b.account, b.region, b.r.name_key);
    });
    return out;
  }

  static std::vector<std::string> Names(const json::value& list_output) {
    std::vector<std::string> names;
    for (const auto& m : list_output.at("Models").as_array()) {
      names.push_back(std::string(m.at("ModelName").as_string()));
    }
    return names;
  }

  static std::string Create(const std::string& name) {
    return R"({"ModelName":")" + name +
           R"(","ExecutionRoleArn":"arn:aws:iam::123456789012:role/r"})";
  }
  static std::string Named(const std::string& name) { return R"({"ModelName":")" + name + R"("})"; }
};

TEST_F(ModelsTest, ImplementsTheModelOperations) {
  ASSERT_NE(service_, nullptr);
  EXPECT_EQ(service_->name(), "sagemaker");
  for (const char* op : {"CreateModel", "DescribeModel", "ListModels", "DeleteModel"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
  EXPECT_FALSE(service_->Implements("CreateCluster"));
  auto r = Call("CreateCluster", R"({"ClusterName":"c","InstanceGroups":[]})", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NotImplemented");
  EXPECT_NE(r.error().message.find("CreateCluster"), std::string::npos);
}

TEST_F(ModelsTest, CreateDescribeListDelete) {
  ASSERT_NE(service_, nullptr);
  clock_.Advance(std::chrono::milliseconds(250));
  auto created = Do("CreateModel", R"({
      "ModelName":"MyModel",
      "PrimaryContainer":{"Image":"123456789012.dkr.ecr.us-west-2.amazonaws.com/img:1",
                          "Environment":{"A":"1"}},
      "ExecutionRoleArn":"arn:aws:iam::123456789012:role/SageMakerRole",
      "Tags":[{"Key":"team","Value":"ml"}]})");
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string arn = "arn:aws:sagemaker:us-west-2:123456789012:model/mymodel";
  EXPECT_EQ(*created, json::parse(R"({"ModelArn":")" + arn + R"("})"));

  // Describe finds it by any case and returns the name as created.
  for (const char* name : {"MyModel", "mymodel", "MYMODEL"}) {
    auto d = Do("DescribeModel", Named(name));
    ASSERT_TRUE(d.ok()) << name;
    const json::object& o = d->as_object();
    EXPECT_EQ(o.at("ModelName").as_string(), "MyModel");
    EXPECT_EQ(o.at("ModelArn").as_string(), arn);
    EXPECT_EQ(aws::ToTimePoint(o.at("CreationTime")),
              FromUnixSeconds(1763805600) + std::chrono::milliseconds(250));
    EXPECT_EQ(o.at("CreationTime").as_double(), 1763805600.25);
    EXPECT_EQ(o.at("ExecutionRoleArn").as_string(), "arn:aws:iam::123456789012:role/SageMakerRole");
    EXPECT_EQ(o.at("PrimaryContainer"),
              json::parse(R"({"Image":"123456789012.dkr.ecr.us-west-2.amazonaws.com/img:1",
                              "Environment":{"A":"1"}})"));
    EXPECT_EQ(o.at("EnableNetworkIsolation").as_bool(), false);
    EXPECT_FALSE(o.contains("Tags"));  // not part of DescribeModel's output
  }

  auto list = Do("ListModels", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, json::parse(R"({"Models":[{"ModelName":"MyModel","ModelArn":")" + arn +
                               R"(","CreationTime":1763805600.25}]})"));

  auto deleted = Do("DeleteModel", Named("MYMODEL"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, json::object());
  ExpectError(Do("DescribeModel", Named("MyModel")), "ValidationException",
              "Could not find model \"" + arn + "\".");
  list = Do("ListModels", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(Names(*list).empty());
  EXPECT_FALSE(list->as_object().contains("NextToken"));
  // The name is free again.
  EXPECT_TRUE(Do("CreateModel", Create("mymodel")).ok());
}

TEST_F(ModelsTest, DuplicateNamesAreCaseInsensitive) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateModel", Create("Fraud-Detector")).ok());
  for (const char* name : {"Fraud-Detector", "fraud-detector", "FRAUD-DETECTOR"}) {
    auto again = Call("CreateModel", Create(name), nullptr);
    ExpectError(again, "ValidationException",
                "Cannot create already existing model "
                "\"arn:aws:sagemaker:us-west-2:123456789012:model/fraud-detector\".");
  }
  auto list = Do("ListModels", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Fraud-Detector"}));
}

TEST_F(ModelsTest, MissingModels) {
  ASSERT_NE(service_, nullptr);
  const std::string msg =
      "Could not find model \"arn:aws:sagemaker:us-west-2:123456789012:model/no-such-model\".";
  ExpectError(Call("DescribeModel", Named("No-Such-Model"), nullptr), "ValidationException", msg);
  ExpectError(Call("DeleteModel", Named("No-Such-Model"), nullptr), "ValidationException", msg);
}

TEST_F(ModelsTest, ListSortsFiltersAndPages) {
  ASSERT_NE(service_, nullptr);
  const char* names[] = {"charlie", "Alpha", "echo", "Delta", "bravo"};
  for (const char* n : names) {
    ASSERT_TRUE(Do("CreateModel", Create(n)).ok());
    clock_.Advance(std::chrono::seconds(10));
  }
  // Default: newest first.
  auto list = Do("ListModels", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  list = Do("ListModels", R"({"SortBy":"Name","SortOrder":"Ascending"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  list = Do("ListModels", R"({"SortBy":"CreationTime","SortOrder":"Ascending"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  list = Do("ListModels", R"({"NameContains":"ALP"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha"}));
  // charlie at +0 s, Alpha +10, echo +20, Delta +30, bravo +40.
  list = Do("ListModels", R"({"CreationTimeAfter":1763805610,"CreationTimeBefore":1763805640})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Delta", "echo", "Alpha"}));

  // Paging two at a time.
  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    json::object in{{"MaxResults", 2}, {"SortBy", "Name"}};
    if (!token.empty()) in["NextToken"] = token;
    auto page = Do("ListModels", json::serialize(in));
    ASSERT_TRUE(page.ok());
    for (auto& n : Names(*page)) all.push_back(n);
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (std::vector<std::string>{"echo", "Delta", "charlie", "bravo", "Alpha"}));
  auto bad = Call("ListModels", R"({"NextToken":"garbage"})", nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "ValidationException");
}

TEST_F(ModelsTest, AccountsAndRegionsAreIsolated) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateModel", Create("shared")).ok());
  EXPECT_FALSE(Call("DescribeModel", Named("shared"), nullptr, kAcct, "eu-west-1").ok());
  EXPECT_FALSE(Call("DescribeModel", Named("shared"), nullptr, kOther, kRegion).ok());
  // The same name is free elsewhere, with its own ARN.
  auto eu = Do("CreateModel", Create("SHARED"), kAcct, "eu-west-1");
  ASSERT_TRUE(eu.ok());
  EXPECT_EQ(eu->at("ModelArn").as_string(),
            "arn:aws:sagemaker:eu-west-1:123456789012:model/shared");
  auto other = Do("CreateModel", Create("shared"), kOther, kRegion);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->at("ModelArn").as_string(),
            "arn:aws:sagemaker:us-west-2:210987654321:model/shared");
  auto list = Do("ListModels", "{}", kAcct, "eu-west-1");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"SHARED"}));
  // Deleting in one place leaves the others.
  ASSERT_TRUE(Do("DeleteModel", Named("shared"), kOther, kRegion).ok());
  EXPECT_TRUE(Do("DescribeModel", Named("shared")).ok());
  EXPECT_TRUE(Do("DescribeModel", Named("shared"), kAcct, "eu-west-1").ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 2u);
  EXPECT_EQ(disk[0].region, "eu-west-1");
  EXPECT_EQ(disk[1].region, kRegion);
}

TEST_F(ModelsTest, NothingReachesDiskBeforeTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  std::vector<std::function<Status()>> create_actions;
  auto created = Call("CreateModel", R"({"ModelName":"Pending","Tags":[{"Key":"k","Value":"v"}],
                                         "PrimaryContainer":{"Image":"img"}})",
                      &create_actions);
  ASSERT_TRUE(created.ok());
  ASSERT_FALSE(create_actions.empty());
  // In memory at once...
  EXPECT_TRUE(Do("DescribeModel", Named("pending")).ok());
  // ...on disk only after the record is durable.
  EXPECT_TRUE(OnDisk().empty());
  // Read-only calls have nothing to save.
  std::vector<std::function<Status()>> none;
  ASSERT_TRUE(Call("DescribeModel", Named("pending"), &none).ok());
  ASSERT_TRUE(Call("ListModels", "{}", &none).ok());
  EXPECT_TRUE(none.empty());

  for (auto& a : create_actions) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].account, kAcct);
  EXPECT_EQ(disk[0].region, kRegion);
  EXPECT_EQ(disk[0].r.kind, "model");
  EXPECT_EQ(disk[0].r.name, "Pending");
  EXPECT_EQ(disk[0].r.name_key, "pending");
  EXPECT_EQ(disk[0].r.arn, "arn:aws:sagemaker:us-west-2:123456789012:model/pending");
  EXPECT_EQ(disk[0].r.created, FromUnixSeconds(1763805600));
  EXPECT_EQ(disk[0].r.body.at("PrimaryContainer"), json::parse(R"({"Image":"img"})"));
  EXPECT_EQ(disk[0].r.tags, json::parse(R"([{"Key":"k","Value":"v"}])"));

  std::vector<std::function<Status()>> delete_actions;
  ASSERT_TRUE(Call("DeleteModel", Named("Pending"), &delete_actions).ok());
  ASSERT_FALSE(delete_actions.empty());
  EXPECT_EQ(OnDisk().size(), 1u);  // still there until recorded
  for (auto& a : delete_actions) ASSERT_TRUE(a().ok());
  EXPECT_TRUE(OnDisk().empty());
}

// A call's changes are the resources as they were right after it (snapshots taken while the
// backend was locked, committed in the order the calls took their places), so replaying the
// commits in that order leaves the state exactly as memory shows it.
TEST_F(ModelsTest, CommitsInCallOrderLeaveDiskLikeMemory) {
  ASSERT_NE(service_, nullptr);
  std::vector<std::function<Status()>> create, del, recreate;
  ASSERT_TRUE(Call("CreateModel", Create("flip"), &create).ok());
  ASSERT_TRUE(Call("DeleteModel", Named("flip"), &del).ok());
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(
      Call("CreateModel", R"({"ModelName":"Flip","PrimaryContainer":{"Image":"v2"}})", &recreate)
          .ok());
  // The first create's snapshot is the first model, whatever happened to it since.
  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].r.name, "flip");
  for (auto* set : {&del, &recreate}) {
    for (auto& a : *set) ASSERT_TRUE(a().ok());
  }
  disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].r.name, "Flip");
  EXPECT_EQ(disk[0].r.body.at("PrimaryContainer"), json::parse(R"({"Image":"v2"})"));
  EXPECT_EQ(disk[0].r.created, FromUnixSeconds(1763805605));
  // And what a restart would load matches what the running service shows.
  service_.reset();
  service_ = Start();
  ASSERT_NE(service_, nullptr);
  auto d = Do("DescribeModel", Named("flip"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at("PrimaryContainer"), json::parse(R"({"Image":"v2"})"));
}

TEST_F(ModelsTest, CreateLoadsPersistedResources) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateModel", Create("Keep-Me")).ok());
  clock_.Advance(std::chrono::seconds(3));
  ASSERT_TRUE(Do("CreateModel", Create("second")).ok());
  ASSERT_TRUE(Do("CreateModel", Create("elsewhere"), kOther, "ap-south-1").ok());
  std::vector<std::function<Status()>> unsaved;
  ASSERT_TRUE(Call("CreateModel", Create("never-recorded"), &unsaved).ok());
  auto before = Do("DescribeModel", Named("keep-me"));
  ASSERT_TRUE(before.ok());

  service_.reset();
  service_ = Start();
  ASSERT_NE(service_, nullptr);
  auto after = Do("DescribeModel", Named("keep-me"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  auto list = Do("ListModels", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"second", "Keep-Me"}));
  EXPECT_FALSE(Call("DescribeModel", Named("never-recorded"), nullptr).ok());
  EXPECT_TRUE(Do("DescribeModel", Named("elsewhere"), kOther, "ap-south-1").ok());
  EXPECT_FALSE(Call("DescribeModel", Named("elsewhere"), nullptr).ok());
  // Loaded names still block duplicates.
  ExpectError(Call("CreateModel", Create("KEEP-ME"), nullptr), "ValidationException",
              "Cannot create already existing model "
              "\"arn:aws:sagemaker:us-west-2:123456789012:model/keep-me\".");
}

}  // namespace
}  // namespace sagetrail::sagemaker
