// SageMaker notebook instances through SageMakerService::Invoke with hand-made requests: every
// lifecycle phase in order, every refused transition's text, settings and defaults, lifecycle
// configuration links, presigned URLs, listing, persistence after the call's after_audit
// actions, and lifecycles resumed by a restarted service.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kRole[] = "arn:aws:iam::123456789012:role/NotebookRole";
// Deliberately not the default, so a handler using another duration is caught.
constexpr milliseconds kPhase{90000};

std::string Arn(const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:notebook-instance/" + lower_name;
}
std::string ConfigArn(const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:notebook-instance-lifecycle-config/" +
         lower_name;
}

class NotebookInstancesTest : public testing::SageMakerServiceTest {
 protected:
  Timings TestTimings() const override {
    Timings timings;
    timings.notebook_instance = kPhase;
    return timings;
  }

  // The notebook instance status stored for `name_key`, or "<absent>".
  std::string DiskStatus(const std::string& name_key) const {
    return StatusOnDisk("notebook-instance", name_key);
  }

  static std::string Named(const std::string& name) {
    return R"({"NotebookInstanceName":")" + name + R"("})";
  }
  static std::string Create(const std::string& name, const std::string& extra = "") {
    return R"({"NotebookInstanceName":")" + name +
           R"(","InstanceType":"ml.t3.medium","RoleArn":")" + kRole + "\"" + extra + "}";
  }

  json::value Describe(const std::string& name) {
    auto d = Do("DescribeNotebookInstance", Named(name));
    EXPECT_TRUE(d.ok()) << name << ": " << (d.ok() ? "" : d.error().message);
    return d.ok() ? *d : json::value();
  }
  // The status, or the error message when Describe fails.
  std::string StatusOf(const std::string& name) {
    auto d = Do("DescribeNotebookInstance", Named(name));
    if (!d.ok()) return d.error().message;
    return std::string(d->at("NotebookInstanceStatus").as_string());
  }
  static TimePoint TimeAt(const json::value& v, std::string_view key) {
    auto t = aws::ToTimePoint(v.at(key));
    EXPECT_TRUE(t.has_value()) << key;
    return t.value_or(TimePoint());
  }

  void AdvanceBy(milliseconds d) { scheduler_->AdvanceBy(d); }

  // Creates `name` and lets it reach InService.
  void CreateInService(const std::string& name, const std::string& extra = "") {
    ASSERT_TRUE(Do("CreateNotebookInstance", Create(name, extra)).ok());
    AdvanceBy(kPhase);
    ASSERT_EQ(StatusOf(name), "InService");
  }
  void CreateStopped(const std::string& name, const std::string& extra = "") {
    CreateInService(name, extra);
    ASSERT_TRUE(Do("StopNotebookInstance", Named(name)).ok());
    AdvanceBy(kPhase);
    ASSERT_EQ(StatusOf(name), "Stopped");
  }
};

