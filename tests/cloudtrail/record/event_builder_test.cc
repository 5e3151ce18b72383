// EventBuilder: the exact record JSON for API calls (identities, parameters, errors, data
// events, global services) and for service events, and the fields Event history indexes.
#include "cloudtrail/record/event_builder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/strings.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

namespace json = boost::json;
using sagetrail::testing::Models;

constexpr char kAcct[] = "123456789012";
const TimePoint kT0 = FromUnixSeconds(1763805600);  // 2025-11-22T10:00:00Z

aws::Identity IamUser() {
  aws::Identity id;
  id.type = aws::IdentityType::kIAMUser;
  id.principal_id = "AIDAEXAMPLEEXAMPLE01";
  id.arn = "arn:aws:iam::123456789012:user/alice";
  id.account_id = kAcct;
  id.access_key_id = "AKIAEXAMPLEEXAMPLE01";
  id.user_name = "alice";
  return id;
}

aws::Identity Root(std::string alias = "") {
  aws::Identity id;
  id.type = aws::IdentityType::kRoot;
  id.principal_id = kAcct;
  id.arn = "arn:aws:iam::123456789012:root";
  id.account_id = kAcct;
  id.access_key_id = "AKIAROOTEXAMPLE00001";
  id.user_name = std::move(alias);
  return id;
}

aws::Identity AssumedRole() {
  aws::Identity id;
  id.type = aws::IdentityType::kAssumedRole;
  id.principal_id = "AROAEXAMPLEEXAMPLE01:build-session";
  id.arn = "arn:aws:sts::123456789012:assumed-role/Builder/build-session";
  id.account_id = kAcct;
  id.access_key_id = "ASIAEXAMPLEEXAMPLE01";
  id.user_name = "Builder";  // must not surface as a top-level userName
  id.session_name = "build-session";
  aws::SessionContext s;
  s.issuer = aws::SessionIssuer{"Role", "AROAEXAMPLEEXAMPLE01",
                                "arn:aws:iam::123456789012:role/Builder", kAcct, "Builder"};
  s.creation_date = FromUnixSeconds(1613951188);  // 2021-02-21T23:46:28Z
  s.mfa_authenticated = false;
  id.session = s;
  return id;
}

aws::Identity Service() {
  aws::Identity id;
  id.type = aws::IdentityType::kAWSService;
  id.invoked_by = "sagemaker.amazonaws.com";
  id.account_id = kAcct;  // not written: AWSService has exactly type and invokedBy
  id.principal_id = "ignored";
  return id;
}

// Traits as the services declare theirs (each service's own are tested with it): here they only
// show that the builder follows what a service says.
struct GlobalServiceTraits : aws::ServiceTraits {
  std::string RecordRegion(std::string_view) const override { return "us-east-1"; }
};
struct CredentialServiceTraits : aws::ServiceTraits {
  bool IsReadOnly(std::string_view) const override { return true; }
  bool LogsResponse(std::string_view op) const override { return op != "GetCallerIdentity"; }
  bool ListsResources(std::string_view op) const override { return op == "AssumeRole"; }
};
struct DataPlaneTraits : aws::ServiceTraits {
  bool IsReadOnly(std::string_view) const override { return false; }
  bool IsDataEvent(std::string_view) const override { return true; }
  bool LogsRequestParameters(std::string_view) const override { return false; }
};
struct PresigningTraits : aws::ServiceTraits {
  bool HidesOutputMember(std::string_view, std::string_view member) const override {
    return member == "AuthorizedUrl";
  }
};

const aws::ServiceTraits* TraitsFor(std::string_view service) {
  static const GlobalServiceTraits kIam;
  static const CredentialServiceTraits kSts;
  static const DataPlaneTraits kRuntime;
  static const PresigningTraits kSageMaker;
  if (service == "iam") return &kIam;
  if (service == "sts") return &kSts;
  if (service == "sagemaker-runtime") return &kRuntime;
  if (service == "sagemaker") return &kSageMaker;
  return &aws::ServiceTraits::Default();
}

class EventBuilderTest : public ::testing::Test {
 protected:
  aws::RequestContext Ctx(const std::string& service, const std::string& op, std::string_view input,
                          std::string_view output = "null", aws::Identity identity = IamUser()) {
    aws::RequestContext ctx;
    ctx.request_id = "11111111-2222-4333-8444-555555555555";
    ctx.received_at = kT0;
    ctx.completed_at = kT0 + std::chrono::milliseconds(999);
    ctx.source_ip = "203.0.113.7";
    ctx.user_agent = "aws-cli/2.15.0 Python/3.11";
    ctx.service = Models().Find(service);
    ctx.traits = TraitsFor(service);
    EXPECT_NE(ctx.service, nullptr) << service;
    if (ctx.service) ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.authenticated = true;
    ctx.identity = std::move(identity);
    ctx.account_id = kAcct;
    ctx.region = "us-west-2";
    ctx.input = json::parse(input);
    ctx.output = json::parse(output);
    return ctx;
  }

