// SageMaker endpoints through SageMakerService::Invoke with hand-made requests: Creating ->
// InService with the deployed variants, Failed when the configuration or a model is gone by
// deployment time, updates and their rollback, deletion, transitions that went stale, listing,
// persistence after the call's after_audit actions, and lifecycles resumed after a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Deliberately not the default, so a handler using another duration is caught.
constexpr milliseconds kPhase{45000};
constexpr char kImageA[] = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1";
constexpr char kImageB[] = "123456789012.dkr.ecr.us-west-2.amazonaws.com/custom:v2";

std::string Arn(const std::string& kind, const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:" + kind + "/" + lower_name;
}

class EndpointsTest : public testing::SageMakerServiceTest {
 protected:
  Timings TestTimings() const override {
    Timings timings;
    timings.endpoint = kPhase;
    return timings;
  }

  // The endpoint status stored for `name_key`, or "<absent>".
  std::string DiskStatus(const std::string& name_key) const {
    return StatusOnDisk("endpoint", name_key);
  }

  void CreateModel(const std::string& name, const std::string& image = kImageA) {
    ASSERT_TRUE(Do("CreateModel", R"({"ModelName":")" + name +
                                      R"(","PrimaryContainer":{"Image":")" + image + R"("}})")
                    .ok());
  }
  // A one-variant configuration serving `model` on `count` instances.
  void CreateConfig(const std::string& name, const std::string& model, int count = 1) {
    ASSERT_TRUE(Do("CreateEndpointConfig", R"({"EndpointConfigName":")" + name +
                                               R"(","ProductionVariants":[{
        "VariantName":"AllTraffic","ModelName":")" +
                                               model + R"(","InitialInstanceCount":)" +
                                               std::to_string(count) +
                                               R"(,"InstanceType":"ml.m5.large"}]})")
                    .ok());
  }
  static std::string Endpoint(const std::string& name, const std::string& config) {
    return R"({"EndpointName":")" + name + R"(","EndpointConfigName":")" + config + "\"}";
  }
  static std::string Named(const std::string& name) {
    return R"({"EndpointName":")" + name + R"("})";
  }

  json::value Describe(const std::string& name) {
    auto d = Do("DescribeEndpoint", Named(name));
    EXPECT_TRUE(d.ok()) << name << ": " << (d.ok() ? "" : d.error().message);
    return d.ok() ? *d : json::value();
  }
  // The status, or the error message when Describe fails.
  std::string StatusOf(const std::string& name) {
    auto d = Do("DescribeEndpoint", Named(name));
    if (!d.ok()) return d.error().message;
    return std::string(d->at("EndpointStatus").as_string());
  }
  static TimePoint TimeAt(const json::value& v, std::string_view key) {
    auto t = aws::ToTimePoint(v.at(key));
    EXPECT_TRUE(t.has_value()) << key;
    return t.value_or(TimePoint());
  }
  static json::value Deployed(const std::string& image, TimePoint at) {
    std::string repo = image.substr(0, image.rfind(':'));
    return json::object{{"SpecifiedImage", image},
                        {"ResolvedImage", repo + "@sha256:" + Sha256Hex(image)},
                        {"ResolutionTime", aws::TimestampValue(at)}};
  }

  void AdvanceBy(milliseconds d) { scheduler_->AdvanceBy(d); }

  // A model "m", a configuration "cfg" serving it, and endpoint `name` on it, InService.
  void ServeInService(const std::string& name) {
    CreateModel("m");
    CreateConfig("cfg", "m");
    ASSERT_TRUE(Do("CreateEndpoint", Endpoint(name, "cfg")).ok());
    AdvanceBy(kPhase);
    ASSERT_EQ(StatusOf(name), "InService");
  }
};