TEST_F(NotebookInstancesTest, ImplementsTheNotebookInstanceOperations) {
  ASSERT_NE(service_, nullptr);
  for (const char* op :
       {"CreateNotebookInstance", "DescribeNotebookInstance", "ListNotebookInstances",
        "StartNotebookInstance", "StopNotebookInstance", "UpdateNotebookInstance",
        "DeleteNotebookInstance", "CreatePresignedNotebookInstanceUrl"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
}

TEST_F(NotebookInstancesTest, CreateReportsSettingsWithAwsDefaults) {
  ASSERT_NE(service_, nullptr);
  clock_.Advance(milliseconds(500));
  auto created = Do("CreateNotebookInstance", Create("My-Notebook", R"(,
      "Tags":[{"Key":"team","Value":"ml"}])"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*created, json::parse(R"({"NotebookInstanceArn":")" + Arn("my-notebook") + R"("})"));

  json::value d = Describe("MY-NOTEBOOK");
  const TimePoint t0 = kStart + milliseconds(500);
  EXPECT_EQ(d, json::parse(R"({
      "NotebookInstanceArn":")" +
                           Arn("my-notebook") + R"(",
      "NotebookInstanceName":"My-Notebook",
      "NotebookInstanceStatus":"Pending",
      "Url":"my-notebook.notebook.us-west-2.sagemaker.aws",
      "InstanceType":"ml.t3.medium",
      "RoleArn":")" + kRole +
                           R"(",
      "DirectInternetAccess":"Enabled",
      "VolumeSizeInGB":5,
      "RootAccess":"Enabled",
      "PlatformIdentifier":"notebook-al2-v2",
      "IpAddressType":"ipv4",
      "InstanceMetadataServiceConfiguration":{"MinimumInstanceMetadataServiceVersion":"1"},
      "CreationTime":1763805600.5,
      "LastModifiedTime":1763805600.5})"));
  EXPECT_EQ(TimeAt(d, "CreationTime"), t0);
}

TEST_F(NotebookInstancesTest, CreateKeepsGivenSettingsUnderDescribeNames) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"Setup"})")
                  .ok());
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("vpc-nb", R"(,
      "SubnetId":"subnet-0abc","SecurityGroupIds":["sg-1","sg-2"],"KmsKeyId":"key-1",
      "LifecycleConfigName":"Setup","DirectInternetAccess":"Disabled","VolumeSizeInGB":50,
      "RootAccess":"Disabled","PlatformIdentifier":"notebook-al2023-v1",
      "DefaultCodeRepository":"https://github.com/example/repo.git",
      "AdditionalCodeRepositories":["repo-a","repo-b"],
      "InstanceMetadataServiceConfiguration":{"MinimumInstanceMetadataServiceVersion":"2"})"))
                  .ok());
  json::value d = Describe("vpc-nb");
  const json::object& o = d.as_object();
  EXPECT_EQ(o.at("SubnetId"), "subnet-0abc");
  EXPECT_EQ(o.at("SecurityGroups"), json::parse(R"(["sg-1","sg-2"])"));
  EXPECT_FALSE(o.contains("SecurityGroupIds"));
  EXPECT_EQ(o.at("KmsKeyId"), "key-1");
  EXPECT_EQ(o.at("NotebookInstanceLifecycleConfigName"), "Setup");
  EXPECT_FALSE(o.contains("LifecycleConfigName"));
  EXPECT_EQ(o.at("DirectInternetAccess"), "Disabled");
  EXPECT_EQ(o.at("VolumeSizeInGB"), 50);
  EXPECT_EQ(o.at("RootAccess"), "Disabled");
  EXPECT_EQ(o.at("PlatformIdentifier"), "notebook-al2023-v1");
  EXPECT_EQ(o.at("DefaultCodeRepository"), "https://github.com/example/repo.git");
  EXPECT_EQ(o.at("AdditionalCodeRepositories"), json::parse(R"(["repo-a","repo-b"])"));
  EXPECT_EQ(o.at("InstanceMetadataServiceConfiguration"),
            json::parse(R"({"MinimumInstanceMetadataServiceVersion":"2"})"));
  // A subnet brings a network interface, the same one on every Describe.
  ASSERT_TRUE(o.contains("NetworkInterfaceId"));
  std::string eni(o.at("NetworkInterfaceId").as_string());
  EXPECT_EQ(eni.rfind("eni-", 0), 0u) << eni;
  EXPECT_EQ(eni.size(), 21u) << eni;
  EXPECT_EQ(Describe("vpc-nb").at("NetworkInterfaceId"), json::value(eni));
  EXPECT_FALSE(Describe("vpc-nb").as_object().contains("Tags"));
}