  // The record's text up to (not including) "requestParameters", for an IAM user's call.
  static std::string Head(const std::string& event_name, const std::string& region = "us-west-2",
                          const std::string& source = "sagemaker.amazonaws.com") {
    return R"({"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE01","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLEEXAMPLE01","userName":"alice"},"eventTime":"2025-11-22T10:00:00Z","eventSource":")" +
           source + R"(","eventName":")" + event_name + R"(","awsRegion":")" + region +
           R"(","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0 Python/3.11",)";
  }
  static std::string Tail(const EventRecord& r, bool read_only) {
    return R"("requestID":"11111111-2222-4333-8444-555555555555","eventID":")" + r.event_id +
           R"(","readOnly":)" + (read_only ? "true" : "false") +
           R"(,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"})";
  }
  static json::object Parse(const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    EXPECT_FALSE(ec) << ec.message() << ": " << body;
    return v.is_object() ? v.get_object() : json::object();
  }

  SeededRandom random_{42};
  EventBuilder builder_{random_};
};

TEST_F(EventBuilderTest, CreateModelRecordIsExact) {
  auto ctx = Ctx("sagemaker", "CreateModel",
                 R"({"Tags":[{"Value":"v1","Key":"team"}],
                     "ExecutionRoleArn":"arn:aws:iam::123456789012:role/SageMakerRole",
                     "PrimaryContainer":{"Environment":{"MY_VAR":"1","lower_case":"x","Z":"z"},
                                         "Image":"123.dkr.ecr.us-west-2.amazonaws.com/img:1"},
                     "ModelName":"MyModel"})",
                 R"({"ModelArn":"arn:aws:sagemaker:us-west-2:123456789012:model/mymodel"})");
  // What the service resolved the call to be about (the record lists and indexes it as is).
  ctx.resources = {{"AWS::SageMaker::Model", "MyModel",
                    "arn:aws:sagemaker:us-west-2:123456789012:model/mymodel"}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("CreateModel") +
          R"("requestParameters":{"modelName":"MyModel","primaryContainer":{"image":"123.dkr.ecr.us-west-2.amazonaws.com/img:1","environment":{"MY_VAR":"1","lower_case":"x","Z":"z"}},"executionRoleArn":"arn:aws:iam::123456789012:role/SageMakerRole","tags":[{"key":"team","value":"v1"}]},"responseElements":{"modelArn":"arn:aws:sagemaker:us-west-2:123456789012:model/mymodel"},)" +
          Tail(r, false));
  // The indexed fields.
  EXPECT_EQ(r.seq, 0u);
  EXPECT_EQ(r.account_id, kAcct);
  EXPECT_EQ(r.region, "us-west-2");
  EXPECT_EQ(r.event_time, kT0);
  EXPECT_EQ(r.event_name, "CreateModel");
  EXPECT_EQ(r.event_source, "sagemaker.amazonaws.com");
  EXPECT_EQ(r.username, "alice");
  EXPECT_EQ(r.access_key_id, "AKIAEXAMPLEEXAMPLE01");
  EXPECT_FALSE(r.read_only);
  EXPECT_TRUE(r.management);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].type, "AWS::SageMaker::Model");
  EXPECT_EQ(r.resources[0].name, "MyModel");
  EXPECT_EQ(r.resources[0].arn, "arn:aws:sagemaker:us-west-2:123456789012:model/mymodel");
  EXPECT_EQ(r.event_id.size(), 36u);
  EXPECT_EQ(r.event_id, AsciiLower(r.event_id));
  Parse(r.body);
}

TEST_F(EventBuilderTest, EventIdsAreFreshPerRecord) {
  auto ctx = Ctx("sagemaker", "ListModels", "{}", R"({"Models":[]})");
  EXPECT_NE(builder_.FromRequest(ctx).event_id, builder_.FromRequest(ctx).event_id);
}

TEST_F(EventBuilderTest, ReadOnlyCallHasNullResponseAndRecordTimestamps) {
  auto ctx = Ctx("sagemaker", "ListModels",
                 R"({"CreationTimeBefore":1577880000,"CreationTimeAfter":1577836800,
                     "MaxResults":5,"NameContains":"my"})",
                 R"({"Models":[{"ModelName":"a","ModelArn":"arn","CreationTime":1577836800}]})");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("ListModels") +
          R"("requestParameters":{"maxResults":5,"nameContains":"my","creationTimeBefore":"Jan 1, 2020, 12:00:00 PM","creationTimeAfter":"Jan 1, 2020, 12:00:00 AM"},"responseElements":null,)" +
          Tail(r, true));
  EXPECT_TRUE(r.read_only);
  EXPECT_TRUE(r.resources.empty());
}

TEST_F(EventBuilderTest, TimestampsInParametersUseTheMediumForm) {
  // Afternoon hours are 1-12, fractions dropped, ISO text accepted.
  auto ctx = Ctx("sagemaker", "ListModels",
                 R"({"CreationTimeAfter":1763819109.75,
                     "CreationTimeBefore":"2025-03-05T00:07:08Z"})");
  EventRecord r = builder_.FromRequest(ctx);
  auto params = Parse(r.body).at("requestParameters").as_object();
  EXPECT_EQ(params.at("creationTimeAfter").as_string(), "Nov 22, 2025, 1:45:09 PM");
  EXPECT_EQ(params.at("creationTimeBefore").as_string(), "Mar 5, 2025, 12:07:08 AM");
}

TEST_F(EventBuilderTest, EmptyInputAndOutputAreNull) {
  auto list = Ctx("sagemaker", "ListModels", "{}", R"({"Models":[]})");
  EventRecord r = builder_.FromRequest(list);
  EXPECT_EQ(r.body, Head("ListModels") + R"("requestParameters":null,"responseElements":null,)" +
                        Tail(r, true));
  auto del = Ctx("sagemaker", "DeleteModel", R"({"ModelName":"m"})", "{}");
  r = builder_.FromRequest(del);
  EXPECT_EQ(r.body, Head("DeleteModel") +
                        R"("requestParameters":{"modelName":"m"},"responseElements":null,)" +
                        Tail(r, false));
  EXPECT_FALSE(r.read_only);
}