TEST_F(EndpointsTest, CreatingThenInServiceWithTheDeployedVariants) {
  ASSERT_NE(service_, nullptr);
  CreateModel("single");
  ASSERT_TRUE(Do("CreateModel", std::string(R"({"ModelName":"pipeline","Containers":[
                     {"Image":")") + kImageA +
                                    R"("},{"Image":")" + kImageB + R"("}]})")
                  .ok());
  ASSERT_TRUE(Do("CreateEndpointConfig", R"({"EndpointConfigName":"two-variants",
      "ProductionVariants":[
        {"VariantName":"Main","ModelName":"single","InitialInstanceCount":3,
         "InstanceType":"ml.m5.large"},
        {"VariantName":"Canary","ModelName":"pipeline","InitialInstanceCount":1,
         "InstanceType":"ml.m5.large","InitialVariantWeight":0.5}]})")
                  .ok());
  clock_.Advance(milliseconds(250));
  auto created = Do("CreateEndpoint", R"({"EndpointName":"My-Endpoint",
      "EndpointConfigName":"two-variants","Tags":[{"Key":"k","Value":"v"}]})");
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string arn = Arn("endpoint", "my-endpoint");
  EXPECT_EQ(*created, json::parse(R"({"EndpointArn":")" + arn + "\"}"));
  const TimePoint t0 = kStart + milliseconds(250);

  EXPECT_EQ(Describe("MY-ENDPOINT"), json::parse(R"({"EndpointName":"My-Endpoint",
      "EndpointArn":")" + arn + R"(","EndpointConfigName":"two-variants",
      "EndpointStatus":"Creating","CreationTime":1763805600.25,
      "LastModifiedTime":1763805600.25})"));
  AdvanceBy(kPhase - milliseconds(1));
  EXPECT_EQ(StatusOf("my-endpoint"), "Creating");
  AdvanceBy(milliseconds(1));

  const TimePoint t1 = t0 + kPhase;
  json::value d = Describe("my-endpoint");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(TimeAt(d, "CreationTime"), t0);
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), t1);
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
  EXPECT_FALSE(d.as_object().contains("Tags"));
  json::array variants{
      json::object{{"VariantName", "Main"},
                   {"DeployedImages", json::array{Deployed(kImageA, t1)}},
                   {"CurrentWeight", 1.0},
                   {"DesiredWeight", 1.0},
                   {"CurrentInstanceCount", 3},
                   {"DesiredInstanceCount", 3}},
      json::object{{"VariantName", "Canary"},
                   {"DeployedImages", json::array{Deployed(kImageA, t1), Deployed(kImageB, t1)}},
                   {"CurrentWeight", 0.5},
                   {"DesiredWeight", 0.5},
                   {"CurrentInstanceCount", 1},
                   {"DesiredInstanceCount", 1}}};
  EXPECT_EQ(d.at("ProductionVariants"), variants);
  EXPECT_EQ(scheduler_->pending(), 0u);
}

TEST_F(EndpointsTest, CreateErrors) {
  ASSERT_NE(service_, nullptr);
  ExpectError(
      Call("CreateEndpoint", Endpoint("ep", "No-Config"), nullptr),
      "Could not find endpoint configuration \"" + Arn("endpoint-config", "no-config") + "\".");
  ExpectError(Call("DescribeEndpoint", Named("ep"), nullptr),
              "Could not find endpoint \"" + Arn("endpoint", "ep") + "\".");
  ServeInService("Taken");
  for (const char* name : {"Taken", "taken", "TAKEN"}) {
    ExpectError(Call("CreateEndpoint", Endpoint(name, "cfg"), nullptr),
                "Cannot create already existing endpoint \"" + Arn("endpoint", "taken") + "\".");
  }
  const std::string missing = "Could not find endpoint \"" + Arn("endpoint", "ghost") + "\".";
  ExpectError(Call("DescribeEndpoint", Named("Ghost"), nullptr), missing);
  ExpectError(Call("DeleteEndpoint", Named("Ghost"), nullptr), missing);
  ExpectError(Call("UpdateEndpoint", Endpoint("Ghost", "cfg"), nullptr), missing);
}