TEST_F(NotebookInstancesTest, EveryPhaseInOrder) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("walk")).ok());
  EXPECT_EQ(StatusOf("walk"), "Pending");
  AdvanceBy(kPhase - milliseconds(1));
  EXPECT_EQ(StatusOf("walk"), "Pending");
  AdvanceBy(milliseconds(1));
  json::value d = Describe("walk");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "InService");
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), kStart + kPhase);
  EXPECT_EQ(TimeAt(d, "CreationTime"), kStart);

  // Stop: InService -> Stopping -> Stopped.
  clock_.Advance(seconds(10));
  auto stopped = Do("StopNotebookInstance", Named("WALK"));
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, json::object());
  d = Describe("walk");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Stopping");
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), clock_.Now());
  AdvanceBy(kPhase - milliseconds(1));
  EXPECT_EQ(StatusOf("walk"), "Stopping");
  AdvanceBy(milliseconds(1));
  EXPECT_EQ(StatusOf("walk"), "Stopped");

  // Update: Stopped -> Updating -> Stopped.
  ASSERT_TRUE(Do("UpdateNotebookInstance",
                 R"({"NotebookInstanceName":"walk","InstanceType":"ml.m5.xlarge"})")
                  .ok());
  EXPECT_EQ(StatusOf("walk"), "Updating");
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("walk"), "Stopped");

  // Start: Stopped -> Pending -> InService.
  ASSERT_TRUE(Do("StartNotebookInstance", Named("walk")).ok());
  EXPECT_EQ(StatusOf("walk"), "Pending");
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("walk"), "InService");
  EXPECT_EQ(Describe("walk").at("InstanceType"), "ml.m5.xlarge");

  // Delete needs it stopped: Stopped -> Deleting -> gone.
  ASSERT_TRUE(Do("StopNotebookInstance", Named("walk")).ok());
  AdvanceBy(kPhase);
  ASSERT_EQ(StatusOf("walk"), "Stopped");
  auto deleted = Do("DeleteNotebookInstance", Named("walk"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, json::object());
  EXPECT_EQ(StatusOf("walk"), "Deleting");
  AdvanceBy(kPhase - milliseconds(1));
  EXPECT_EQ(StatusOf("walk"), "Deleting");
  AdvanceBy(milliseconds(1));
  // The deleted-waiter's success: a ValidationException from Describe.
  ExpectError(Call("DescribeNotebookInstance", Named("walk"), nullptr), "RecordNotFound");
  EXPECT_EQ(scheduler_->pending(), 0u);
  // The name is free again.
  EXPECT_TRUE(Do("CreateNotebookInstance", Create("walk")).ok());
}

TEST_F(NotebookInstancesTest, RefusedTransitionsUseAwsTexts) {
  ASSERT_NE(service_, nullptr);
  const std::string arn = Arn("gate");
  auto refused = [&](const std::string& status, const std::string& allowed,
                     const std::string& target) {
    return "Status (" + status + ") not in ([" + allowed + "]). Unable to transition to (" +
           target + ") for Notebook Instance (" + arn + ").";
  };
  auto expect_all_but = [&](const std::string& status, const std::vector<std::string>& allowed) {
    SCOPED_TRACE(status);
    ASSERT_EQ(StatusOf("gate"), status);
    auto has = [&](const std::string& op) {
      return std::find(allowed.begin(), allowed.end(), op) != allowed.end();
    };
    if (!has("Stop")) {
      ExpectError(Call("StopNotebookInstance", Named("Gate"), nullptr),
                  refused(status, "InService", "Stopping"));
    }
    if (!has("Start")) {
      ExpectError(Call("StartNotebookInstance", Named("Gate"), nullptr),
                  refused(status, "Stopped, Failed", "Pending"));
    }
    if (!has("Delete")) {
      ExpectError(Call("DeleteNotebookInstance", Named("Gate"), nullptr),
                  refused(status, "Stopped, Failed", "Deleting"));
    }
    if (!has("Update")) {
      ExpectError(Call("UpdateNotebookInstance",
                       R"({"NotebookInstanceName":"gate","VolumeSizeInGB":10})", nullptr),
                  refused(status, "Stopped, Failed", "Updating"));
    }
    // Refusals change nothing.
    EXPECT_EQ(StatusOf("gate"), status);
  };

  ASSERT_TRUE(Do("CreateNotebookInstance", Create("gate")).ok());
  expect_all_but("Pending", {});
  AdvanceBy(kPhase);
  expect_all_but("InService", {"Stop"});
  ASSERT_TRUE(Do("StopNotebookInstance", Named("gate")).ok());
  expect_all_but("Stopping", {});
  AdvanceBy(kPhase);
  expect_all_but("Stopped", {"Start", "Delete", "Update"});
  ASSERT_TRUE(Do("UpdateNotebookInstance", R"({"NotebookInstanceName":"gate"})").ok());
  expect_all_but("Updating", {});
  AdvanceBy(kPhase);
  ASSERT_TRUE(Do("DeleteNotebookInstance", Named("gate")).ok());
  expect_all_but("Deleting", {});
  EXPECT_EQ(Describe("gate").at("VolumeSizeInGB"), 5);
}

