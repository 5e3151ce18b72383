// ServiceModel and ModelRegistry over the machine's botocore models, plus Load's handling of
// broken model text.
#include "aws/model/service_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include <unistd.h>

#include "aws/model/model_registry.h"
#include "aws/model/pattern.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

using testing::Models;

const ServiceModel& Model(std::string_view name) {
  const ServiceModel* m = Models().Find(name);
  if (m == nullptr) throw std::runtime_error("no model " + std::string(name));
  return *m;
}

const Shape& ShapeNamed(const ServiceModel& m, std::string_view name) {
  ShapeId id = m.FindShape(name);
  if (id == kNoShape) throw std::runtime_error("no shape " + std::string(name));
  return m.shape(id);
}

TEST(ModelRegistryTest, LoadsEveryDefaultService) {
  EXPECT_EQ(ModelRegistry::DefaultServices().size(), 8u);
  ASSERT_EQ(Models().models().size(), ModelRegistry::DefaultServices().size());
  for (const std::string& name : ModelRegistry::DefaultServices()) {
    const ServiceModel* m = Models().Find(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->name(), name);
    EXPECT_GT(m->operations().size(), 0u) << name;
    EXPECT_GT(m->shape_count(), 0u) << name;
  }
  EXPECT_EQ(Models().Find("dynamodb"), nullptr);  // not served, not loaded
}

TEST(ModelRegistryTest, SageMaker) {
  const ServiceMetadata& md = Model("sagemaker").metadata();
  EXPECT_EQ(md.protocol, Protocol::kJson);
  EXPECT_EQ(md.target_prefix, "SageMaker");
  EXPECT_EQ(md.signing_name, "sagemaker");
  EXPECT_EQ(md.json_version, "1.1");
  EXPECT_EQ(md.api_version, "2017-07-24");
  EXPECT_EQ(md.service_id, "SageMaker");
  EXPECT_EQ(md.endpoint_prefix, "api.sagemaker");
}

TEST(ModelRegistryTest, SageMakerRuntime) {
  const ServiceMetadata& md = Model("sagemaker-runtime").metadata();
  EXPECT_EQ(md.protocol, Protocol::kRestJson);
  EXPECT_EQ(md.signing_name, "sagemaker");
  EXPECT_EQ(md.endpoint_prefix, "runtime.sagemaker");
  const Operation* invoke = Model("sagemaker-runtime").FindOperation("InvokeEndpoint");
  ASSERT_NE(invoke, nullptr);
  EXPECT_EQ(invoke->http_method, "POST");
  EXPECT_EQ(invoke->request_uri, "/endpoints/{EndpointName}/invocations");
}

TEST(ModelRegistryTest, CloudTrailAndLogs) {
  const ServiceMetadata& ct = Model("cloudtrail").metadata();
  EXPECT_EQ(ct.protocol, Protocol::kJson);
  EXPECT_EQ(ct.target_prefix, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101");
  EXPECT_EQ(ct.signing_name, "cloudtrail");  // no signingName: the endpoint prefix
  const ServiceMetadata& logs = Model("logs").metadata();
  EXPECT_EQ(logs.protocol, Protocol::kJson);
  EXPECT_EQ(logs.target_prefix, "Logs_20140328");
  EXPECT_EQ(logs.signing_name, "logs");
}

TEST(ModelRegistryTest, QueryServices) {
  EXPECT_EQ(Model("sts").protocol(), Protocol::kQuery);
  EXPECT_EQ(Model("sts").metadata().xml_namespace, "https://sts.amazonaws.com/doc/2011-06-15/");
  EXPECT_EQ(Model("sts").metadata().signing_name, "sts");
  EXPECT_EQ(Model("iam").protocol(), Protocol::kQuery);
  EXPECT_EQ(Model("iam").metadata().xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_EQ(Model("sns").protocol(), Protocol::kQuery);
  EXPECT_EQ(Model("sns").metadata().xml_namespace, "http://sns.amazonaws.com/doc/2010-03-31/");
  const Operation* caller = Model("sts").FindOperation("GetCallerIdentity");
  ASSERT_NE(caller, nullptr);
  EXPECT_EQ(caller->output_result_wrapper, "GetCallerIdentityResult");
}

TEST(ModelRegistryTest, S3) {
  EXPECT_EQ(Model("s3").protocol(), Protocol::kRestXml);
  EXPECT_EQ(Model("s3").metadata().signing_name, "s3");
  EXPECT_STREQ(ProtocolName(Model("s3").protocol()), "rest-xml");
}

TEST(ModelRegistryTest, ProtocolNames) {
  EXPECT_STREQ(ProtocolName(Protocol::kJson), "json");
  EXPECT_STREQ(ProtocolName(Protocol::kRestJson), "rest-json");
  EXPECT_STREQ(ProtocolName(Protocol::kQuery), "query");
  EXPECT_STREQ(ProtocolName(Protocol::kEc2), "ec2");
}

TEST(ModelRegistryTest, BotocoreVersion) {
  std::string v = ModelRegistry::ReadBotocoreVersion(Models().data_dir());
  EXPECT_TRUE(std::regex_match(v, std::regex(R"(\d+\.\d+\.\d+)"))) << v;
  EXPECT_EQ(Models().botocore_version(), v);
  EXPECT_EQ(ModelRegistry::ReadBotocoreVersion("/nonexistent/data"), "unknown");
}

TEST(ModelRegistryTest, BotocoreVersionIsReadFromInitPy) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("sagetrail_botocore_" + std::to_string(getpid()));
  fs::create_directories(root / "data");
  {
    std::ofstream init(root / "__init__.py");
    init << "import os\n\n__version__ = \"1.43.11\"\nother = '2'\n";
  }
  EXPECT_EQ(ModelRegistry::ReadBotocoreVersion((root / "data").string()), "1.43.11");
  {
    std::ofstream init(root / "__init__.py");
    init << "__version__ = '1.2.3'\n";
  }
  EXPECT_EQ(ModelRegistry::ReadBotocoreVersion((root / "data").string()), "1.2.3");
  fs::remove_all(root);
}

TEST(ModelRegistryTest, LocateDataDirRejectsADirectoryWithoutModels) {
  auto r = ModelRegistry::LocateDataDir("/nonexistent/botocore/data");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Status::Code::kNotFound);
  auto ok = ModelRegistry::LocateDataDir(Models().data_dir());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Models().data_dir());
}