TEST_F(EventBuilderTest, FailedCallCarriesTheErrorAndNoResponse) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"Missing"})");
  ctx.error = aws::AwsError::Validation(
      "Could not find model \"arn:aws:sagemaker:us-west-2:123456789012:model/missing\".");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("DescribeModel") +
          R"("errorCode":"ValidationException","errorMessage":"Could not find model \"arn:aws:sagemaker:us-west-2:123456789012:model/missing\".","requestParameters":{"modelName":"Missing"},"responseElements":null,)" +
          Tail(r, true));
  // A failed mutating call: no response elements even if some output was left behind.
  auto create = Ctx("sagemaker", "CreateModel", R"({"ModelName":"Dup"})",
                    R"({"ModelArn":"arn:aws:sagemaker:us-west-2:123456789012:model/dup"})");
  create.error = aws::AwsError::Validation("Cannot create already existing model.");
  create.resources = {
      {"AWS::SageMaker::Model", "Dup", "arn:aws:sagemaker:us-west-2:123456789012:model/dup"}};
  r = builder_.FromRequest(create);
  auto o = Parse(r.body);
  EXPECT_TRUE(o.at("responseElements").is_null());
  EXPECT_EQ(o.at("errorCode").as_string(), "ValidationException");
  // The resource is still indexed.
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].arn, "arn:aws:sagemaker:us-west-2:123456789012:model/dup");
}

TEST_F(EventBuilderTest, InputThatFailedToParseIsNull) {
  auto ctx = Ctx("sagemaker", "CreateModel", "null");
  ctx.error = aws::AwsError::Serialization("Start of structure or map found where not expected.");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("CreateModel") +
          R"("errorCode":"SerializationException","errorMessage":"Start of structure or map found where not expected.","requestParameters":null,"responseElements":null,)" +
          Tail(r, false));
  EXPECT_TRUE(r.resources.empty());
}

TEST_F(EventBuilderTest, ErrorMessageAndUserAgentAreCappedAt1KB) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})");
  ctx.user_agent = std::string(3000, 'u');
  ctx.error = aws::AwsError::Validation(std::string(2000, 'e'));
  auto o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_EQ(o.at("userAgent").as_string(), std::string(1024, 'u'));
  EXPECT_EQ(o.at("errorMessage").as_string(), std::string(1024, 'e'));
}

TEST_F(EventBuilderTest, CappingNeverSplitsAUtf8Character) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})");
  // 1023 bytes, then a two-byte character straddling the 1 KB cap.
  ctx.user_agent = std::string(1023, 'u') + "\xc3\xa9" + "tail";
  ctx.error = aws::AwsError::Validation(std::string(1022, 'e') + "\xe2\x82\xac" + "more");
  EventRecord r = builder_.FromRequest(ctx);
  auto o = Parse(r.body);  // valid JSON, valid UTF-8
  ASSERT_TRUE(o.contains("userAgent"));
  EXPECT_EQ(o.at("userAgent").as_string(), std::string(1023, 'u'));
  EXPECT_EQ(o.at("errorMessage").as_string(), std::string(1022, 'e'));
  // Characters that fit are kept whole.
  ctx.user_agent = std::string(1022, 'u') + "\xc3\xa9" + "tail";
  o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_EQ(o.at("userAgent").as_string(), std::string(1022, 'u') + "\xc3\xa9");
}