TEST_F(NotebookInstancesTest, MissingAndDuplicateInstances) {
  ASSERT_NE(service_, nullptr);
  for (const char* op :
       {"DescribeNotebookInstance", "StartNotebookInstance", "StopNotebookInstance",
        "UpdateNotebookInstance", "DeleteNotebookInstance", "CreatePresignedNotebookInstanceUrl"}) {
    SCOPED_TRACE(op);
    ExpectError(Call(op, Named("nowhere"), nullptr), "RecordNotFound");
  }
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("Twin")).ok());
  for (const char* name : {"Twin", "twin", "TWIN"}) {
    ExpectError(Call("CreateNotebookInstance", Create(name), nullptr),
                "Cannot create a duplicate Notebook Instance (" + Arn("twin") + ")");
  }
  EXPECT_EQ(Describe("twin").at("NotebookInstanceName"), "Twin");
}

TEST_F(NotebookInstancesTest, PresignedUrl) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("Lab")).ok());
  const std::string prefix = "https://lab.notebook.us-west-2.sagemaker.aws?authToken=";
  std::vector<std::function<Status()>> actions;
  auto first = Call("CreatePresignedNotebookInstanceUrl", Named("LAB"), &actions);
  auto second =
      Call("CreatePresignedNotebookInstanceUrl",
           R"({"NotebookInstanceName":"lab","SessionExpirationDurationInSeconds":1800})", &actions);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(actions.empty());  // nothing changes
  std::vector<std::string> tokens;
  for (const auto* r : {&first, &second}) {
    ASSERT_EQ((*r)->as_object().size(), 1u);
    std::string url((*r)->at("AuthorizedUrl").as_string());
    ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
    std::string token = url.substr(prefix.size());
    EXPECT_GE(token.size(), 32u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << token;
    tokens.push_back(token);
  }
  EXPECT_NE(tokens[0], tokens[1]);
}