// A config whose model is already gone is refused by CreateEndpoint and UpdateEndpoint
// themselves (as AWS does); a model deleted while the endpoint deploys fails it later (below).
TEST_F(EndpointsTest, ConfigsWithAMissingModelAreRefusedAtTheCall) {
  ASSERT_NE(service_, nullptr);
  CreateModel("gone");
  CreateConfig("cfg-gone", "gone");
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"gone"})").ok());
  const std::string missing = "Could not find model \"" + Arn("model", "gone") + "\".";
  ExpectError(Call("CreateEndpoint", Endpoint("ep-gone", "cfg-gone"), nullptr), missing);
  EXPECT_EQ(StatusOf("ep-gone"), "Could not find endpoint \"" + Arn("endpoint", "ep-gone") + "\".");
  ServeInService("ep");
  ExpectError(Call("UpdateEndpoint", Endpoint("ep", "cfg-gone"), nullptr), missing);
  EXPECT_EQ(StatusOf("ep"), "InService");
}

TEST_F(EndpointsTest, FailsWhenTheConfigOrAModelIsGoneAtDeployment) {
  ASSERT_NE(service_, nullptr);
  CreateModel("kept");
  CreateModel("dropped");
  CreateConfig("cfg-dropped-model", "dropped");
  CreateConfig("cfg-dropped", "kept");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("no-model", "cfg-dropped-model")).ok());
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("no-config", "cfg-dropped")).ok());
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"dropped"})").ok());
  ASSERT_TRUE(Do("DeleteEndpointConfig", R"({"EndpointConfigName":"cfg-dropped"})").ok());
  AdvanceBy(kPhase);

  json::value d = Describe("no-model");
  EXPECT_EQ(d.at("EndpointStatus"), "Failed");
  EXPECT_EQ(d.at("FailureReason"),
            json::value("Could not find model \"" + Arn("model", "dropped") + "\"."));
  EXPECT_FALSE(d.as_object().contains("ProductionVariants"));
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), kStart + kPhase);
  d = Describe("no-config");
  EXPECT_EQ(d.at("EndpointStatus"), "Failed");
  EXPECT_EQ(d.at("FailureReason"), json::value("Could not find endpoint configuration \"" +
                                               Arn("endpoint-config", "cfg-dropped") + "\"."));

  // A failed endpoint can be updated onto a working configuration.
  CreateConfig("cfg-good", "kept", 2);
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("no-model", "cfg-good")).ok());
  d = Describe("no-model");
  EXPECT_EQ(d.at("EndpointStatus"), "Updating");
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
  AdvanceBy(kPhase);
  d = Describe("no-model");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg-good");
  EXPECT_EQ(d.at("ProductionVariants").at(0).at("CurrentInstanceCount"), 2);
  // And a failed one can be deleted.
  ASSERT_TRUE(Do("DeleteEndpoint", Named("no-config")).ok());
  AdvanceBy(kPhase);
  EXPECT_EQ(StatusOf("no-config"),
            "Could not find endpoint \"" + Arn("endpoint", "no-config") + "\".");
}