TEST_F(EventBuilderTest, BytesThatAreNotUtf8NeverMakeTheRecordInvalid) {
  // Header values may carry any octet, and form or URI decoding can produce any byte string.
  auto ctx = Ctx("iam", "CreateUser", R"({"UserName":"x"})");
  ctx.user_agent = "curl/7.0 \xff\xfe latin1-\xe9 ok";
  ctx.input.as_object()["UserName"] = "bob\xc3";
  ctx.resources = {{"AWS::IAM::User", "bob\xc3", "arn:aws:iam::123456789012:user/bob\xc3"}};
  ctx.error = aws::AwsError::Validation("bad name bob\xc3 \xed\xa0\x80 \xc0\xaf");
  EventRecord r = builder_.FromRequest(ctx);
  auto o = Parse(r.body);
  ASSERT_TRUE(o.contains("userAgent")) << r.body;
  EXPECT_EQ(o.at("userAgent").as_string(),
            "curl/7.0 \xef\xbf\xbd\xef\xbf\xbd latin1-\xef\xbf\xbd ok");
  EXPECT_EQ(o.at("requestParameters").at("userName").as_string(), "bob\xef\xbf\xbd");
  // Surrogates and overlong forms are not UTF-8 either.
  EXPECT_EQ(o.at("errorMessage").as_string().find("\xed\xa0\x80"), json::string::npos);
  EXPECT_EQ(o.at("errorMessage").as_string().find("\xc0\xaf"), json::string::npos);
  // The indexed copies are repaired the same way.
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].name, "bob\xef\xbf\xbd");
  // Valid text of every length is left exactly as it was.
  ctx.user_agent = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  ctx.error.reset();
  ctx.input.as_object()["UserName"] = "bob";
  o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_EQ(o.at("userAgent").as_string(), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST_F(EventBuilderTest, ListsAndMapsInsideParameters) {
  auto ctx =
      Ctx("sagemaker", "CreateTrainingJob",
          R"({"TrainingJobName":"tj-1",
                     "HyperParameters":{"Learning_Rate":"0.1","epochs":"5","_tuning_objective_metric":"m"},
                     "RoleArn":"arn:aws:iam::123456789012:role/r",
                     "InputDataConfig":[{"DataSource":{"S3DataSource":{"S3Uri":"s3://b/train","S3DataType":"S3Prefix"}},"ChannelName":"train"},
                                        {"ChannelName":"test","ContentType":"text/csv"}],
                     "OutputDataConfig":{"S3OutputPath":"s3://b/out"},
                     "Environment":{"PATH_EXTRA":"/opt","x":"y"}})",
          R"({"TrainingJobArn":"arn:aws:sagemaker:us-west-2:123456789012:training-job/tj-1"})");
  ctx.resources = {{"AWS::SageMaker::TrainingJob", "tj-1",
                    "arn:aws:sagemaker:us-west-2:123456789012:training-job/tj-1"}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("CreateTrainingJob") +
          R"("requestParameters":{"trainingJobName":"tj-1","hyperParameters":{"Learning_Rate":"0.1","epochs":"5","_tuning_objective_metric":"m"},"roleArn":"arn:aws:iam::123456789012:role/r","inputDataConfig":[{"channelName":"train","dataSource":{"s3DataSource":{"s3DataType":"S3Prefix","s3Uri":"s3://b/train"}}},{"channelName":"test","contentType":"text/csv"}],"outputDataConfig":{"s3OutputPath":"s3://b/out"},"environment":{"PATH_EXTRA":"/opt","x":"y"}},"responseElements":{"trainingJobArn":"arn:aws:sagemaker:us-west-2:123456789012:training-job/tj-1"},)" +
          Tail(r, false));
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].type, "AWS::SageMaker::TrainingJob");
}

TEST_F(EventBuilderTest, SensitiveMembersOfARealModelAreHidden) {
  auto ctx = Ctx("sagemaker", "CreateModelCard",
                 R"({"ModelCardName":"card","Content":"{\"secret\":1}","ModelCardStatus":"Draft"})",
                 R"({"ModelCardArn":"arn:aws:sagemaker:us-west-2:123456789012:model-card/card"})");
  auto params = Parse(builder_.FromRequest(ctx).body).at("requestParameters").as_object();
  EXPECT_EQ(params.at("content").as_string(), "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(params.at("modelCardName").as_string(), "card");
  EXPECT_EQ(params.at("modelCardStatus").as_string(), "Draft");
}

// A tiny hand-written model of our own (not a botocore model).
constexpr char kSecretsModel[] = R"({
  "metadata": {"protocol" : "json", "targetPrefix": "Vault", "endpointPrefix": "vault",
               "signingName": "vault", "jsonVersion": "1.1", "apiVersion": "2020-01-01",
               "serviceId": "Vault"},
  "operations": {
    "PutSecret": {"name": "PutSecret", "http": {"method": "POST", "requestUri": "/"},
                  "input": {"shape": "PutSecretInput"}, "output": {"shape": "PutSecretOutput"}}
  },
  "shapes": {
    "PutSecretInput": {"type": "structure", "members": {
      "Name": {"shape": "Name"}, "Secret": {"shape": "Secret"}, "Login": {"shape": "Login"},
      "Items": {"shape": "Items"}, "Labels": {"shape": "Labels"}, "When": {"shape": "When"},
      "Count": {"shape": "Count"}, "Enabled": {"shape": "Enabled"}}},
    "PutSecretOutput": {"type": "structure", "members": {
      "Id": {"shape": "Name"}, "Token": {"shape": "Secret"}}},
    "Login": {"type": "structure", "sensitive": true, "members": {"User": {"shape": "Name"}}},
    "Item": {"type": "structure", "members": {"Label": {"shape": "Name"},
                                              "Value": {"shape": "Secret"}}},
    "Items": {"type": "list", "member": {"shape": "Item"}},
    "Labels": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Secret"}},
    "Name": {"type": "string"},
    "Secret": {"type": "string", "sensitive": true},
    "When": {"type": "timestamp"},
    "Count": {"type": "integer"},
    "Enabled": {"type": "boolean"}
  }
})";

// Sensitive members are hidden in requestParameters and left out of responseElements.
TEST_F(EventBuilderTest, SensitiveShapesAreHiddenWhereverTheyAppear) {
  auto model = aws::ServiceModel::Load("vault", kSecretsModel);
  ASSERT_TRUE(model.ok()) << model.error().ToString();
  aws::RequestContext ctx = Ctx("sagemaker", "ListModels", "{}");
  ctx.service = model->get();
  ctx.operation = (*model)->FindOperation("PutSecret");
  ASSERT_NE(ctx.operation, nullptr);
  ctx.input = json::parse(R"({"Enabled":true,"Count":3,"When":1577880000,
      "Labels":{"KeyA":"s1","keyB":"s2"},
      "Items":[{"Value":"s3","Label":"one"},{"Label":"two"}],
      "Login":{"User":"bob"},"Secret":"s0","Name":"n"})");
  ctx.output = json::parse(R"({"Token":"t","Id":"id-1"})");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(r.event_source, "vault.amazonaws.com");
  std::string body = r.body;
  EXPECT_NE(
      body.find(
          R"("requestParameters":{"name":"n","secret":"HIDDEN_DUE_TO_SECURITY_REASONS","login":"HIDDEN_DUE_TO_SECURITY_REASONS","items":[{"label":"one","value":"HIDDEN_DUE_TO_SECURITY_REASONS"},{"label":"two"}],"labels":{"KeyA":"HIDDEN_DUE_TO_SECURITY_REASONS","keyB":"HIDDEN_DUE_TO_SECURITY_REASONS"},"when":"Jan 1, 2020, 12:00:00 PM","count":3,"enabled":true},"responseElements":{"id":"id-1"},)"),
      std::string::npos)
      << body;
  for (const char* secret : {"\"s0\"", "\"s1\"", "\"s2\"", "\"s3\"", "bob", "\"t\""}) {
    EXPECT_EQ(body.find(secret), std::string::npos) << secret;
  }
}

