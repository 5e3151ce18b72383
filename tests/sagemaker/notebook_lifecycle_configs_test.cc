// SageMaker notebook instance lifecycle configurations through SageMakerService::Invoke with
// hand-made requests: create, describe, update, delete and their errors, listing in every sort
// order with paging, and persistence after the call's after_audit actions.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

// base64 of "#!/bin/bash\necho start\n" and "#!/bin/bash\necho create\n".
constexpr char kStartScript[] = "IyEvYmluL2Jhc2gKZWNobyBzdGFydAo=";
constexpr char kCreateScript[] = "IyEvYmluL2Jhc2gKZWNobyBjcmVhdGUK";

std::string Arn(const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:notebook-instance-lifecycle-config/" +
         lower_name;
}

class NotebookLifecycleConfigsTest : public testing::SageMakerServiceTest {
 protected:
  static std::string Named(const std::string& name) {
    return R"({"NotebookInstanceLifecycleConfigName":")" + name + R"("})";
  }

  std::vector<std::string> Names(std::string_view input) {
    auto list = Do("ListNotebookInstanceLifecycleConfigs", input);
    EXPECT_TRUE(list.ok()) << input;
    std::vector<std::string> out;
    if (!list.ok()) return out;
    for (const auto& s : list->at("NotebookInstanceLifecycleConfigs").as_array()) {
      out.push_back(std::string(s.at("NotebookInstanceLifecycleConfigName").as_string()));
    }
    return out;
  }
};

TEST_F(NotebookLifecycleConfigsTest, CreateDescribeUpdateDelete) {
  ASSERT_NE(service_, nullptr);
  for (const char* op :
       {"CreateNotebookInstanceLifecycleConfig", "DescribeNotebookInstanceLifecycleConfig",
        "ListNotebookInstanceLifecycleConfigs", "UpdateNotebookInstanceLifecycleConfig",
        "DeleteNotebookInstanceLifecycleConfig"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
  auto created = Do("CreateNotebookInstanceLifecycleConfig",
                    std::string(R"({"NotebookInstanceLifecycleConfigName":"Auto-Stop",
                                    "OnCreate":[{"Content":")") +
                        kCreateScript + R"("}],"OnStart":[{"Content":")" + kStartScript +
                        R"("}],"Tags":[{"Key":"k","Value":"v"}]})");
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*created,
            json::parse(R"({"NotebookInstanceLifecycleConfigArn":")" + Arn("auto-stop") + "\"}"));
  const json::value described =
      json::parse(R"({"NotebookInstanceLifecycleConfigArn":")" + Arn("auto-stop") +
                  R"(","NotebookInstanceLifecycleConfigName":"Auto-Stop",
          "OnCreate":[{"Content":")" +
                  kCreateScript + R"("}],"OnStart":[{"Content":")" + kStartScript + R"("}],
          "CreationTime":1763805600,"LastModifiedTime":1763805600})");
  for (const char* name : {"Auto-Stop", "auto-stop", "AUTO-STOP"}) {
    auto d = Do("DescribeNotebookInstanceLifecycleConfig", Named(name));
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_EQ(*d, described);
  }

  // Update replaces the scripts it is given and keeps the others.
  clock_.Advance(std::chrono::milliseconds(2500));
  auto updated = Do("UpdateNotebookInstanceLifecycleConfig",
                    R"({"NotebookInstanceLifecycleConfigName":"auto-stop",
                        "OnStart":[{"Content":"ZWNobyB2Mgo="}]})");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(*updated, json::object());
  auto d = Do("DescribeNotebookInstanceLifecycleConfig", Named("auto-stop"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at("OnStart"), json::parse(R"([{"Content":"ZWNobyB2Mgo="}])"));
  EXPECT_EQ(d->at("OnCreate"), described.at("OnCreate"));
  EXPECT_EQ(d->at("CreationTime"), 1763805600);
  EXPECT_EQ(d->at("LastModifiedTime"), 1763805602.5);
  EXPECT_EQ(d->at("NotebookInstanceLifecycleConfigName"), "Auto-Stop");
  // An empty list clears a script.
  ASSERT_TRUE(Do("UpdateNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"auto-stop","OnCreate":[]})")
                  .ok());
  d = Do("DescribeNotebookInstanceLifecycleConfig", Named("auto-stop"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at("OnCreate"), json::array());

  ASSERT_TRUE(Do("DeleteNotebookInstanceLifecycleConfig", Named("AUTO-STOP")).ok());
  ExpectError(Call("DescribeNotebookInstanceLifecycleConfig", Named("auto-stop"), nullptr),
              "Unable to describe Notebook Instance Lifecycle Config " + Arn("auto-stop") +
                  ". (Details: Notebook Instance Lifecycle Config does not exist.)");
  EXPECT_TRUE(Names("{}").empty());
  // The name is free again; a configuration without scripts is fine.
  auto again = Do("CreateNotebookInstanceLifecycleConfig", Named("auto-stop"));
  ASSERT_TRUE(again.ok());
  d = Do("DescribeNotebookInstanceLifecycleConfig", Named("auto-stop"));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->as_object().contains("OnCreate"));
  EXPECT_EQ(d->at("NotebookInstanceLifecycleConfigName"), "auto-stop");
}