TEST_F(EndpointsTest, UpdateMovesToTheNewConfig) {
  ASSERT_NE(service_, nullptr);
  ServeInService("ep");
  CreateModel("m2", kImageB);
  CreateConfig("cfg2", "m2", 4);
  clock_.Advance(seconds(5));
  auto updated = Do("UpdateEndpoint", Endpoint("EP", "cfg2"));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(*updated, json::parse(R"({"EndpointArn":")" + Arn("endpoint", "ep") + "\"}"));
  json::value d = Describe("ep");
  EXPECT_EQ(d.at("EndpointStatus"), "Updating");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg");  // still serving the old one
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), clock_.Now());
  // No second update while one is in progress.
  ExpectError(Call("UpdateEndpoint", Endpoint("ep", "cfg"), nullptr),
              "Cannot update in-progress endpoint \"" + Arn("endpoint", "ep") + "\".");
  AdvanceBy(kPhase);
  d = Describe("ep");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg2");
  const json::value& variant = d.at("ProductionVariants").at(0);
  EXPECT_EQ(variant.at("DeployedImages"), json::array{Deployed(kImageB, clock_.Now())});
  EXPECT_EQ(variant.at("CurrentInstanceCount"), 4);
  // A configuration that does not exist is refused at once.
  ExpectError(
      Call("UpdateEndpoint", Endpoint("ep", "Missing"), nullptr),
      "Could not find endpoint configuration \"" + Arn("endpoint-config", "missing") + "\".");
  EXPECT_EQ(StatusOf("ep"), "InService");
}

TEST_F(EndpointsTest, UpdateRollsBackWhenTheNewModelVanished) {
  ASSERT_NE(service_, nullptr);
  ServeInService("ep");
  const json::value before = Describe("ep").at("ProductionVariants");
  CreateModel("short-lived", kImageB);
  CreateConfig("cfg-bad", "short-lived");
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("ep", "cfg-bad")).ok());
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"short-lived"})").ok());
  AdvanceBy(kPhase);
  json::value d = Describe("ep");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg");
  EXPECT_EQ(d.at("ProductionVariants"), before);
  EXPECT_EQ(d.at("FailureReason"),
            json::value("Could not find model \"" + Arn("model", "short-lived") + "\"."));
  // The next successful update clears the reason.
  CreateConfig("cfg-ok", "m", 2);
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("ep", "cfg-ok")).ok());
  AdvanceBy(kPhase);
  d = Describe("ep");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg-ok");
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
}

// Regression: a failed update of an endpoint that was Failed (it never served anything) returns
// it to Failed, not to InService.
TEST_F(EndpointsTest, FailedUpdateOfAFailedEndpointStaysFailed) {
  ASSERT_NE(service_, nullptr);
  CreateModel("gone-early");
  CreateModel("gone-later");
  CreateConfig("cfg-a", "gone-early");
  CreateConfig("cfg-b", "gone-later");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg-a")).ok());
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"gone-early"})").ok());
  AdvanceBy(kPhase);
  ASSERT_EQ(StatusOf("ep"), "Failed");
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("ep", "cfg-b")).ok());
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"gone-later"})").ok());
  AdvanceBy(kPhase);
  json::value d = Describe("ep");
  EXPECT_FALSE(d.as_object().contains("ProductionVariants"));
  EXPECT_EQ(d.at("EndpointStatus"), "Failed");
}

// Regression: an image already pinned by digest resolves to itself.
TEST_F(EndpointsTest, DigestPinnedImagesResolveToThemselves) {
  ASSERT_NE(service_, nullptr);
  const std::string pinned =
      "123456789012.dkr.ecr.us-west-2.amazonaws.com/custom@sha256:"
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  CreateModel("pinned", pinned);
  CreateConfig("cfg", "pinned");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg")).ok());
  AdvanceBy(kPhase);
  json::value image = Describe("ep").at("ProductionVariants").at(0).at("DeployedImages").at(0);
  EXPECT_EQ(image.at("SpecifiedImage"), json::value(pinned));
  EXPECT_EQ(image.at("ResolvedImage"), json::value(pinned));
}

// Regression: a variant without a ModelName (inference-component endpoints) deploys with no
// images instead of failing the endpoint.
TEST_F(EndpointsTest, VariantsWithoutAModelDeploy) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateEndpointConfig", R"({"EndpointConfigName":"ic-cfg",
      "ProductionVariants":[{"VariantName":"AllTraffic","InitialInstanceCount":1,
                             "InstanceType":"ml.g5.xlarge"}]})")
                  .ok());
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ic-ep", "ic-cfg")).ok());
  AdvanceBy(kPhase);
  json::value d = Describe("ic-ep");
  EXPECT_FALSE(d.as_object().contains("FailureReason"));
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
}