TEST_F(EventBuilderTest, RootIdentity) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})", "{}", Root());
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_NE(
      r.body.find(
          R"("userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012","accessKeyId":"AKIAROOTEXAMPLE00001"},"eventTime")"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.username, "root");
  // With an account alias, the alias is the userName; Event history still says "root".
  ctx.identity = Root("acme-prod");
  r = builder_.FromRequest(ctx);
  EXPECT_NE(
      r.body.find(R"("accessKeyId":"AKIAROOTEXAMPLE00001","userName":"acme-prod"},"eventTime")"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.username, "root");
}

TEST_F(EventBuilderTest, AssumedRoleIdentity) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})", "{}", AssumedRole());
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_NE(
      r.body.find(
          R"("userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEEXAMPLE01:build-session","arn":"arn:aws:sts::123456789012:assumed-role/Builder/build-session","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEEXAMPLE01","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEEXAMPLE01","arn":"arn:aws:iam::123456789012:role/Builder","accountId":"123456789012","userName":"Builder"},"webIdFederationData":{},"attributes":{"creationDate":"2021-02-21T23:46:28Z","mfaAuthenticated":"false"}}},"eventTime")"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.username, "build-session");
  EXPECT_EQ(r.access_key_id, "ASIAEXAMPLEEXAMPLE01");
  auto o = Parse(r.body);
  EXPECT_FALSE(o.at("userIdentity").as_object().contains("userName"));
  EXPECT_TRUE(o.at("userIdentity")
                  .at("sessionContext")
                  .at("attributes")
                  .at("mfaAuthenticated")
                  .is_string());

  // MFA and a source identity.
  aws::Identity mfa = AssumedRole();
  mfa.session->mfa_authenticated = true;
  mfa.session->source_identity = "alice@example.com";
  ctx.identity = mfa;
  o = Parse(builder_.FromRequest(ctx).body);
  const json::object& sc = o.at("userIdentity").at("sessionContext").as_object();
  EXPECT_EQ(sc.at("attributes").at("mfaAuthenticated").as_string(), "true");
  EXPECT_EQ(sc.at("sourceIdentity").as_string(), "alice@example.com");
}

// GetSessionToken credentials: the user with a session that has no issuer.
TEST_F(EventBuilderTest, TemporaryUserCredentialsHaveAnEmptyIssuer) {
  aws::Identity id = IamUser();
  id.access_key_id = "ASIATEMPEXAMPLE00001";
  aws::SessionContext s;
  s.creation_date = kT0;
  id.session = s;
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})", "{}", id);
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_NE(
      r.body.find(
          R"("userName":"alice","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2025-11-22T10:00:00Z","mfaAuthenticated":"false"}}},"eventTime")"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.username, "alice");
}

TEST_F(EventBuilderTest, AwsServiceIdentityHasOnlyTypeAndInvokedBy) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})", "{}", Service());
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_NE(
      r.body.find(R"("userIdentity":{"type":"AWSService","invokedBy":"sagemaker.amazonaws.com"},)"),
      std::string::npos)
      << r.body;
  EXPECT_EQ(r.username, "");
  EXPECT_EQ(r.access_key_id, "");
}

TEST_F(EventBuilderTest, UsernameOfEachIdentity) {
  EXPECT_EQ(EventBuilder::UsernameOf(Root()), "root");
  EXPECT_EQ(EventBuilder::UsernameOf(Root("alias")), "root");
  EXPECT_EQ(EventBuilder::UsernameOf(IamUser()), "alice");
  EXPECT_EQ(EventBuilder::UsernameOf(AssumedRole()), "build-session");
  aws::Identity fed;
  fed.type = aws::IdentityType::kFederatedUser;
  fed.session_name = "fed-bob";
  EXPECT_EQ(EventBuilder::UsernameOf(fed), "fed-bob");
  EXPECT_EQ(EventBuilder::UsernameOf(Service()), "");
}

