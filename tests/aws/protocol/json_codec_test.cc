// JsonCodec (awsJson 1.1) over the real SageMaker and CloudTrail models.
#include "aws/protocol/json_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "aws/protocol/generic_value.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {

namespace json = boost::json;

class JsonCodecTest : public ::testing::Test {
 protected:
  JsonCodecTest() : sagemaker_(*testing::Models().Find("sagemaker")) {}

  static http::Request Call(std::string target, std::string body = "{}") {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "api.sagemaker.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"}};
    if (!target.empty()) r.headers.push_back({"X-Amz-Target", std::move(target)});
    r.body = std::move(body);
    return r;
  }

  const Operation& Op(std::string_view name) const { return *sagemaker_.FindOperation(name); }

  const ServiceModel& sagemaker_;
  JsonCodec codec_;
};

TEST_F(JsonCodecTest, ResolvesTheTargetOperation) {
  auto op = codec_.ResolveOperation(sagemaker_, Call("SageMaker.CreateTrainingJob"));
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "CreateTrainingJob");
  EXPECT_EQ(codec_.protocol(), Protocol::kJson);
}

TEST_F(JsonCodecTest, ResolvesAPrefixWithDots) {
  const ServiceModel& ct = *testing::Models().Find("cloudtrail");
  auto op = codec_.ResolveOperation(
      ct, Call("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"));
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "LookupEvents");
}

TEST_F(JsonCodecTest, WrongPrefixIsUnknown) {
  auto op = codec_.ResolveOperation(sagemaker_, Call("SageMakerX.CreateTrainingJob"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "UnknownOperationException");
  EXPECT_EQ(op.error().http_status, 400);
  EXPECT_EQ(op.error().message, "Unknown operation SageMakerX.CreateTrainingJob for SageMaker");
}

TEST_F(JsonCodecTest, UnknownOperation) {
  auto op = codec_.ResolveOperation(sagemaker_, Call("SageMaker.LaunchRocket"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "UnknownOperationException");
  EXPECT_EQ(op.error().message, "Unknown operation SageMaker.LaunchRocket for SageMaker");
  // An operation name alone, without the prefix, is not enough.
  EXPECT_FALSE(codec_.ResolveOperation(sagemaker_, Call("CreateTrainingJob")).ok());
}

TEST_F(JsonCodecTest, MissingTargetHeader) {
  auto op = codec_.ResolveOperation(sagemaker_, Call(""));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "UnknownOperationException");
  EXPECT_EQ(op.error().message, "Missing X-Amz-Target header");
}

TEST_F(JsonCodecTest, ParseInputEmptyBodyIsAnEmptyObject) {
  for (const char* body : {"", "  \r\n\t"}) {
    auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", body));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, json::value(json::object()));
  }
}

TEST_F(JsonCodecTest, ParseInputObject) {
  auto v =
      codec_.ParseInput(sagemaker_, Op("ListModels"),
                        Call("SageMaker.ListModels", R"({"MaxResults": 10, "NameContains": "x"})"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("MaxResults").as_int64(), 10);
  EXPECT_EQ(v->at("NameContains").as_string(), "x");
}

TEST_F(JsonCodecTest, ParseInputMalformedJson) {
  auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", "{\"a\":"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "SerializationException");
  EXPECT_EQ(v.error().http_status, 400);
  EXPECT_EQ(v.error().message.rfind("Could not parse request body into json: ", 0), 0u);
}

// Found by json_codec_fuzz: Boost.JSON reads 1e400 as infinity, which then reached the records
// and responses as "Infinity" (not JSON). Such a number is refused as the query codec refuses it.
TEST_F(JsonCodecTest, ParseInputRefusesNumbersOutOfRange) {
  for (const char* body : {R"({"MaxResults": 1e400})", R"({"NameContains": [1, {"a": -1e999}]})"}) {
    auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", body));
    ASSERT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.error().code, "SerializationException");
    EXPECT_EQ(v.error().message, "Could not parse request body into json: number out of range");
  }
  auto big = codec_.ParseInput(sagemaker_, Op("ListModels"),
                               Call("SageMaker.ListModels", R"({"MaxResults": 1e300})"));
  EXPECT_TRUE(big.ok());
}

TEST_F(JsonCodecTest, ValuesOfTheWrongTypeAreWrittenAsJson) {
  // A list where the model has a string: written as it is, non-finite numbers as null.
  json::object out{{"TrainingJobName", json::array{1.5, INFINITY, json::object{{"a", -INFINITY}}}}};
  http::Response r = codec_.SerializeOutput(sagemaker_, Op("DescribeTrainingJob"), out, "r");
  EXPECT_EQ(r.body, R"({"TrainingJobName":[1.5,null,{"a":null}]})");
}

TEST_F(JsonCodecTest, ParseInputTopLevelArray) {
  auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", "[1]"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "SerializationException");
  EXPECT_EQ(v.error().message, "Start of list found where not expected.");
}

TEST_F(JsonCodecTest, ParseInputTopLevelScalar) {
  auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", "\"x\""));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "SerializationException");
}