TEST_F(EndpointsTest, UpdateOnlyFromInServiceOrFailed) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  CreateConfig("cfg", "m");
  const std::string refused =
      "Cannot update in-progress endpoint \"" + Arn("endpoint", "ep") + "\".";
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg")).ok());
  ExpectError(Call("UpdateEndpoint", Endpoint("ep", "cfg"), nullptr), refused);  // Creating
  AdvanceBy(kPhase);
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("ep", "cfg")).ok());
  ExpectError(Call("UpdateEndpoint", Endpoint("ep", "cfg"), nullptr), refused);  // Updating
  AdvanceBy(kPhase);
  ASSERT_TRUE(Do("DeleteEndpoint", Named("ep")).ok());
  ExpectError(Call("UpdateEndpoint", Endpoint("ep", "cfg"), nullptr), refused);  // Deleting
  EXPECT_EQ(StatusOf("ep"), "Deleting");
}

TEST_F(EndpointsTest, DeleteGoesThroughDeleting) {
  ASSERT_NE(service_, nullptr);
  ServeInService("ep");
  clock_.Advance(seconds(3));
  auto deleted = Do("DeleteEndpoint", Named("EP"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, json::object());
  json::value d = Describe("ep");
  EXPECT_EQ(d.at("EndpointStatus"), "Deleting");
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), clock_.Now());
  // Deleting again while Deleting is accepted and does not push the end back.
  AdvanceBy(kPhase / 2);
  EXPECT_TRUE(Do("DeleteEndpoint", Named("ep")).ok());
  AdvanceBy(kPhase / 2 - milliseconds(1));
  EXPECT_EQ(StatusOf("ep"), "Deleting");
  AdvanceBy(milliseconds(1));
  const std::string gone = "Could not find endpoint \"" + Arn("endpoint", "ep") + "\".";
  // The deleted-waiter's success: a ValidationException from Describe.
  ExpectError(Call("DescribeEndpoint", Named("ep"), nullptr), gone);
  AdvanceBy(kPhase * 2);
  EXPECT_EQ(StatusOf("ep"), gone);
  EXPECT_EQ(DiskStatus("ep"), "<absent>");
  // The name is free again.
  EXPECT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg")).ok());
}

TEST_F(EndpointsTest, StaleTransitionsDoNotResurrect) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  CreateConfig("cfg", "m");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg")).ok());
  AdvanceBy(kPhase / 3);
  // Deleted while Creating: the Creating step, still scheduled, must not make it InService.
  ASSERT_TRUE(Do("DeleteEndpoint", Named("ep")).ok());
  const TimePoint gone_at = clock_.Now() + kPhase;
  AdvanceBy(kPhase - kPhase / 3);  // the Creating step's time
  EXPECT_EQ(StatusOf("ep"), "Deleting");
  EXPECT_FALSE(Describe("ep").as_object().contains("ProductionVariants"));
  scheduler_->AdvanceTo(gone_at);
  EXPECT_EQ(StatusOf("ep"), "Could not find endpoint \"" + Arn("endpoint", "ep") + "\".");

  // Deleted while Updating: the Updating step must not bring it back InService either.
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep2", "cfg")).ok());
  AdvanceBy(kPhase);
  ASSERT_EQ(StatusOf("ep2"), "InService");
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("ep2", "cfg")).ok());
  AdvanceBy(kPhase / 2);
  ASSERT_TRUE(Do("DeleteEndpoint", Named("ep2")).ok());
  const TimePoint deleting_since = clock_.Now();
  AdvanceBy(kPhase / 2);  // the Updating step's time
  json::value d = Describe("ep2");
  EXPECT_EQ(d.at("EndpointStatus"), "Deleting");
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), deleting_since);
  AdvanceBy(kPhase / 2);
  EXPECT_EQ(StatusOf("ep2"), "Could not find endpoint \"" + Arn("endpoint", "ep2") + "\".");
  EXPECT_EQ(scheduler_->pending(), 0u);
}