TEST_F(NotebookLifecycleConfigsTest, MissingAndDuplicateConfigs) {
  ASSERT_NE(service_, nullptr);
  for (auto [op, verb] :
       {std::pair<const char*, const char*>{"DescribeNotebookInstanceLifecycleConfig", "describe"},
        {"UpdateNotebookInstanceLifecycleConfig", "update"},
        {"DeleteNotebookInstanceLifecycleConfig", "delete"}}) {
    ExpectError(Call(op, Named("No-Such"), nullptr),
                std::string("Unable to ") + verb + " Notebook Instance Lifecycle Config " +
                    Arn("no-such") +
                    ". (Details: Notebook Instance Lifecycle Config does not exist.)");
  }
  ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig", Named("Once")).ok());
  for (const char* name : {"Once", "once", "ONCE"}) {
    ExpectError(Call("CreateNotebookInstanceLifecycleConfig", Named(name), nullptr),
                "Unable to create Notebook Instance Lifecycle Config " + Arn("once") +
                    ". (Details: Notebook Instance Lifecycle Config already exists.)");
  }
  EXPECT_EQ(Names("{}"), (std::vector<std::string>{"Once"}));
}

TEST_F(NotebookLifecycleConfigsTest, ListSortsFiltersAndPages) {
  ASSERT_NE(service_, nullptr);
  // Created: charlie +0 s, Alpha +10, echo +20, Delta +30, bravo +40.
  for (const char* n : {"charlie", "Alpha", "echo", "Delta", "bravo"}) {
    ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig", Named(n)).ok());
    clock_.Advance(seconds(10));
  }
  // Modified: Alpha +50, charlie +60; the others when created.
  for (const char* n : {"Alpha", "charlie"}) {
    ASSERT_TRUE(Do("UpdateNotebookInstanceLifecycleConfig",
                   std::string(R"({"NotebookInstanceLifecycleConfigName":")") + n +
                       R"(","OnStart":[{"Content":"ZQ=="}]})")
                    .ok());
    clock_.Advance(seconds(10));
  }
  using V = std::vector<std::string>;
  // Default: newest first.
  EXPECT_EQ(Names("{}"), (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(Names(R"({"SortOrder":"Ascending"})"),
            (V{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  EXPECT_EQ(Names(R"({"SortBy":"Name","SortOrder":"Ascending"})"),
            (V{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  EXPECT_EQ(Names(R"({"SortBy":"LastModifiedTime","SortOrder":"Ascending"})"),
            (V{"echo", "Delta", "bravo", "Alpha", "charlie"}));
  EXPECT_EQ(Names(R"({"SortBy":"LastModifiedTime"})"),
            (V{"charlie", "Alpha", "bravo", "Delta", "echo"}));
  EXPECT_EQ(Names(R"({"NameContains":"HA"})"), (V{"Alpha", "charlie"}));
  EXPECT_EQ(Names(R"({"CreationTimeAfter":1763805610,"CreationTimeBefore":1763805640})"),
            (V{"Delta", "echo", "Alpha"}));
  EXPECT_EQ(Names(R"({"LastModifiedTimeAfter":1763805640})"), (V{"bravo", "Alpha", "charlie"}));
  EXPECT_EQ(Names(R"({"LastModifiedTimeBefore":1763805640,"SortBy":"LastModifiedTime"})"),
            (V{"Delta", "echo"}));

  // The summary.
  auto list = Do("ListNotebookInstanceLifecycleConfigs", R"({"NameContains":"alpha"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, json::parse(R"({"NotebookInstanceLifecycleConfigs":[{
      "NotebookInstanceLifecycleConfigName":"Alpha",
      "NotebookInstanceLifecycleConfigArn":")" +
                               Arn("alpha") + R"(",
      "CreationTime":1763805610,"LastModifiedTime":1763805650}]})"));

  // Paging two at a time in every order.
  for (const char* sort : {"Name", "CreationTime", "LastModifiedTime"}) {
    for (const char* order : {"Ascending", "Descending"}) {
      SCOPED_TRACE(std::string(sort) + " " + order);
      std::string base = std::string(R"("SortBy":")") + sort + R"(","SortOrder":")" + order + "\"";
      V all;
      std::string token;
      int pages = 0;
      do {
        std::string in = "{" + base + R"(,"MaxResults":2)";
        if (!token.empty()) in += R"(,"NextToken":")" + token + "\"";
        auto page = Do("ListNotebookInstanceLifecycleConfigs", in + "}");
        ASSERT_TRUE(page.ok()) << page.error().message;
        for (const auto& s : page->at("NotebookInstanceLifecycleConfigs").as_array()) {
          all.push_back(std::string(s.at("NotebookInstanceLifecycleConfigName").as_string()));
        }
        const json::object& o = page->as_object();
        token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
        ++pages;
      } while (!token.empty() && pages < 10);
      EXPECT_EQ(pages, 3);
      EXPECT_EQ(all, Names("{" + base + "}"));
    }
  }
  for (const char* sort : {"Name", "LastModifiedTime"}) {
    ExpectError(Call("ListNotebookInstanceLifecycleConfigs",
                     std::string(R"({"NextToken":"garbage","SortBy":")") + sort + "\"}", nullptr),
                "Invalid pagination token.");
  }
}

TEST_F(NotebookLifecycleConfigsTest, ChangesReachDiskOnlyAfterTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateNotebookInstanceLifecycleConfig",
                   std::string(R"({"NotebookInstanceLifecycleConfigName":"Kept",
                                   "OnStart":[{"Content":")") +
                       kStartScript + R"("}],"Tags":[{"Key":"k","Value":"v"}]})",
                   &create)
                  .ok());
  EXPECT_TRUE(OnDisk().empty());
  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].kind, "notebook-instance-lifecycle-config");
  EXPECT_EQ(disk[0].name, "Kept");
  EXPECT_EQ(disk[0].tags, json::parse(R"([{"Key":"k","Value":"v"}])"));
  EXPECT_FALSE(disk[0].body.contains("Tags"));

  std::vector<std::function<Status()>> update;
  ASSERT_TRUE(Call("UpdateNotebookInstanceLifecycleConfig",
                   R"({"NotebookInstanceLifecycleConfigName":"kept","OnStart":[]})", &update)
                  .ok());
  EXPECT_EQ(OnDisk().at(0).body.at("OnStart").as_array().size(), 1u);
  for (auto& a : update) ASSERT_TRUE(a().ok());
  EXPECT_EQ(OnDisk().at(0).body.at("OnStart"), json::array());

  // A restarted service has it.
  service_.reset();
  service_ = Start();
  ASSERT_NE(service_, nullptr);
  auto d = Do("DescribeNotebookInstanceLifecycleConfig", Named("KEPT"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at("NotebookInstanceLifecycleConfigArn"), json::value(Arn("kept")));

  std::vector<std::function<Status()>> del;
  ASSERT_TRUE(Call("DeleteNotebookInstanceLifecycleConfig", Named("kept"), &del).ok());
  EXPECT_EQ(OnDisk().size(), 1u);
  for (auto& a : del) ASSERT_TRUE(a().ok());
  EXPECT_TRUE(OnDisk().empty());
}

}  // namespace
}  // namespace sagetrail::sagemaker