TEST_F(EventBuilderTest, InvokeEndpointIsADataEvent) {
  auto ctx = Ctx("sagemaker-runtime", "InvokeEndpoint",
                 R"({"EndpointName":"MyEndpoint","Body":"MSwyLDM=","ContentType":"text/csv"})",
                 R"({"Body":"MC41","ContentType":"text/csv"})");
  ctx.resources = {{"AWS::SageMaker::Endpoint", "MyEndpoint",
                    "arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint"}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("InvokeEndpoint") +
          R"("requestParameters":null,"responseElements":null,"requestID":"11111111-2222-4333-8444-555555555555","eventID":")" +
          r.event_id +
          R"(","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::SageMaker::Endpoint","ARN":"arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"})");
  EXPECT_FALSE(r.management);
  EXPECT_FALSE(r.read_only);
  EXPECT_EQ(r.event_source, "sagemaker.amazonaws.com");
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(r.resources[0].name, "MyEndpoint");
  EXPECT_EQ(r.resources[0].arn, "arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint");
  // A failed invocation is still a data event naming its endpoint.
  ctx.error =
      aws::AwsError{"ValidationError", "Endpoint MyEndpoint of account x not found.", 400, true};
  auto o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_EQ(o.at("eventCategory").as_string(), "Data");
  EXPECT_EQ(o.at("errorCode").as_string(), "ValidationError");
  EXPECT_EQ(o.at("resources").as_array().size(), 1u);
}

TEST_F(EventBuilderTest, ManagementRecordsHaveNoResourcesElement) {
  auto ctx = Ctx("sagemaker", "DescribeModel", R"({"ModelName":"m"})", "{}");
  ctx.resources = {
      {"AWS::SageMaker::Model", "m", "arn:aws:sagemaker:us-west-2:123456789012:model/m"}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_FALSE(Parse(r.body).contains("resources"));
  EXPECT_EQ(r.resources.size(), 1u);  // still indexed
}

TEST_F(EventBuilderTest, CloudTrailLookupEventsRecord) {
  auto ctx = Ctx("cloudtrail", "LookupEvents",
                 R"({"MaxResults":5,"StartTime":1577836800,
          "LookupAttributes":[{"AttributeValue":"CreateModel","AttributeKey":"EventName"}]})",
                 R"({"Events":[]})");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      Head("LookupEvents", "us-west-2", "cloudtrail.amazonaws.com") +
          R"("requestParameters":{"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"CreateModel"}],"startTime":"Jan 1, 2020, 12:00:00 AM","maxResults":5},"responseElements":null,)" +
          Tail(r, true));
  EXPECT_EQ(r.event_source, "cloudtrail.amazonaws.com");
  EXPECT_TRUE(r.read_only);
  EXPECT_TRUE(r.management);
}

TEST_F(EventBuilderTest, IamCallsAreRecordedInUsEast1) {
  auto ctx = Ctx("iam", "CreateUser", R"({"UserName":"bob","Path":"/eng/"})",
                 R"({"User":{"UserName":"bob"}})");
  ctx.region = "eu-central-1";
  ctx.resources = {{"AWS::IAM::User", "bob", "arn:aws:iam::123456789012:user/eng/bob"}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.event_source, "iam.amazonaws.com");
  auto o = Parse(r.body);
  EXPECT_EQ(o.at("awsRegion").as_string(), "us-east-1");
  EXPECT_EQ(o.at("requestParameters").at("userName").as_string(), "bob");
  EXPECT_EQ(o.at("requestParameters").at("path").as_string(), "/eng/");
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].type, "AWS::IAM::User");
  EXPECT_EQ(r.resources[0].name, "bob");
}

TEST_F(EventBuilderTest, EventTimeIsWholeSeconds) {
  auto ctx = Ctx("sagemaker", "ListModels", "{}");
  ctx.completed_at = kT0 + std::chrono::seconds(59) + std::chrono::microseconds(999'999);
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(r.event_time, kT0 + std::chrono::seconds(59));
  EXPECT_EQ(Parse(r.body).at("eventTime").as_string(), "2025-11-22T10:00:59Z");
}

TEST_F(EventBuilderTest, EventSources) {
  EXPECT_EQ(EventBuilder::EventSourceOf(*Models().Find("sagemaker")), "sagemaker.amazonaws.com");
  EXPECT_EQ(EventBuilder::EventSourceOf(*Models().Find("sagemaker-runtime")),
            "sagemaker.amazonaws.com");
  EXPECT_EQ(EventBuilder::EventSourceOf(*Models().Find("cloudtrail")), "cloudtrail.amazonaws.com");
  EXPECT_EQ(EventBuilder::EventSourceOf(*Models().Find("sts")), "sts.amazonaws.com");
}

// A service acting on its own behalf (through the internal entry) is an AwsServiceEvent: the
// service is the identity, source and user agent; no requestID; serviceEventDetails; resources.
TEST_F(EventBuilderTest, ServiceEventRecordIsExact) {
  constexpr char kJob[] = "arn:aws:sagemaker:us-east-1:123456789012:training-job/tune-001-4c7a3059";
  auto ctx = Ctx("sagemaker", "CreateTrainingJob", R"({"TrainingJobName":"tune-001-4c7a3059"})",
                 std::string(R"({"TrainingJobArn":")") + kJob + R"("})", Service());
  ctx.region = "us-east-1";
  ctx.completed_at = kT0 + std::chrono::milliseconds(1750);
  ctx.source_ip = "sagemaker.amazonaws.com";
  ctx.user_agent = "sagemaker.amazonaws.com";
  ctx.event_type = "AwsServiceEvent";
  ctx.service_event_details = json::parse(
      R"({"hyperParameterTuningJobArn":"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/tune"})");
  ctx.resources = {{"AWS::SageMaker::TrainingJob", "tune-001-4c7a3059", kJob}};
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_EQ(
      r.body,
      R"({"eventVersion":"1.11","userIdentity":{"type":"AWSService","invokedBy":"sagemaker.amazonaws.com"},"eventTime":"2025-11-22T10:00:01Z","eventSource":"sagemaker.amazonaws.com","eventName":"CreateTrainingJob","awsRegion":"us-east-1","sourceIPAddress":"sagemaker.amazonaws.com","userAgent":"sagemaker.amazonaws.com","requestParameters":{"trainingJobName":"tune-001-4c7a3059"},"responseElements":{"trainingJobArn":"arn:aws:sagemaker:us-east-1:123456789012:training-job/tune-001-4c7a3059"},"eventID":")" +
          r.event_id +
          R"(","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::SageMaker::TrainingJob","ARN":"arn:aws:sagemaker:us-east-1:123456789012:training-job/tune-001-4c7a3059"}],"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"123456789012","serviceEventDetails":{"hyperParameterTuningJobArn":"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/tune"},"eventCategory":"Management"})");
  EXPECT_EQ(r.event_time, kT0 + std::chrono::seconds(1));
  EXPECT_EQ(r.account_id, kAcct);
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.event_name, "CreateTrainingJob");
  EXPECT_EQ(r.event_source, "sagemaker.amazonaws.com");
  EXPECT_EQ(r.username, "");
  EXPECT_EQ(r.access_key_id, "");
  EXPECT_TRUE(r.management);
  EXPECT_FALSE(r.read_only);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].type, "AWS::SageMaker::TrainingJob");
  EXPECT_EQ(r.resources[0].name, "tune-001-4c7a3059");
  EXPECT_EQ(r.resources[0].arn, kJob);
}