TEST_F(EndpointsTest, ListFiltersSortsAndPages) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  CreateConfig("cfg", "m");
  // charlie +0 s, Alpha +10, echo +20, Delta +30, bravo +40 (each creating for kPhase).
  for (const char* n : {"charlie", "Alpha", "echo", "Delta", "bravo"}) {
    ASSERT_TRUE(Do("CreateEndpoint", Endpoint(n, "cfg")).ok());
    clock_.Advance(seconds(10));
  }
  // At +60: charlie and Alpha are InService; then echo is deleted (Deleting).
  scheduler_->AdvanceTo(kStart + seconds(60));
  ASSERT_EQ(StatusOf("alpha"), "InService");
  ASSERT_EQ(StatusOf("echo"), "Creating");
  ASSERT_TRUE(Do("DeleteEndpoint", Named("echo")).ok());
  auto names = [&](std::string_view input) {
    auto list = Do("ListEndpoints", input);
    EXPECT_TRUE(list.ok()) << input;
    std::vector<std::string> out;
    if (!list.ok()) return out;
    for (const auto& e : list->at("Endpoints").as_array()) {
      out.push_back(std::string(e.at("EndpointName").as_string()));
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("{}"), (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"SortOrder":"Ascending"})"),
            (V{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  EXPECT_EQ(names(R"({"SortBy":"Name","SortOrder":"Ascending"})"),
            (V{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  EXPECT_EQ(names(R"({"StatusEquals":"InService"})"), (V{"Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"StatusEquals":"Creating"})"), (V{"bravo", "Delta"}));
  EXPECT_EQ(names(R"({"StatusEquals":"Deleting"})"), (V{"echo"}));
  EXPECT_EQ(names(R"({"StatusEquals":"Failed"})"), V{});
  EXPECT_EQ(names(R"({"SortBy":"Status","SortOrder":"Ascending"})"),
            (V{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"NameContains":"A","StatusEquals":"Creating"})"), (V{"bravo", "Delta"}));
  // Last modified: Delta +30, bravo +40 (created), charlie +45, Alpha +55 (InService), echo +60.
  EXPECT_EQ(names(R"({"LastModifiedTimeAfter":1763805640})"),
            (V{"bravo", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(names(R"({"LastModifiedTimeBefore":1763805640})"), (V{"Delta"}));
  EXPECT_EQ(names(R"({"LastModifiedTimeBefore":1763805656})"),
            (V{"bravo", "Delta", "Alpha", "charlie"}));

  auto list = Do("ListEndpoints", R"({"NameContains":"alpha"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, json::parse(R"({"Endpoints":[{"EndpointName":"Alpha",
      "EndpointArn":")" + Arn("endpoint", "alpha") +
                               R"(","CreationTime":1763805610,
      "LastModifiedTime":1763805655,"EndpointStatus":"InService"}]})"));

  for (const char* sort : {"Name", "CreationTime", "Status"}) {
    SCOPED_TRACE(sort);
    V all;
    std::string token;
    int pages = 0;
    do {
      std::string in = std::string(R"({"SortBy":")") + sort + R"(","MaxResults":2)";
      if (!token.empty()) in += R"(,"NextToken":")" + token + "\"";
      auto page = Do("ListEndpoints", in + "}");
      ASSERT_TRUE(page.ok());
      for (const auto& e : page->at("Endpoints").as_array()) {
        all.push_back(std::string(e.at("EndpointName").as_string()));
      }
      const json::object& o = page->as_object();
      token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
      ++pages;
    } while (!token.empty() && pages < 10);
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(all, names(std::string(R"({"SortBy":")") + sort + "\"}"));
  }
}

TEST_F(EndpointsTest, NothingHappensBeforeTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  CreateConfig("cfg", "m");
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateEndpoint", Endpoint("held", "cfg"), &create).ok());
  EXPECT_EQ(StatusOf("held"), "Creating");
  EXPECT_EQ(DiskStatus("held"), "<absent>");
  EXPECT_EQ(scheduler_->pending(), 0u);
  AdvanceBy(kPhase * 2);
  EXPECT_EQ(StatusOf("held"), "Creating");
  std::vector<std::function<Status()>> none;
  ASSERT_TRUE(Call("DescribeEndpoint", Named("held"), &none).ok());
  ASSERT_TRUE(Call("ListEndpoints", "{}", &none).ok());
  EXPECT_TRUE(none.empty());

  for (auto& a : create) ASSERT_TRUE(a().ok());
  EXPECT_EQ(DiskStatus("held"), "Creating");
  EXPECT_EQ(scheduler_->pending(), 1u);
  scheduler_->RunDue();  // already due
  EXPECT_EQ(StatusOf("held"), "InService");
  EXPECT_EQ(DiskStatus("held"), "InService");

  std::vector<std::function<Status()>> del;
  ASSERT_TRUE(Call("DeleteEndpoint", Named("held"), &del).ok());
  EXPECT_EQ(DiskStatus("held"), "InService");
  for (auto& a : del) ASSERT_TRUE(a().ok());
  EXPECT_EQ(DiskStatus("held"), "Deleting");
  AdvanceBy(kPhase);
  EXPECT_EQ(DiskStatus("held"), "<absent>");
}

TEST_F(EndpointsTest, RestartResumesCreatingUpdatingAndDeleting) {
  ASSERT_NE(service_, nullptr);
  ServeInService("updating");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("deleting", "cfg")).ok());
  AdvanceBy(kPhase);
  CreateModel("m2", kImageB);
  CreateConfig("cfg2", "m2");
  ASSERT_TRUE(Do("UpdateEndpoint", Endpoint("updating", "cfg2")).ok());
  ASSERT_TRUE(Do("DeleteEndpoint", Named("deleting")).ok());
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("creating", "cfg")).ok());
  const TimePoint due = clock_.Now() + kPhase;
  AdvanceBy(kPhase / 2);

  Restart();
  EXPECT_EQ(StatusOf("creating"), "Creating");
  EXPECT_EQ(StatusOf("updating"), "Updating");
  EXPECT_EQ(StatusOf("deleting"), "Deleting");
  scheduler_->AdvanceTo(due - milliseconds(1));
  EXPECT_EQ(StatusOf("creating"), "Creating");
  scheduler_->AdvanceTo(due);
  json::value d = Describe("creating");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(d.at("ProductionVariants").at(0).at("DeployedImages"),
            json::array{Deployed(kImageA, due)});
  d = Describe("updating");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(d.at("EndpointConfigName"), "cfg2");
  EXPECT_EQ(StatusOf("deleting"),
            "Could not find endpoint \"" + Arn("endpoint", "deleting") + "\".");
  EXPECT_EQ(DiskStatus("deleting"), "<absent>");
  EXPECT_EQ(DiskStatus("creating"), "InService");
}

TEST_F(EndpointsTest, RestartAfterTheDueTimeRunsTheStepAtOnce) {
  ASSERT_NE(service_, nullptr);
  CreateModel("m");
  CreateConfig("cfg", "m");
  ASSERT_TRUE(Do("CreateEndpoint", Endpoint("ep", "cfg")).ok());
  service_.reset();
  clock_.Advance(kPhase * 10);
  Restart();
  EXPECT_EQ(StatusOf("ep"), "Creating");
  scheduler_->RunDue();
  json::value d = Describe("ep");
  EXPECT_EQ(d.at("EndpointStatus"), "InService");
  EXPECT_EQ(TimeAt(d, "LastModifiedTime"), clock_.Now());
}

}  // namespace
}  // namespace sagetrail::sagemaker