TEST_F(NotebookInstancesTest, UpdateAppliesSettingsAndDisassociates) {
  ASSERT_NE(service_, nullptr);
  for (const char* config : {"first", "second"}) {
    ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig",
                   std::string(R"({"NotebookInstanceLifecycleConfigName":")") + config + "\"}")
                    .ok());
  }
  CreateStopped("tune", R"(,"LifecycleConfigName":"first","DefaultCodeRepository":"repo-main",
                          "AdditionalCodeRepositories":["repo-x"],"VolumeSizeInGB":20)");
  clock_.Advance(seconds(1));
  ASSERT_TRUE(Do("UpdateNotebookInstance", R"({"NotebookInstanceName":"TUNE",
      "InstanceType":"ml.m5.2xlarge","RoleArn":"arn:aws:iam::123456789012:role/Other",
      "LifecycleConfigName":"second","VolumeSizeInGB":40,"RootAccess":"Disabled",
      "PlatformIdentifier":"notebook-al2-v3","AdditionalCodeRepositories":["repo-y","repo-z"]})")
                  .ok());
  // The new settings show at once, while Updating.
  json::value d = Describe("tune");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Updating");
  EXPECT_EQ(d.at("NotebookInstanceName"), "tune");  // as created, not as the update spelled it
  EXPECT_EQ(d.at("InstanceType"), "ml.m5.2xlarge");
  EXPECT_EQ(d.at("RoleArn"), "arn:aws:iam::123456789012:role/Other");
  EXPECT_EQ(d.at("NotebookInstanceLifecycleConfigName"), "second");
  EXPECT_EQ(d.at("VolumeSizeInGB"), 40);
  EXPECT_EQ(d.at("RootAccess"), "Disabled");
  EXPECT_EQ(d.at("PlatformIdentifier"), "notebook-al2-v3");
  EXPECT_EQ(d.at("DefaultCodeRepository"), "repo-main");  // not given: kept
  EXPECT_EQ(d.at("AdditionalCodeRepositories"), json::parse(R"(["repo-y","repo-z"])"));
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), clock_.Now());
  AdvanceBy(kPhase);
  ASSERT_EQ(StatusOf("tune"), "Stopped");

  ASSERT_TRUE(Do("UpdateNotebookInstance", R"({"NotebookInstanceName":"tune",
      "DisassociateLifecycleConfig":true,"DisassociateDefaultCodeRepository":true,
      "DisassociateAdditionalCodeRepositories":true,"DisassociateAcceleratorTypes":true})")
                  .ok());
  d = Describe("tune");
  EXPECT_FALSE(d.as_object().contains("NotebookInstanceLifecycleConfigName"));
  EXPECT_FALSE(d.as_object().contains("DefaultCodeRepository"));
  EXPECT_FALSE(d.as_object().contains("AdditionalCodeRepositories"));
  EXPECT_EQ(d.at("InstanceType"), "ml.m5.2xlarge");
  AdvanceBy(kPhase);

  // A lifecycle configuration that does not exist, or a smaller volume, is refused, and the
  // instance stays as it was.
  ExpectError(Call("UpdateNotebookInstance",
                   R"({"NotebookInstanceName":"tune","LifecycleConfigName":"Ghost"})", nullptr),
              "Unable to describe Notebook Instance Lifecycle Config " + ConfigArn("ghost") +
                  ". (Details: Notebook Instance Lifecycle Config does not exist.)");
  ExpectError(Call("UpdateNotebookInstance",
                   R"({"NotebookInstanceName":"tune","VolumeSizeInGB":39,
                       "InstanceType":"ml.t3.large"})",
                   nullptr),
              "Volume size of Notebook Instance (" + Arn("tune") +
                  ") cannot be decreased from 40 GB to 39 GB.");
  d = Describe("tune");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Stopped");
  EXPECT_EQ(d.at("InstanceType"), "ml.m5.2xlarge");
  EXPECT_EQ(d.at("VolumeSizeInGB"), 40);
}