TEST_F(EventBuilderTest, ServiceEventDefaultsAndFailures) {
  auto ctx =
      Ctx("sagemaker", "StopTrainingJob", R"({"TrainingJobName":"gone"})", "null", Service());
  ctx.event_type = "AwsServiceEvent";
  ctx.error = aws::AwsError{"ValidationException", "Requested resource not found.", 400, true};
  EventRecord r = builder_.FromRequest(ctx);
  auto o = Parse(r.body);
  EXPECT_EQ(o.at("eventType").as_string(), "AwsServiceEvent");
  EXPECT_EQ(o.at("serviceEventDetails"), json::object());  // none given: an empty object
  EXPECT_FALSE(o.contains("requestID"));
  EXPECT_FALSE(o.contains("resources"));  // nothing resolved, nothing listed
  EXPECT_EQ(o.at("errorCode").as_string(), "ValidationException");
  EXPECT_EQ(o.at("userIdentity"),
            json::parse(R"({"type":"AWSService","invokedBy":"sagemaker.amazonaws.com"})"));
  // An AwsApiCall never carries serviceEventDetails.
  ctx.event_type = "AwsApiCall";
  o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_FALSE(o.contains("serviceEventDetails"));
  EXPECT_TRUE(o.contains("requestID"));
}

TEST_F(EventBuilderTest, CrossAccountAssumeRoleIsRecordedInBothAccounts) {
  constexpr char kRole[] = "arn:aws:iam::210987654321:role/FromA";
  auto ctx = Ctx("sts", "AssumeRole",
                 std::string(R"({"RoleArn":")") + kRole + R"(","RoleSessionName":"x"})",
                 R"({"Credentials":{"AccessKeyId":"ASIAEXAMPLEEXAMPLE02","SecretAccessKey":"s",)"
                 R"("SessionToken":"t","Expiration":1763809200},"AssumedRoleUser":)"
                 R"({"AssumedRoleId":"AROAEXAMPLEEXAMPLE09:x","Arn":"arn:aws:sts::210987654321:)"
                 R"(assumed-role/FromA/x"}})");
  ctx.also_recorded_in.push_back("210987654321");
  ctx.resources = {{"AWS::IAM::Role", kRole, kRole},
                   {"AWS::STS::AssumedRole", "x", ""},
                   {"AWS::IAM::AccessKey", "ASIAEXAMPLEEXAMPLE02", ""}};
  std::vector<EventRecord> records = builder_.RecordsFor(ctx);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].account_id, kAcct);
  EXPECT_EQ(records[1].account_id, "210987654321");
  auto a = Parse(records[0].body);
  auto b = Parse(records[1].body);
  EXPECT_EQ(a.at("recipientAccountId"), "123456789012");
  EXPECT_EQ(b.at("recipientAccountId"), "210987654321");
  EXPECT_EQ(a.at("sharedEventID"), b.at("sharedEventID"));
  EXPECT_NE(a.at("eventID"), b.at("eventID"));
  // The caller is A's user; B's copy names it only by account and principal id (AWSAccount).
  EXPECT_EQ(a.at("userIdentity").at("type"), "IAMUser");
  EXPECT_EQ(b.at("userIdentity"), json::parse(R"({"type":"AWSAccount",)"
                                              R"("principalId":"AIDAEXAMPLEEXAMPLE01",)"
                                              R"("accountId":"123456789012"})"));
  EXPECT_EQ(records[0].username, "alice");
  EXPECT_EQ(records[1].username, "");
  EXPECT_EQ(records[1].access_key_id, "");
  // The role belongs to B in both.
  for (const auto* o : {&a, &b}) {
    EXPECT_EQ(o->at("userIdentity").at("accountId"), "123456789012");
    EXPECT_EQ(o->at("resources"),
              json::parse(std::string(R"([{"accountId":"210987654321","type":"AWS::IAM::Role",)") +
                          R"("ARN":")" + kRole + R"("}])"));
    EXPECT_TRUE(o->at("readOnly").as_bool());
    EXPECT_FALSE(
        o->at("responseElements").at("credentials").as_object().contains("secretAccessKey"));
  }
}

