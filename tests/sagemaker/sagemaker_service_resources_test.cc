// What a SageMaker call is authorized and recorded against: only the members its input shape
// defines name resources, so an extra member (which SageMaker ignores) cannot choose the resource.
#include <gtest/gtest.h>

#include <set>

#include "sagemaker/resource.h"
#include "sagemaker_service_test.h"

namespace sagetrail::sagemaker::testing {
namespace {

namespace json = boost::json;

class SageMakerResourcesTest : public SageMakerServiceTest {
 protected:
  aws::RequestContext Ctx(const std::string& op, json::value input) {
    return Context(op, std::move(input));
  }
  std::string Arn(const std::string& kind, const std::string& name) {
    return "arn:aws:sagemaker:" + std::string(kRegion) + ":" + kAcct + ":" + kind + "/" + name;
  }
};

TEST_F(SageMakerResourcesTest, ExtraMembersNameNoResource) {
  auto url =
      Ctx("CreatePresignedNotebookInstanceUrl", json::object{{"NotebookInstanceName", "protected"},
                                                             {"ModelName", "zzz"},
                                                             {"EndpointName", "zzz"},
                                                             {"TrainingJobName", "zzz"}});
  url.resources = service_->ResolveResources(url);
  ASSERT_EQ(url.resources.size(), 1u);
  EXPECT_EQ(url.resources[0].type, "AWS::SageMaker::NotebookInstance");
  EXPECT_EQ(service_->AccessFor(url).resource, Arn("notebook-instance", "protected"));

  for (const char* op : {"AddTags", "ListTags", "DeleteTags"}) {
    auto tags = Ctx(op, json::object{{"ResourceArn", Arn("endpoint", "protected")},
                                     {"ModelName", "zzz"},
                                     {"Tags", json::array()},
                                     {"TagKeys", json::array()}});
    tags.resources = service_->ResolveResources(tags);
    ASSERT_EQ(tags.resources.size(), 1u) << op;
    EXPECT_EQ(tags.resources[0].type, "AWS::SageMaker::Endpoint") << op;
    EXPECT_EQ(service_->AccessFor(tags).resource, Arn("endpoint", "protected")) << op;
  }
  // A ResourceArn is no resource of an operation that defines none.
  auto describe = Ctx("DescribeModel", json::object{{"ModelName", "m"},
                                                    {"ResourceArn", Arn("endpoint", "protected")}});
  describe.resources = service_->ResolveResources(describe);
  ASSERT_EQ(describe.resources.size(), 1u);
  EXPECT_EQ(service_->AccessFor(describe).resource, Arn("model", "m"));
}

// Every operation of the model, given every resource-naming member at once: each resolved
// resource comes from a member that operation's input defines.
TEST_F(SageMakerResourcesTest, EveryOperationResolvesOnlyItsOwnMembers) {
  const aws::ServiceModel& model = *sagetrail::testing::Models().Find("sagemaker");
  json::object everything;
  for (const ResourceKind& kind : ResourceKinds()) {
    everything[kind.name_member] = "x-" + std::string(kind.kind);
  }
  everything["ResourceArn"] = Arn("model", "x-by-arn");
  size_t checked = 0;
  for (const aws::Operation* op : model.operations()) {
    auto ctx = Ctx(op->name, everything);
    const aws::Shape& input = model.shape(op->input);
    std::set<std::string> allowed;
    for (const ResourceKind& kind : ResourceKinds()) {
      if (input.FindMember(kind.name_member) != nullptr) {
        allowed.insert(std::string(kind.type) + " x-" + std::string(kind.kind));
      }
    }
    if (input.FindMember("ResourceArn") != nullptr)
      allowed.insert("AWS::SageMaker::Model x-by-arn");
    for (const aws::CallResource& r : service_->ResolveResources(ctx)) {
      EXPECT_TRUE(allowed.count(r.type + " " + r.name))
          << op->name << " resolved " << r.type << " " << r.name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50u);  // the operations that do name resources were seen
}

}  // namespace
}  // namespace sagetrail::sagemaker::testing