TEST_F(NotebookInstancesTest, LifecycleConfigMustExistAndFailsTheStartWhenGone) {
  ASSERT_NE(service_, nullptr);
  ExpectError(
      Call("CreateNotebookInstance", Create("lcc-nb", R"(,"LifecycleConfigName":"Boot")"), nullptr),
      "Unable to describe Notebook Instance Lifecycle Config " + ConfigArn("boot") +
          ". (Details: Notebook Instance Lifecycle Config does not exist.)");
  ExpectError(Call("DescribeNotebookInstance", Named("lcc-nb"), nullptr), "RecordNotFound");

  ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"Boot"})")
                  .ok());
  ASSERT_TRUE(
      Do("CreateNotebookInstance", Create("lcc-nb", R"(,"LifecycleConfigName":"boot")")).ok());
  // The configuration goes away while the instance is Pending: the start fails.
  ASSERT_TRUE(Do("DeleteNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"BOOT"})")
                  .ok());
  AdvanceBy(kPhase);
  const std::string reason = "Notebook Instance Lifecycle Config '" + ConfigArn("boot") +
                             "' for Notebook Instance '" + Arn("lcc-nb") + "' does not exist.";
  json::value d = Describe("lcc-nb");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Failed");
  EXPECT_EQ(d.at("FailureReason"), json::value(reason));
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), kStart + kPhase);

  // From Failed: Start again fails again; Update (dropping the configuration) ends Stopped
  // without the old reason, and the next Start succeeds.
  ASSERT_TRUE(Do("StartNotebookInstance", Named("lcc-nb")).ok());
  d = Describe("lcc-nb");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Pending");
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("lcc-nb"), "Failed");
  ASSERT_TRUE(Do("UpdateNotebookInstance",
                 R"({"NotebookInstanceName":"lcc-nb","DisassociateLifecycleConfig":true})")
                  .ok());
  AdvanceBy(kPhase);
  d = Describe("lcc-nb");
  EXPECT_EQ(d.at("NotebookInstanceStatus"), "Stopped");
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
  ASSERT_TRUE(Do("StartNotebookInstance", Named("lcc-nb")).ok());
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("lcc-nb"), "InService");
}

TEST_F(NotebookInstancesTest, FailedInstancesCanBeDeleted) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"tmp"})")
                  .ok());
  ASSERT_TRUE(
      Do("CreateNotebookInstance", Create("doomed", R"(,"LifecycleConfigName":"tmp")")).ok());
  ASSERT_TRUE(Do("DeleteNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"tmp"})")
                  .ok());
  AdvanceBy(kPhase);
  ASSERT_EQ(StatusOf("doomed"), "Failed");
  ASSERT_TRUE(Do("DeleteNotebookInstance", Named("doomed")).ok());
  EXPECT_EQ(StatusOf("doomed"), "Deleting");
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("doomed"), "RecordNotFound");
}