// CloudTrail's limits: a parameter field over 100 KB is replaced by {"omitted":true}, and the whole
// event stays within 256 KB.
TEST_F(EventBuilderTest, OversizedParametersAreOmitted) {
  std::string big(150 * 1024, 'x');
  auto ctx = Ctx(
      "sagemaker", "CreateModel",
      R"({"ModelName":"m","PrimaryContainer":{"Image":"i","Environment":{"K":")" + big + R"("}}})",
      R"({"ModelArn":"arn:aws:sagemaker:us-west-2:123456789012:model/m"})");
  EventRecord r = builder_.FromRequest(ctx);
  auto o = Parse(r.body);
  EXPECT_EQ(o.at("requestParameters"), json::parse(R"({"omitted":true})"));
  EXPECT_EQ(o.at("responseElements").at("modelArn"),
            "arn:aws:sagemaker:us-west-2:123456789012:model/m");
  EXPECT_LT(r.body.size(), 4096u);
  // Just under the limit: kept whole.
  std::string fits(90 * 1024, 'y');
  ctx.input =
      json::parse(R"({"ModelName":"m","PrimaryContainer":{"Image":"i","Environment":{"K":")" +
                  fits + R"("}}})");
  o = Parse(builder_.FromRequest(ctx).body);
  EXPECT_EQ(o.at("requestParameters").at("primaryContainer").at("environment").at("K").as_string(),
            fits);
  // A failed call with a huge input (a denied 8 MB request) is small.
  ctx.input = json::parse(R"({"ModelName":"m","PrimaryContainer":{"Image":")" +
                          std::string(8 << 20, 'z') + R"("}})");
  ctx.error = aws::AwsError{"AccessDeniedException", "denied", 400, true};
  r = builder_.FromRequest(ctx);
  EXPECT_LT(r.body.size(), 4096u);
  o = Parse(r.body);
  EXPECT_EQ(o.at("requestParameters"), json::parse(R"({"omitted":true})"));
  EXPECT_TRUE(o.at("responseElements").is_null());
  EXPECT_EQ(o.at("errorCode"), "AccessDeniedException");
}

TEST_F(EventBuilderTest, TheWholeEventStaysWithin256KB) {
  // Request and response each under 100 KB, together over the event's limit: the response goes.
  std::string env(95 * 1024, 'a');
  auto ctx = Ctx(
      "sagemaker", "CreateModel",
      R"({"ModelName":"m","PrimaryContainer":{"Image":"i","Environment":{"K":")" + env + R"("}}})",
      R"({"ModelArn":"arn:aws:sagemaker:us-west-2:123456789012:model/m"})");
  EventRecord r = builder_.FromRequest(ctx);
  EXPECT_LE(r.body.size(), 256u * 1024);
  // With a response that is big too (a Describe-like output under a write).
  auto big = Ctx("iam", "PutUserPolicy",
                 R"({"UserName":"u","PolicyName":"p","PolicyDocument":")" +
                     std::string(99 * 1024, 'd') + R"("})");
  r = builder_.FromRequest(big);
  EXPECT_LE(r.body.size(), 256u * 1024);
  EXPECT_EQ(Parse(r.body).at("requestParameters").at("policyDocument").as_string().size(),
            99u * 1024);
}

TEST_F(EventBuilderTest, ResourceNamesNoLookupCanAskForAreNotIndexed) {
  auto ctx = Ctx("iam", "GetUser", R"({"UserName":"u"})");
  std::string huge(5000, 'n');
  ctx.resources = {{"AWS::IAM::User", huge, "arn:aws:iam::123456789012:user/" + huge},
                   {"AWS::IAM::User", "ok", "arn:aws:iam::123456789012:user/ok"}};
  EventRecord r = builder_.FromRequest(ctx);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].name, "ok");
}

// Secrets in responses: sensitive members are left out, members the service names are hidden.
TEST_F(EventBuilderTest, SecretsInResponsesNeverReachTheRecord) {
  auto url =
      Ctx("sagemaker", "CreatePresignedNotebookInstanceUrl", R"({"NotebookInstanceName":"nb"})",
          R"({"AuthorizedUrl":"https://nb.notebook.us-west-2.sagemaker.aws?authToken=SECRET"})");
  EventRecord r = builder_.FromRequest(url);
  EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << r.body;
  EXPECT_EQ(Parse(r.body).at("responseElements").at("authorizedUrl"),
            "HIDDEN_DUE_TO_SECURITY_REASONS");
  auto key = Ctx("iam", "CreateAccessKey", R"({"UserName":"u"})",
                 R"({"AccessKey":{"UserName":"u","AccessKeyId":"AKIAEXAMPLE000000001",
                     "Status":"Active","SecretAccessKey":"TOPSECRETKEYMATERIAL"}})");
  r = builder_.FromRequest(key);
  EXPECT_EQ(r.body.find("TOPSECRETKEYMATERIAL"), std::string::npos) << r.body;
  EXPECT_EQ(Parse(r.body).at("responseElements").at("accessKey").at("accessKeyId"),
            "AKIAEXAMPLE000000001");
}

}  // namespace
}  // namespace sagetrail::cloudtrail