TEST_F(JsonCodecTest, ParseInputRejectsDeepNesting) {
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  auto v = codec_.ParseInput(sagemaker_, Op("ListModels"), Call("SageMaker.ListModels", deep));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "SerializationException");
}

TEST_F(JsonCodecTest, SerializeOutputUsesModelOrderAndDropsUnknownKeys) {
  TimePoint t = FromUnixMillis(1763805600500);
  json::object out;
  out["CreationTime"] = TimestampValue(t);
  out["TrainingJobStatus"] = "InProgress";
  out["NotInTheModel"] = 1;
  out["TrainingJobArn"] = "arn:aws:sagemaker:us-east-1:123456789012:training-job/job";
  out["TrainingJobName"] = "job";
  http::Response r = codec_.SerializeOutput(sagemaker_, Op("DescribeTrainingJob"), out, "req-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"TrainingJobName":"job",)"
            R"("TrainingJobArn":"arn:aws:sagemaker:us-east-1:123456789012:training-job/job",)"
            R"("TrainingJobStatus":"InProgress","CreationTime":1763805600.5})");
  ASSERT_NE(r.FindHeader("Content-Type"), nullptr);
  EXPECT_EQ(*r.FindHeader("Content-Type"), "application/x-amz-json-1.1");
  ASSERT_NE(r.FindHeader("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "req-1");
}

TEST_F(JsonCodecTest, TimestampsAreEpochSeconds) {
  auto body = [&](TimePoint t) {
    json::object m{{"ModelName", "m"}, {"ModelArn", "arn"}, {"CreationTime", TimestampValue(t)}};
    json::object out{{"Models", json::array{m}}};
    return codec_.SerializeOutput(sagemaker_, Op("ListModels"), out, "r").body;
  };
  EXPECT_EQ(body(FromUnixSeconds(1763805600)),
            R"({"Models":[{"ModelName":"m","ModelArn":"arn","CreationTime":1763805600}]})");
  EXPECT_EQ(body(FromUnixMillis(1763805600123)),
            R"({"Models":[{"ModelName":"m","ModelArn":"arn","CreationTime":1763805600.123}]})");
  // An ISO 8601 string held in the generic value is written as epoch seconds too.
  json::object m{{"ModelName", "m"}, {"CreationTime", "2025-11-22T10:00:00.250Z"}};
  EXPECT_EQ(codec_
                .SerializeOutput(sagemaker_, Op("ListModels"),
                                 json::object{{"Models", json::array{m}}}, "r")
                .body,
            R"({"Models":[{"ModelName":"m","CreationTime":1763805600.25}]})");
}

TEST_F(JsonCodecTest, NestedStructuresListsAndMaps) {
  json::object out{
      {"TrainingJobName", "job"},
      {"HyperParameters", json::object{{"eta", "0.2"}, {"max_depth", "5"}}},
      {"InputDataConfig",
       json::array{json::object{
           {"DataSource", json::object{{"S3DataSource", json::object{{"S3Uri", "s3://b/t/"},
                                                                     {"S3DataType", "S3Prefix"}}}}},
           {"ChannelName", "train"}}}},
      {"ResourceConfig", json::object{{"VolumeSizeInGB", 30}, {"InstanceCount", 2}}},
      {"EnableNetworkIsolation", false}};
  http::Response r = codec_.SerializeOutput(sagemaker_, Op("DescribeTrainingJob"), out, "r");
  EXPECT_EQ(r.body, R"({"TrainingJobName":"job","HyperParameters":{"eta":"0.2","max_depth":"5"},)"
                    R"("InputDataConfig":[{"ChannelName":"train","DataSource":{"S3DataSource":)"
                    R"({"S3DataType":"S3Prefix","S3Uri":"s3://b/t/"}}}],)"
                    R"("ResourceConfig":{"InstanceCount":2,"VolumeSizeInGB":30},)"
                    R"("EnableNetworkIsolation":false})");
}

TEST_F(JsonCodecTest, StringsAreEscaped) {
  json::object out{{"TrainingJobName", "job"},
                   {"FailureReason", "line1\n\"quoted\" back\\slash \x01 tab\t caf\xC3\xA9"}};
  http::Response r = codec_.SerializeOutput(sagemaker_, Op("DescribeTrainingJob"), out, "r");
  EXPECT_EQ(r.body,
            "{\"TrainingJobName\":\"job\",\"FailureReason\":"
            "\"line1\\n\\\"quoted\\\" back\\\\slash \\u0001 tab\\t caf\xC3\xA9\"}");
  EXPECT_EQ(json::parse(r.body).at("FailureReason").as_string(),
            "line1\n\"quoted\" back\\slash \x01 tab\t caf\xC3\xA9");
}

TEST_F(JsonCodecTest, NullMembersAreLeftOut) {
  json::object out{{"TrainingJobName", "job"}, {"FailureReason", nullptr}};
  EXPECT_EQ(codec_.SerializeOutput(sagemaker_, Op("DescribeTrainingJob"), out, "r").body,
            R"({"TrainingJobName":"job"})");
}

TEST_F(JsonCodecTest, OperationWithoutOutputWritesAnEmptyObject) {
  const Operation& del = Op("DeleteAlgorithm");
  ASSERT_EQ(del.output, kNoShape);
  EXPECT_EQ(codec_.SerializeOutput(sagemaker_, del, json::object{{"x", 1}}, "r").body, "{}");
  // A non-object output for an operation that has one is written as an empty structure.
  EXPECT_EQ(codec_.SerializeOutput(sagemaker_, Op("CreateModel"), json::value(3), "r").body, "{}");
}

TEST_F(JsonCodecTest, SerializeError) {
  AwsError e = AwsError::Validation("1 validation error detected: Value 'a\"b' at 'x'");
  http::Response r = codec_.SerializeError(&sagemaker_, e, "req-9");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"ValidationException",)"
                    R"("message":"1 validation error detected: Value 'a\"b' at 'x'"})");
  ASSERT_NE(r.FindHeader("x-amzn-ErrorType"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amzn-ErrorType"), "ValidationException");
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "req-9");
  EXPECT_EQ(*r.FindHeader("Content-Type"), "application/x-amz-json-1.1");
}

TEST_F(JsonCodecTest, SerializeErrorWithoutAModel) {
  http::Response r = codec_.SerializeError(
      nullptr, AwsError::InternalFailure("We encountered an internal error."), "req-0");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            R"({"__type":"InternalFailure","message":"We encountered an internal error."})");
  EXPECT_EQ(*r.FindHeader("Content-Type"), "application/x-amz-json-1.1");
}

}  // namespace
}  // namespace sagetrail::aws