TEST(ModelRegistryTest, LoadReportsAnUnknownService) {
  auto r = ModelRegistry::Load(Models().data_dir(), {"sts", "no-such-service"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Status::Code::kNotFound);
  EXPECT_NE(r.error().message().find("no-such-service"), std::string::npos);
}

TEST(ServiceModelTest, CreateTrainingJobInput) {
  const ServiceModel& m = Model("sagemaker");
  const Operation* op = m.FindOperation("CreateTrainingJob");
  ASSERT_NE(op, nullptr);
  ASSERT_NE(op->input, kNoShape);
  const Shape& in = m.shape(op->input);
  EXPECT_EQ(in.type, ShapeType::kStructure);
  std::vector<std::string> required;
  for (uint32_t i : in.required) required.push_back(in.members[i].name);
  std::sort(required.begin(), required.end());
  EXPECT_EQ(required, (std::vector<std::string>{"OutputDataConfig", "RoleArn", "TrainingJobName"}));
  // Members keep the model's order.
  ASSERT_GE(in.members.size(), 3u);
  EXPECT_EQ(in.members[0].name, "TrainingJobName");
  EXPECT_EQ(in.members[1].name, "HyperParameters");
  EXPECT_EQ(in.members[2].name, "AlgorithmSpecification");
  const Member* name = in.FindMember("TrainingJobName");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(m.shape(name->shape).name, "TrainingJobName");
  EXPECT_EQ(in.FindMember("trainingJobName"), nullptr);  // names are case-sensitive
  const Shape& rc = ShapeNamed(m, "ResourceConfig");
  const Member* type = rc.FindMember("InstanceType");
  ASSERT_NE(type, nullptr);
  EXPECT_FALSE(m.shape(type->shape).enum_values.empty());
}

TEST(ServiceModelTest, OperationsAreSortedByName) {
  const auto& ops = Model("sagemaker").operations();
  ASSERT_GT(ops.size(), 100u);
  for (size_t i = 1; i < ops.size(); ++i) EXPECT_LT(ops[i - 1]->name, ops[i]->name);
  EXPECT_EQ(Model("sagemaker").FindOperation("NoSuchOperation"), nullptr);
}

TEST(ServiceModelTest, DisplayPatternRestoresAnchors) {
  const Shape& s = ShapeNamed(Model("sagemaker"), "TrainingJobName");
  EXPECT_EQ(s.pattern, "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
  EXPECT_EQ(s.pattern.find('^'), std::string::npos);
  EXPECT_EQ(s.display_pattern, "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
  EXPECT_EQ(s.min_text, "1");
  EXPECT_EQ(s.max_text, "63");
  ASSERT_TRUE(s.max.has_value());
  EXPECT_EQ(*s.max, 63.0);
  // "^$" restores both ends.
  const Shape& role = ShapeNamed(Model("sagemaker"), "RoleArn");
  EXPECT_EQ(role.display_pattern, "^" + role.pattern + "$");
}

TEST(ServiceModelTest, ShapesOutsideThePatchKeepTheirPattern) {
  // None of these is in patches/display_anchors.txt.
  for (const char* name : {"ChannelName", "ContentType", "TrainingJobArn", "S3DataType"}) {
    const Shape& s = ShapeNamed(Model("sagemaker"), name);
    EXPECT_EQ(s.display_pattern, s.pattern) << name;
  }
  EXPECT_EQ(ShapeNamed(Model("sagemaker"), "ChannelName").display_pattern, "[A-Za-z0-9\\.\\-_]+");
}

TEST(ServiceModelTest, PatternsCompileOnceAndAreShared) {
  const ServiceModel& m = Model("sagemaker");
  const Shape& s = ShapeNamed(m, "TrainingJobName");
  const CompiledPattern* p = m.Pattern(s);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(m.Pattern(s), p);
  EXPECT_TRUE(p->Matches("my-training-job"));
  EXPECT_FALSE(p->Matches("my_training_job"));
  EXPECT_EQ(m.Pattern(ShapeNamed(m, "TrainingInstanceType")), nullptr);  // no pattern
}

// --- Load on hand-written model text --------------------------------------------------------

// A tiny hand-written model of our own (not a botocore model).
constexpr char kTinyModel[] = R"({
  "metadata": {"protocol" : "json", "targetPrefix": "Tiny", "endpointPrefix": "tiny",
               "jsonVersion": "1.0", "apiVersion": "2020-01-01", "serviceId": "Tiny"},
  "operations": {
    "DoThing": {"name": "DoThing", "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "DoThingInput"}, "output": {"shape": "DoThingOutput"},
                "errors": [{"shape": "Oops"}]}
  },
  "shapes": {
    "DoThingInput": {"type": "structure", "required": ["Name"],
                     "members": {"Name": {"shape": "Name"}, "Count": {"shape": "Count"}}},
    "DoThingOutput": {"type": "structure", "members": {"When": {"shape": "When"}}},
    "Name": {"type": "string", "min": 1, "max": 8, "pattern": "[a-z]+"},
    "Count": {"type": "integer", "min": 0, "max": 2.5},
    "When": {"type": "timestamp"},
    "Oops": {"type": "structure", "members": {}, "exception": true,
             "error": {"code": "Oops", "httpStatusCode": 409, "senderFault": true}}
  }
})";

TEST(ServiceModelLoadTest, LoadsAHandWrittenModel) {
  auto r = ServiceModel::Load("tiny", kTinyModel, {{"Name", "^$"}});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const ServiceModel& m = **r;
  EXPECT_EQ(m.name(), "tiny");
  EXPECT_EQ(m.metadata().signing_name, "tiny");
  EXPECT_EQ(m.metadata().json_version, "1.0");
  const Operation* op = m.FindOperation("DoThing");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(m.shape(op->input).name, "DoThingInput");
  ASSERT_EQ(op->errors.size(), 1u);
  const Shape& oops = m.shape(op->errors[0]);
  EXPECT_TRUE(oops.is_exception);
  EXPECT_EQ(oops.error_http_status, 409);
  EXPECT_EQ(oops.error_code, "Oops");
  const Shape& name = m.shape(m.FindShape("Name"));
  EXPECT_EQ(name.display_pattern, "^[a-z]+$");
  const Shape& count = m.shape(m.FindShape("Count"));
  EXPECT_EQ(count.min_text, "0");
  EXPECT_EQ(count.max_text, "2.5");
  EXPECT_EQ(count.type, ShapeType::kInteger);
}

TEST(ServiceModelLoadTest, RejectsMalformedJson) {
  auto r = ServiceModel::Load("broken", R"({"metadata": {"protocol" : "json"}, "shapes": {)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Status::Code::kCorruption);
  EXPECT_NE(r.error().message().find("broken"), std::string::npos);
}

TEST(ServiceModelLoadTest, RejectsNonObjectAndMissingSections) {
  EXPECT_FALSE(ServiceModel::Load("x", "[]").ok());
  EXPECT_FALSE(ServiceModel::Load("x", "").ok());
  auto r = ServiceModel::Load("x", R"({"metadata": {}, "shapes": {}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("missing sections"), std::string::npos);
}

TEST(ServiceModelLoadTest, RejectsAMemberPointingToAnUnknownShape) {
  auto r = ServiceModel::Load("x", R"({
    "metadata": {"protocol" : "json"}, "operations": {},
    "shapes": {"In": {"type": "structure", "members": {"Name": {"shape": "Missing"}}}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Status::Code::kCorruption);
  EXPECT_NE(r.error().message().find("In.Name"), std::string::npos) << r.error().message();
}

TEST(ServiceModelLoadTest, RejectsAListOrMapWithoutItsShapes) {
  auto list = ServiceModel::Load("x", R"({
    "metadata": {}, "operations": {},
    "shapes": {"L": {"type": "list", "member": {"shape": "Nope"}}}})");
  EXPECT_FALSE(list.ok());
  auto map = ServiceModel::Load("x", R"({
    "metadata": {}, "operations": {},
    "shapes": {"S": {"type": "string"}, "M": {"type": "map", "key": {"shape": "S"}}}})");
  EXPECT_FALSE(map.ok());
}

TEST(ServiceModelLoadTest, RejectsAnUnknownShapeType) {
  auto r = ServiceModel::Load("x", R"({
    "metadata": {}, "operations": {}, "shapes": {"T": {"type": "tuple"}}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unknown type"), std::string::npos);
}

}  // namespace
}  // namespace sagetrail::aws