TEST_F(NotebookInstancesTest, ListSortsFiltersAndPages) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateNotebookInstanceLifecycleConfig",
                 R"({"NotebookInstanceLifecycleConfigName":"auto-stop"})")
                  .ok());
  // charlie +0 s, Alpha +10, echo +20, Delta +30, bravo +40.
  const std::vector<std::pair<std::string, std::string>> specs = {
      {"charlie", R"(,"LifecycleConfigName":"auto-stop","AdditionalCodeRepositories":["lib"])"},
      {"Alpha", R"(,"DefaultCodeRepository":"https://github.com/Org/Models.git")"},
      {"echo", R"(,"LifecycleConfigName":"auto-stop","DefaultCodeRepository":"models")"},
      {"Delta", R"(,"AdditionalCodeRepositories":["other","lib"])"},
      {"bravo", ""}};
  for (const auto& [name, extra] : specs) {
    ASSERT_TRUE(Do("CreateNotebookInstance", Create(name, extra)).ok());
    clock_.Advance(seconds(10));
  }
  // Alpha, charlie and echo come up; bravo and Delta stay Pending.
  auto names = [&](std::string_view input) {
    auto list = Do("ListNotebookInstances", input);
    EXPECT_TRUE(list.ok()) << input;
    std::vector<std::string> out;
    if (!list.ok()) return out;
    for (const auto& s : list->at("NotebookInstances").as_array()) {
      out.push_back(std::string(s.at("NotebookInstanceName").as_string()));
    }
    return out;
  };
  scheduler_->AdvanceTo(kStart + seconds(20) + kPhase);
  ASSERT_EQ(StatusOf("echo"), "InService");
  ASSERT_EQ(StatusOf("delta"), "Pending");

  using V = std::vector<std::string>;
  // Default: by name, ascending.
  EXPECT_EQ(names("{}"), (V{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  EXPECT_EQ(names(R"({"SortOrder":"Descending"})"),
            (V{"echo", "Delta", "charlie", "bravo", "Alpha"}));
  EXPECT_EQ(names(R"({"SortBy":"CreationTime"})"),
            (V{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  EXPECT_EQ(names(R"({"SortBy":"CreationTime","SortOrder":"Descending"})"),
            (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"SortBy":"Status"})"), (V{"Alpha", "charlie", "echo", "bravo", "Delta"}));
  EXPECT_EQ(names(R"({"StatusEquals":"Pending"})"), (V{"bravo", "Delta"}));
  EXPECT_EQ(names(R"({"StatusEquals":"Stopped"})"), V{});
  EXPECT_EQ(names(R"({"NameContains":"HA"})"), (V{"Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"CreationTimeAfter":1763805610,"CreationTimeBefore":1763805640})"),
            (V{"Alpha", "Delta", "echo"}));
  EXPECT_EQ(names(R"({"NotebookInstanceLifecycleConfigNameContains":"STOP"})"),
            (V{"charlie", "echo"}));
  EXPECT_EQ(names(R"({"DefaultCodeRepositoryContains":"models"})"), (V{"Alpha", "echo"}));
  EXPECT_EQ(names(R"({"AdditionalCodeRepositoryEquals":"lib"})"), (V{"charlie", "Delta"}));
  EXPECT_EQ(names(R"({"AdditionalCodeRepositoryEquals":"li"})"), V{});
  EXPECT_EQ(names(R"({"AdditionalCodeRepositoryEquals":"lib","StatusEquals":"InService"})"),
            (V{"charlie"}));

  // The summary.
  auto list = Do("ListNotebookInstances", R"({"NameContains":"echo"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("NotebookInstances").as_array().at(0), json::parse(R"({
      "NotebookInstanceName":"echo",
      "NotebookInstanceArn":")" + Arn("echo") + R"(",
      "NotebookInstanceStatus":"InService",
      "Url":"echo.notebook.us-west-2.sagemaker.aws",
      "InstanceType":"ml.t3.medium",
      "CreationTime":1763805620,
      "LastModifiedTime":1763805710,
      "NotebookInstanceLifecycleConfigName":"auto-stop",
      "DefaultCodeRepository":"models"})"));

  // Paging, with and without the filters the table cannot apply itself.
  for (std::string filter :
       {std::string(), std::string(R"("AdditionalCodeRepositoryEquals":"lib",)"),
        std::string(R"("DefaultCodeRepositoryContains":"o",)")}) {
    SCOPED_TRACE(filter);
    V expected = names("{" + filter + R"("SortOrder":"Descending"})");
    for (const char* sort : {"Name", "CreationTime", "Status"}) {
      SCOPED_TRACE(sort);
      V all;
      std::string token;
      int pages = 0;
      do {
        std::string in = "{" + filter + R"("SortBy":")" + sort + R"(","MaxResults":1)";
        if (!token.empty()) in += R"(,"NextToken":")" + token + "\"";
        auto page = Do("ListNotebookInstances", in + "}");
        ASSERT_TRUE(page.ok()) << page.error().message;
        for (const auto& s : page->at("NotebookInstances").as_array()) {
          all.push_back(std::string(s.at("NotebookInstanceName").as_string()));
        }
        const json::object& o = page->as_object();
        token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
        ++pages;
      } while (!token.empty() && pages < 10);
      EXPECT_EQ(pages, static_cast<int>(std::max<size_t>(1, all.size())));
      V unpaged = names("{" + filter + R"("SortBy":")" + sort + "\"}");
      EXPECT_EQ(all, unpaged);
      std::sort(all.begin(), all.end());
      V sorted = expected;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(all, sorted);
    }
  }
  ExpectError(Call("ListNotebookInstances", R"({"NextToken":"garbage"})", nullptr),
              "Invalid pagination token.");
}

TEST_F(NotebookInstancesTest, NothingHappensBeforeTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateNotebookInstance", Create("held"), &create).ok());
  ASSERT_FALSE(create.empty());
  // In memory at once, but neither on disk nor scheduled.
  EXPECT_EQ(StatusOf("held"), "Pending");
  EXPECT_TRUE(OnDisk().empty());
  EXPECT_EQ(scheduler_->pending(), 0u);
  AdvanceBy(kPhase * 2);
  EXPECT_EQ(StatusOf("held"), "Pending");
  // Read-only calls leave nothing to do.
  std::vector<std::function<Status()>> none;
  ASSERT_TRUE(Call("DescribeNotebookInstance", Named("held"), &none).ok());
  ASSERT_TRUE(Call("ListNotebookInstances", "{}", &none).ok());
  EXPECT_TRUE(none.empty());

  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].kind, "notebook-instance");
  EXPECT_EQ(disk[0].status, "Pending");
  EXPECT_EQ(disk[0].tags, json::array());
  EXPECT_EQ(scheduler_->pending(), 1u);
  // Scheduled from the moment of the record: the transition is already due.
  scheduler_->RunDue();
  EXPECT_EQ(StatusOf("held"), "InService");
  disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].status, "InService");  // transitions save themselves

  std::vector<std::function<Status()>> stop;
  ASSERT_TRUE(Call("StopNotebookInstance", Named("held"), &stop).ok());
  EXPECT_EQ(DiskStatus("held"), "InService");
  for (auto& a : stop) ASSERT_TRUE(a().ok());
  EXPECT_EQ(DiskStatus("held"), "Stopping");
  AdvanceBy(kPhase);
  std::vector<std::function<Status()>> del;
  ASSERT_TRUE(Call("DeleteNotebookInstance", Named("held"), &del).ok());
  EXPECT_EQ(DiskStatus("held"), "Stopped");
  for (auto& a : del) ASSERT_TRUE(a().ok());
  EXPECT_EQ(DiskStatus("held"), "Deleting");
  AdvanceBy(kPhase);
  EXPECT_TRUE(OnDisk().empty());
}

TEST_F(NotebookInstancesTest, RestartResumesPendingAndStopping) {
  ASSERT_NE(service_, nullptr);
  CreateInService("halt");
  ASSERT_TRUE(Do("StopNotebookInstance", Named("halt")).ok());
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("fresh")).ok());
  const TimePoint due = clock_.Now() + kPhase;
  AdvanceBy(kPhase / 2);

  Restart();
  EXPECT_EQ(StatusOf("fresh"), "Pending");
  EXPECT_EQ(StatusOf("halt"), "Stopping");
  scheduler_->AdvanceTo(due - milliseconds(1));
  EXPECT_EQ(StatusOf("fresh"), "Pending");
  EXPECT_EQ(StatusOf("halt"), "Stopping");
  scheduler_->AdvanceTo(due);
  EXPECT_EQ(StatusOf("fresh"), "InService");
  EXPECT_EQ(StatusOf("halt"), "Stopped");
  EXPECT_EQ(TimeAt(Describe("fresh"), "LastModifiedTime"), due);
  // And the next phase runs on the new service's scheduler as usual.
  ASSERT_TRUE(Do("StartNotebookInstance", Named("halt")).ok());
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("halt"), "InService");
}

TEST_F(NotebookInstancesTest, RestartRunsOverdueTransitionsAtOnce) {
  ASSERT_NE(service_, nullptr);
  CreateStopped("late");
  ASSERT_TRUE(Do("DeleteNotebookInstance", Named("late")).ok());
  ASSERT_TRUE(Do("CreateNotebookInstance", Create("later")).ok());
  service_.reset();
  clock_.Advance(kPhase * 3);  // down for longer than the phases
  Restart();
  EXPECT_EQ(StatusOf("later"), "Pending");
  EXPECT_EQ(StatusOf("late"), "Deleting");
  scheduler_->RunDue();
  EXPECT_EQ(StatusOf("later"), "InService");
  EXPECT_EQ(StatusOf("late"), "RecordNotFound");
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].name, "later");
  EXPECT_EQ(disk[0].status, "InService");
}

}  // namespace
}  // namespace sagetrail::sagemaker
