// QueryCodec (STS, IAM, SNS): routing by Action, form input into the generic form, XML output
// and the <ErrorResponse> document. Compatibility is checked against botocore itself: its query
// serializer writes the request bodies ParseInput reads, and its QueryParser reads the documents
// SerializeOutput writes (one python3 run per test).
#include "aws/protocol/query_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fakes/temp_dir.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {
namespace json = boost::json;

// A query service of our own with the traits STS, IAM and SNS do not use: member and list-member
// locationNames, flattened lists and maps, lists of lists, long/double/blob/timestamp members and
// a unixTimestamp member. "Ping" has neither input nor output.
constexpr std::string_view kSynthModel = R"({
  "version": "2.0",
  "metadata": {"apiVersion": "2020-01-01", "protocol": "query", "serviceId": "Synth",
               "endpointPrefix": "synth", "signatureVersion": "v4", "uid": "synth-2020-01-01",
               "xmlNamespace": "https://synth.example.com/doc/2020-01-01/"},
  "operations": {
    "Echo": {"name": "Echo", "http": {"method": "POST", "requestUri": "/"},
             "input": {"shape": "Echo"},
             "output": {"shape": "Echo", "resultWrapper": "EchoResult"}},
    "Ping": {"name": "Ping", "http": {"method": "POST", "requestUri": "/"}}
  },
  "shapes": {
    "Echo": {"type": "structure", "members": {
      "Renamed": {"shape": "String", "locationName": "WireName"},
      "Flat": {"shape": "FlatList"},
      "FlatNamed": {"shape": "FlatNamedList"},
      "Named": {"shape": "NamedList"},
      "Nested": {"shape": "ListOfLists"},
      "FlatMap": {"shape": "FlatMap"},
      "Count": {"shape": "Long"},
      "Ratio": {"shape": "Double"},
      "When": {"shape": "Time"},
      "Epoch": {"shape": "Time", "timestampFormat": "unixTimestamp"},
      "Data": {"shape": "Blob"},
      "Inner": {"shape": "Inner"}}},
    "Inner": {"type": "structure", "members": {
      "Name": {"shape": "String"}, "Flag": {"shape": "Boolean"}}},
    "FlatList": {"type": "list", "member": {"shape": "String"}, "flattened": true},
    "FlatNamedList": {"type": "list", "member": {"shape": "String", "locationName": "Item"},
                      "flattened": true},
    "NamedList": {"type": "list", "member": {"shape": "String", "locationName": "Item"}},
    "ListOfLists": {"type": "list", "member": {"shape": "NamedList"}},
    "FlatMap": {"type": "map", "key": {"shape": "String", "locationName": "K"},
                "value": {"shape": "String", "locationName": "V"}, "flattened": true},
    "String": {"type": "string"},
    "Long": {"type": "long"},
    "Double": {"type": "double"},
    "Time": {"type": "timestamp"},
    "Blob": {"type": "blob"},
    "Boolean": {"type": "boolean"}
  }
})";

const ServiceModel& Synth() {
  static const ServiceModel* model = [] {
    auto m = ServiceModel::Load("synth", kSynthModel);
    if (!m.ok()) throw std::runtime_error(m.error().message());
    return m.value().release();
  }();
  return *model;
}

// Reads the jobs file (argv[2]) with the botocore found at argv[1] and prints one result per job:
// "serialize" -> the form body botocore sends for `params`; "parse" -> what botocore's
// QueryParser makes of `body` (timestamps as isoformat(), blobs decoded).
constexpr std::string_view kBotocoreScript = R"(import json, sys
sys.path.insert(0, sys.argv[1])
import botocore.model, botocore.parsers, botocore.serialize, botocore.session, botocore.utils

session = botocore.session.get_session()

def plain(o):
    if isinstance(o, bytes):
        return o.decode()
    return o.isoformat()

out = []
for job in json.load(open(sys.argv[2])):
    if 'model' in job:
        model = botocore.model.ServiceModel(json.load(open(job['model'])))
    else:
        model = session.get_service_model(job['service'])
    op = model.operation_model(job['operation'])
    if job['kind'] == 'serialize':
        request = botocore.serialize.create_serializer('query').serialize_to_request(
            job['params'], op)
        out.append(botocore.utils.percent_encode_sequence(request['body']))
    else:
        response = {'body': job['body'].encode(), 'headers': {}, 'status_code': 200}
        out.append(botocore.parsers.create_parser('query').parse(response, op.output_shape))
print(json.dumps(out, default=plain))
)";

// Runs kBotocoreScript over `jobs` with the botocore whose models the tests load. Empty on
// failure, with the reason in `error`; `skip` is set when python3 or botocore is missing.
json::array RunBotocore(const json::array& jobs, std::string* error, bool* skip) {
  testing::TempDir dir;
  std::filesystem::path data = std::filesystem::path(testing::Models().data_dir());
  if (data.filename().empty()) data = data.parent_path();
  std::string site = data.parent_path().parent_path().string();
  if (std::system(("python3 -c 'import sys; sys.path.insert(0, \"" + site +
                   "\"); import botocore' >/dev/null 2>&1")
                      .c_str()) != 0) {
    *skip = true;
    return {};
  }
  std::ofstream(dir.Sub("check.py")) << kBotocoreScript;
  std::ofstream(dir.Sub("synth.json")) << kSynthModel;
  json::array with_paths = jobs;
  for (auto& j : with_paths) {
    if (j.as_object().contains("synth")) j.as_object()["model"] = dir.Sub("synth.json");
  }
  std::ofstream(dir.Sub("jobs.json")) << json::serialize(with_paths);
  std::string cmd = "python3 '" + dir.Sub("check.py") + "' '" + site + "' '" +
                    dir.Sub("jobs.json") + "' 2>'" + dir.Sub("stderr.txt") + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *error = "popen failed";
    return {};
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  int rc = pclose(p);
  std::stringstream err;
  err << std::ifstream(dir.Sub("stderr.txt")).rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(out, ec);
  if (rc != 0 || ec || !v.is_array() || v.get_array().size() != jobs.size()) {
    *error = "botocore check failed (rc " + std::to_string(rc) + "):\n" + err.str() + out;
    return {};
  }
  return std::move(v.get_array());
}

class QueryCodecTest : public ::testing::Test {
 protected:
  QueryCodecTest()
      : sts_(*testing::Models().Find("sts")),
        iam_(*testing::Models().Find("iam")),
        sns_(*testing::Models().Find("sns")) {}

  static http::Request Form(std::string body) {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "sts.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = std::move(body);
    return r;
  }

  // ParseInput of `body` for `op`; the error's code and message become a test failure.
  json::value Parse(const ServiceModel& model, std::string_view op, std::string body) const {
    const Operation* o = model.FindOperation(op);
    EXPECT_NE(o, nullptr) << op;
    if (o == nullptr) return {};
    auto v = codec_.ParseInput(model, *o, Form(std::move(body)));
    EXPECT_TRUE(v.ok()) << v.error().code << ": " << v.error().message;
    return v.ok() ? *v : json::value();
  }

  AwsError ParseError(const ServiceModel& model, std::string_view op, std::string body) const {
    auto v = codec_.ParseInput(model, *model.FindOperation(op), Form(std::move(body)));
    EXPECT_FALSE(v.ok()) << json::serialize(*v);
    return v.ok() ? AwsError{} : v.error();
  }

  std::string Output(const ServiceModel& model, std::string_view op, std::string_view generic,
                     std::string_view request_id = "rid") const {
    return codec_.SerializeOutput(model, *model.FindOperation(op), json::parse(generic), request_id)
        .body;
  }

  const ServiceModel& sts_;
  const ServiceModel& iam_;
  const ServiceModel& sns_;
  QueryCodec codec_;
};

TEST_F(QueryCodecTest, ResolvesTheActionFromTheBody) {
  auto op = codec_.ResolveOperation(sts_, Form("Action=GetCallerIdentity&Version=2011-06-15"));
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "GetCallerIdentity");
  EXPECT_EQ(codec_.protocol(), Protocol::kQuery);
}

TEST_F(QueryCodecTest, ResolvesTheActionFromTheQueryString) {
  http::Request r;
  r.method = "GET";
  r.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  auto op = codec_.ResolveOperation(sts_, r);
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ((*op)->name, "GetCallerIdentity");
}

TEST_F(QueryCodecTest, NoActionIsMissingAction) {
  auto op = codec_.ResolveOperation(sts_, Form("Version=2011-06-15"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "MissingAction");
  EXPECT_EQ(op.error().http_status, 400);
  EXPECT_EQ(op.error().message, "The request is missing an action or a required parameter.");
}

TEST_F(QueryCodecTest, UnknownActionIsInvalidAction) {
  auto op = codec_.ResolveOperation(sts_, Form("Action=StealIdentity&Version=2011-06-15"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, "InvalidAction");
  EXPECT_EQ(op.error().http_status, 400);
  EXPECT_EQ(op.error().message, "Could not find operation StealIdentity for version 2011-06-15");
  // Without a Version the model's API version is named.
  auto no_version = codec_.ResolveOperation(sts_, Form("Action=StealIdentity"));
  ASSERT_FALSE(no_version.ok());
  EXPECT_EQ(no_version.error().message,
            "Could not find operation StealIdentity for version 2011-06-15");
}

TEST_F(QueryCodecTest, FormParamsAreDecoded) {
  auto params = QueryCodec::FormParams(
      Form("Action=AssumeRole&RoleSessionName=a+b%2Bc&Policy=%7B%22x%22%7D&Flag"));
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[1], (std::pair<std::string, std::string>{"RoleSessionName", "a b+c"}));
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>{"Policy", "{\"x\"}"}));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>{"Flag", ""}));
}

TEST_F(QueryCodecTest, SerializeErrorLayout) {
  AwsError e{"InvalidClientTokenId", "The security token included in the request is invalid.", 403,
             true};
  http::Response r = codec_.SerializeError(&sts_, e, "16fc956c-311e-4199-bee1-1680236e9698");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <Error>\n"
            "    <Type>Sender</Type>\n"
            "    <Code>InvalidClientTokenId</Code>\n"
            "    <Message>The security token included in the request is invalid.</Message>\n"
            "  </Error>\n"
            "  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n"
            "</ErrorResponse>\n");
  ASSERT_NE(r.FindHeader("Content-Type"), nullptr);
  EXPECT_EQ(*r.FindHeader("Content-Type"), "text/xml");
  ASSERT_NE(r.FindHeader("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "16fc956c-311e-4199-bee1-1680236e9698");
}

TEST_F(QueryCodecTest, ServerFaultIsReceiverAndTextIsEscaped) {
  AwsError e = AwsError::InternalFailure("a & b < c > d \"e\" 'f'");
  http::Response r = codec_.SerializeError(testing::Models().Find("iam"), e, "rid");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_NE(r.body.find("<Message>a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;</Message>"),
            std::string::npos)
      << r.body;
}

TEST_F(QueryCodecTest, SerializeErrorWithoutAModelHasNoNamespace) {
  http::Response r = codec_.SerializeError(nullptr, AwsError::Validation("bad"), "rid");
  EXPECT_EQ(r.body.rfind("<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n", 0), 0u);
}

// ---- ParseInput ---------------------------------------------------------------------------

TEST_F(QueryCodecTest, AssumeRoleInput) {
  json::value v = Parse(sts_, "AssumeRole",
                        "Action=AssumeRole&Version=2011-06-15"
                        "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
                        "&RoleSessionName=s1&DurationSeconds=3600"
                        "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA"
                        "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB"
                        "&Tags.member.1.Key=team&Tags.member.1.Value=ml"
                        "&Tags.member.2.Key=env&Tags.member.2.Value="
                        "&TransitiveTagKeys.member.1=team&Unknown=ignored");
  EXPECT_EQ(v, json::parse(R"({
    "RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s1",
    "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}, {"arn": "arn:aws:iam::aws:policy/B"}],
    "DurationSeconds": 3600,
    "Tags": [{"Key": "team", "Value": "ml"}, {"Key": "env", "Value": ""}],
    "TransitiveTagKeys": ["team"]})"));
  EXPECT_TRUE(v.at("DurationSeconds").is_int64());
}

TEST_F(QueryCodecTest, ListPositionsAreNumericAndGapsClose) {
  json::value v = Parse(sts_, "AssumeRole",
                        "RoleArn=r&RoleSessionName=s&TransitiveTagKeys.member.10=ten"
                        "&TransitiveTagKeys.member.2=two&TransitiveTagKeys.member.x=bad"
                        "&TransitiveTagKeys.member.0=zero");
  EXPECT_EQ(v.at("TransitiveTagKeys"), json::parse(R"(["two", "ten"])"));
}

TEST_F(QueryCodecTest, CreateUserWithTagsAndAQueryStringRequest) {
  http::Request r;
  r.method = "GET";
  r.target =
      "/?Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F"
      "&Tags.member.1.Key=cost-center&Tags.member.1.Value=42";
  auto v = codec_.ParseInput(iam_, *iam_.FindOperation("CreateUser"), r);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, json::parse(R"({"Path": "/team/", "UserName": "alice",
                                "Tags": [{"Key": "cost-center", "Value": "42"}]})"));
}

TEST_F(QueryCodecTest, SnsAttributeMaps) {
  json::value v = Parse(sns_, "CreateTopic",
                        "Action=CreateTopic&Name=orders"
                        "&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders"
                        "&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false"
                        "&Attributes.entry.3.value=no-key");
  EXPECT_EQ(v, json::parse(R"({"Name": "orders",
                               "Attributes": {"DisplayName": "Orders", "FifoTopic": "false"}})"));
  // Attribute values stay strings: the map's value shape is a string.
  EXPECT_TRUE(v.at("Attributes").at("FifoTopic").is_string());

  EXPECT_EQ(Parse(sns_, "SetSubscriptionAttributes",
                  "SubscriptionArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At%3Aid"
                  "&AttributeName=RawMessageDelivery&AttributeValue=true"),
            json::parse(R"({"SubscriptionArn": "arn:aws:sns:us-east-1:1:t:id",
                            "AttributeName": "RawMessageDelivery", "AttributeValue": "true"})"));
}

TEST_F(QueryCodecTest, MapKeyAndValueLocationNamesAndStructureValues) {
  // Publish's MessageAttributes map names its key "Name" and its value "Value".
  json::value v = Parse(sns_, "Publish",
                        "TopicArn=t&Message=hi"
                        "&MessageAttributes.entry.1.Name=color"
                        "&MessageAttributes.entry.1.Value.DataType=String"
                        "&MessageAttributes.entry.1.Value.StringValue=blue"
                        "&MessageAttributes.entry.2.Name=raw"
                        "&MessageAttributes.entry.2.Value.DataType=Binary"
                        "&MessageAttributes.entry.2.Value.BinaryValue=aGk%3D");
  EXPECT_EQ(v, json::parse(R"({"TopicArn": "t", "Message": "hi", "MessageAttributes": {
    "color": {"DataType": "String", "StringValue": "blue"},
    "raw": {"DataType": "Binary", "BinaryValue": "aGk="}}})"));
  AwsError e = ParseError(sns_, "Publish",
                          "TopicArn=t&Message=hi&MessageAttributes.entry.1.Name=raw"
                          "&MessageAttributes.entry.1.Value.DataType=Binary"
                          "&MessageAttributes.entry.1.Value.BinaryValue=%21%21");
  EXPECT_EQ(e.code, "InvalidParameterValue");
}

TEST_F(QueryCodecTest, EmptyListsAndAbsentMembers) {
  json::value v = Parse(iam_, "CreateUser", "UserName=bob&Tags=");
  EXPECT_EQ(v, json::parse(R"({"UserName": "bob", "Tags": []})"));
  EXPECT_EQ(Parse(sts_, "GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15"),
            json::parse("{}"));
  EXPECT_EQ(Parse(iam_, "CreateUser", "Action=CreateUser&Version=2010-05-08"), json::parse("{}"));
}

TEST_F(QueryCodecTest, BooleansAndIntegers) {
  json::value v = Parse(iam_, "UpdateAccountPasswordPolicy",
                        "MinimumPasswordLength=12&RequireSymbols=true&HardExpiry=false"
                        "&MaxPasswordAge=%2B90");
  EXPECT_EQ(v, json::parse(R"({"MinimumPasswordLength": 12, "RequireSymbols": true,
                               "MaxPasswordAge": 90, "HardExpiry": false})"));
}

TEST_F(QueryCodecTest, MalformedScalarsAreInvalidParameterValue) {
  AwsError e = ParseError(sts_, "AssumeRole", "RoleArn=r&RoleSessionName=s&DurationSeconds=abc");
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(e.sender_fault);
  EXPECT_EQ(e.message,
            "Value 'abc' for parameter DurationSeconds is invalid. Expected an integer.");
  for (std::string bad : {"", "12x", "1.5", "2147483648", " 1", "++1"}) {
    EXPECT_EQ(ParseError(sts_, "AssumeRole", "RoleArn=r&DurationSeconds=" + bad).code,
              "InvalidParameterValue")
        << bad;
  }
  e = ParseError(iam_, "UpdateAccountPasswordPolicy", "RequireSymbols=yes");
  EXPECT_EQ(e.message,
            "Value 'yes' for parameter RequireSymbols is invalid. Expected true or false.");
  // The key is named as sent, inside lists too.
  e = ParseError(Synth(), "Echo", "Named.Item.1=a&Inner.Flag=1");
  EXPECT_EQ(e.message, "Value '1' for parameter Inner.Flag is invalid. Expected true or false.");
  EXPECT_EQ(ParseError(Synth(), "Echo", "When=yesterday").code, "InvalidParameterValue");
  EXPECT_EQ(ParseError(Synth(), "Echo", "Ratio=nan").code, "InvalidParameterValue");
}

TEST_F(QueryCodecTest, FlattenedAndRenamedShapes) {
  json::value v = Parse(Synth(), "Echo",
                        "Action=Echo&Version=2020-01-01&WireName=r&Renamed=ignored"
                        "&Flat.1=a&Flat.2=b&Item.1=x&Named.Item.1=n1&Named.Item.2=n2"
                        "&Nested.member.1.Item.1=p&Nested.member.2.Item.1=q"
                        "&Nested.member.2.Item.2=r&FlatMap.1.K=k1&FlatMap.1.V=v1"
                        "&FlatMap.2.K=k2&FlatMap.2.V=&Count=9007199254740993&Ratio=0.25"
                        "&When=2025-11-22T10%3A00%3A00.500000Z&Epoch=1763805600"
                        "&Data=aGVsbG8%3D&Inner.Name=i&Inner.Flag=true");
  EXPECT_EQ(v, json::parse(R"({
    "Renamed": "r", "Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n1", "n2"],
    "Nested": [["p"], ["q", "r"]], "FlatMap": {"k1": "v1", "k2": ""},
    "Count": 9007199254740993, "Ratio": 0.25, "When": 1763805600.5, "Epoch": 1763805600,
    "Data": "aGVsbG8=", "Inner": {"Name": "i", "Flag": true}})"));
  // Timestamps also arrive as ISO 8601 without fraction, and as epoch seconds.
  EXPECT_EQ(Parse(Synth(), "Echo", "When=2025-11-22T10%3A00%3A00Z").at("When"), 1763805600);
  EXPECT_EQ(Parse(Synth(), "Echo", "When=1763805600.25").at("When"), 1763805600.25);
  EXPECT_EQ(Parse(Synth(), "Ping", "Action=Ping&Anything=1"), json::parse("{}"));
}

TEST_F(QueryCodecTest, BotocoreRequestsParse) {
  struct Case {
    const ServiceModel* model;
    std::string service, op;
    std::string params;    // botocore parameters
    std::string expected;  // our generic form
  };
  std::vector<Case> cases = {
      {&sts_, "sts", "AssumeRole",
       R"({"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s 1+2",
           "DurationSeconds": 900, "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}],
           "Tags": [{"Key": "k", "Value": "v=1&2"}], "TransitiveTagKeys": [],
           "Policy": "{\"Version\":\"2012-10-17\"}"})",
       R"({"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s 1+2",
           "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}],
           "Policy": "{\"Version\":\"2012-10-17\"}", "DurationSeconds": 900,
           "Tags": [{"Key": "k", "Value": "v=1&2"}], "TransitiveTagKeys": []})"},
      {&iam_, "iam", "CreateUser",
       R"({"UserName": "alice", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}]})",
       R"({"UserName": "alice", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}]})"},
      {&iam_, "iam", "UpdateAccountPasswordPolicy",
       R"({"MinimumPasswordLength": 14, "RequireSymbols": false, "HardExpiry": true})",
       R"({"MinimumPasswordLength": 14, "RequireSymbols": false, "HardExpiry": true})"},
      {&sns_, "sns", "CreateTopic",
       R"({"Name": "t", "Attributes": {"DisplayName": "T", "Policy": "{}"}, "Tags": []})",
       R"({"Name": "t", "Attributes": {"DisplayName": "T", "Policy": "{}"}, "Tags": []})"},
      {&sns_, "sns", "Publish",
       R"({"TopicArn": "t", "Message": "m", "MessageAttributes": {
           "a": {"DataType": "String", "StringValue": "x"},
           "b": {"DataType": "Binary", "BinaryValue": "hi"}}})",
       R"({"TopicArn": "t", "Message": "m", "MessageAttributes": {
           "a": {"DataType": "String", "StringValue": "x"},
           "b": {"DataType": "Binary", "BinaryValue": "aGk="}}})"},
      {&Synth(), "", "Echo",
       R"({"Renamed": "r", "Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n1", "n2"],
           "Nested": [["p"], ["q", "r"]], "FlatMap": {"k1": "v1"}, "Count": 9007199254740993,
           "Ratio": 0.25, "When": "2025-11-22T10:00:00.5Z", "Epoch": "2025-11-22T10:00:00Z",
           "Data": "hello", "Inner": {"Name": "i", "Flag": true}})",
       R"({"Renamed": "r", "Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n1", "n2"],
           "Nested": [["p"], ["q", "r"]], "FlatMap": {"k1": "v1"}, "Count": 9007199254740993,
           "Ratio": 0.25, "When": 1763805600.5, "Epoch": 1763805600, "Data": "aGVsbG8=",
           "Inner": {"Name": "i", "Flag": true}})"},
      {&Synth(), "", "Echo", R"({"Flat": [], "FlatNamed": [], "Named": []})",
       R"({"Flat": [], "FlatNamed": [], "Named": []})"},
  };
  json::array jobs;
  for (const Case& c : cases) {
    json::object job{{"kind", "serialize"}, {"operation", c.op}, {"params", json::parse(c.params)}};
    if (c.service.empty()) {
      job["synth"] = true;
    } else {
      job["service"] = c.service;
    }
    jobs.push_back(std::move(job));
  }
  std::string error;
  bool skip = false;
  json::array bodies = RunBotocore(jobs, &error, &skip);
  if (skip) GTEST_SKIP() << "python3 with botocore is not available";
  ASSERT_EQ(bodies.size(), cases.size()) << error;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string body(bodies[i].as_string());
    EXPECT_EQ(Parse(*cases[i].model, cases[i].op, body), json::parse(cases[i].expected)) << body;
  }
}

// ---- SerializeOutput -----------------------------------------------------------------------

TEST_F(QueryCodecTest, GetCallerIdentityLayout) {
  http::Response r = codec_.SerializeOutput(
      sts_, *sts_.FindOperation("GetCallerIdentity"),
      json::parse(R"({"Arn": "arn:aws:iam::123456789012:user/alice", "Account": "123456789012",
                      "UserId": "AIDAEXAMPLE", "Unmodeled": "dropped"})"),
      "01234567-89ab-cdef-0123-456789abcdef");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <GetCallerIdentityResult>\n"
            "    <UserId>AIDAEXAMPLE</UserId>\n"
            "    <Account>123456789012</Account>\n"
            "    <Arn>arn:aws:iam::123456789012:user/alice</Arn>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n");
  ASSERT_NE(r.FindHeader("Content-Type"), nullptr);
  EXPECT_EQ(*r.FindHeader("Content-Type"), "text/xml");
  ASSERT_NE(r.FindHeader("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amzn-RequestId"), "01234567-89ab-cdef-0123-456789abcdef");
}

TEST_F(QueryCodecTest, AssumeRoleLayout) {
  EXPECT_EQ(Output(sts_, "AssumeRole", R"({
              "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s",
                              "SessionToken": "t", "Expiration": 1763809200},
              "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s1",
                                  "Arn": "arn:aws:sts::123456789012:assumed-role/demo/s1"},
              "PackedPolicySize": null})"),
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <AssumeRoleResult>\n"
            "    <Credentials>\n"
            "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
            "      <SecretAccessKey>s</SecretAccessKey>\n"
            "      <SessionToken>t</SessionToken>\n"
            "      <Expiration>2025-11-22T11:00:00Z</Expiration>\n"
            "    </Credentials>\n"
            "    <AssumedRoleUser>\n"
            "      <AssumedRoleId>AROAEXAMPLE:s1</AssumedRoleId>\n"
            "      <Arn>arn:aws:sts::123456789012:assumed-role/demo/s1</Arn>\n"
            "    </AssumedRoleUser>\n"
            "  </AssumeRoleResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>rid</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</AssumeRoleResponse>\n");
}

TEST_F(QueryCodecTest, OperationsWithoutOutputAnswerResponseMetadataOnly) {
  const char* expected =
      "<DeleteTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
      "  <ResponseMetadata>\n"
      "    <RequestId>rid</RequestId>\n"
      "  </ResponseMetadata>\n"
      "</DeleteTopicResponse>\n";
  EXPECT_EQ(Output(sns_, "DeleteTopic", "{}"), expected);
  EXPECT_EQ(Output(sns_, "DeleteTopic", R"({"Anything": 1})"), expected);
  // An output shape with nothing to say still names its result element.
  EXPECT_NE(Output(sns_, "ListTopics", "{}").find("  <ListTopicsResult/>\n"), std::string::npos);
}

TEST_F(QueryCodecTest, ListsMapsScalarsAndEscaping) {
  std::string xml = Output(iam_, "ListUsers", R"({
    "Users": [{"UserName": "a<b>&\"c'", "CreateDate": 1763805600.123, "Tags": [],
               "PermissionsBoundary": null}],
    "IsTruncated": false})");
  EXPECT_NE(xml.find("    <Users>\n      <member>\n        <UserName>a&lt;b&gt;&amp;&quot;c&apos;"
                     "</UserName>\n        <CreateDate>2025-11-22T10:00:00.123Z</CreateDate>\n"
                     "        <Tags/>\n      </member>\n    </Users>\n"
                     "    <IsTruncated>false</IsTruncated>\n"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("PermissionsBoundary"), std::string::npos);
  EXPECT_NE(
      Output(iam_, "ListUsers", R"({"Users": [], "IsTruncated": true, "Marker": "m"})")
          .find("    <Users/>\n    <IsTruncated>true</IsTruncated>\n    <Marker>m</Marker>\n"),
      std::string::npos);

  xml = Output(sns_, "GetTopicAttributes", R"({"Attributes": {"Owner": "1", "Policy": "{}"}})");
  EXPECT_NE(xml.find("    <Attributes>\n      <entry>\n        <key>Owner</key>\n"
                     "        <value>1</value>\n      </entry>\n      <entry>\n"
                     "        <key>Policy</key>\n        <value>{}</value>\n      </entry>\n"
                     "    </Attributes>\n"),
            std::string::npos)
      << xml;

  xml = Output(Synth(), "Echo", R"({"Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n"],
                                    "FlatMap": {"k": "v"}, "Count": 3.0, "Ratio": 2,
                                    "Epoch": 1763805600.5, "Renamed": "r"})");
  EXPECT_NE(xml.find("    <WireName>r</WireName>\n    <Flat>a</Flat>\n    <Flat>b</Flat>\n"
                     "    <Item>x</Item>\n    <Named>\n      <Item>n</Item>\n    </Named>\n"
                     "    <FlatMap>\n      <K>k</K>\n      <V>v</V>\n    </FlatMap>\n"
                     "    <Count>3</Count>\n    <Ratio>2.0</Ratio>\n"
                     "    <Epoch>1763805600.5</Epoch>\n"),
            std::string::npos)
      << xml;
}

TEST_F(QueryCodecTest, BotocoreParsesOutputs) {
  struct Case {
    const ServiceModel* model;
    std::string service, op;
    std::string output;    // our generic form
    std::string expected;  // what botocore parses (ResponseMetadata checked apart)
  };
  std::vector<Case> cases = {
      {&sts_, "sts", "GetCallerIdentity",
       R"({"UserId": "AIDAEXAMPLE", "Account": "123456789012",
           "Arn": "arn:aws:iam::123456789012:user/alice"})",
       R"({"UserId": "AIDAEXAMPLE", "Account": "123456789012",
           "Arn": "arn:aws:iam::123456789012:user/alice"})"},
      {&sts_, "sts", "AssumeRole",
       R"({"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s/k+",
                           "SessionToken": "tok==", "Expiration": 1763809200},
           "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s1",
                               "Arn": "arn:aws:sts::123456789012:assumed-role/demo/s1"},
           "PackedPolicySize": 6, "SourceIdentity": null})",
       R"({"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s/k+",
                           "SessionToken": "tok==", "Expiration": "2025-11-22T11:00:00+00:00"},
           "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s1",
                               "Arn": "arn:aws:sts::123456789012:assumed-role/demo/s1"},
           "PackedPolicySize": 6})"},
      {&iam_, "iam", "ListUsers",
       R"({"Users": [{"Path": "/", "UserName": "alice", "UserId": "AIDA1",
                      "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": 1763805600,
                      "Tags": [{"Key": "team", "Value": "ml"}]},
                     {"Path": "/ops/", "UserName": "bob", "UserId": "AIDA2",
                      "Arn": "arn:aws:iam::123456789012:user/ops/bob",
                      "CreateDate": 1763805600, "PasswordLastUsed": 1763805600.123,
                      "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                              "PermissionsBoundaryArn": "arn:p"}}],
           "IsTruncated": true, "Marker": "next"})",
       R"({"Users": [{"Path": "/", "UserName": "alice", "UserId": "AIDA1",
                      "Arn": "arn:aws:iam::123456789012:user/alice",
                      "CreateDate": "2025-11-22T10:00:00+00:00",
                      "Tags": [{"Key": "team", "Value": "ml"}]},
                     {"Path": "/ops/", "UserName": "bob", "UserId": "AIDA2",
                      "Arn": "arn:aws:iam::123456789012:user/ops/bob",
                      "CreateDate": "2025-11-22T10:00:00+00:00",
                      "PasswordLastUsed": "2025-11-22T10:00:00.123000+00:00",
                      "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                              "PermissionsBoundaryArn": "arn:p"}}],
           "IsTruncated": true, "Marker": "next"})"},
      {&iam_, "iam", "ListUsers", R"({"Users": [], "IsTruncated": false})",
       R"({"Users": [], "IsTruncated": false})"},
      {&iam_, "iam", "GetRole",
       R"({"Role": {"Path": "/", "RoleName": "demo", "RoleId": "AROA1",
                    "Arn": "arn:aws:iam::123456789012:role/demo", "CreateDate": 1763805600,
                    "AssumeRolePolicyDocument": "%7B%22a%22%3A%20%22%3C%26%3E%22%7D",
                    "Description": "<&>\"'\n\ttabs", "MaxSessionDuration": 3600,
                    "Tags": [], "RoleLastUsed": {}}})",
       R"({"Role": {"Path": "/", "RoleName": "demo", "RoleId": "AROA1",
                    "Arn": "arn:aws:iam::123456789012:role/demo",
                    "CreateDate": "2025-11-22T10:00:00+00:00",
                    "AssumeRolePolicyDocument": "%7B%22a%22%3A%20%22%3C%26%3E%22%7D",
                    "Description": "<&>\"'\n\ttabs", "MaxSessionDuration": 3600,
                    "Tags": [], "RoleLastUsed": {}}})"},
      {&sns_, "sns", "ListTopics",
       R"({"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"},
                      {"TopicArn": "arn:aws:sns:us-east-1:123456789012:b"}], "NextToken": null})",
       R"({"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"},
                      {"TopicArn": "arn:aws:sns:us-east-1:123456789012:b"}]})"},
      {&sns_, "sns", "GetTopicAttributes",
       R"({"Attributes": {"Owner": "123456789012", "DisplayName": ""}})",
       R"({"Attributes": {"Owner": "123456789012", "DisplayName": ""}})"},
      {&sns_, "sns", "DeleteTopic", "{}", "{}"},
      {&Synth(), "", "Echo",
       R"({"Renamed": "r", "Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n1", "n2"],
           "Nested": [["p"], ["q", "r"]], "FlatMap": {"k1": "v1", "k2": "v2"},
           "Count": 9007199254740993, "Ratio": 0.25, "When": 1763805600.5,
           "Epoch": 1763805600, "Data": "aGVsbG8=", "Inner": {"Name": "i", "Flag": true}})",
       R"({"Renamed": "r", "Flat": ["a", "b"], "FlatNamed": ["x"], "Named": ["n1", "n2"],
           "Nested": [["p"], ["q", "r"]], "FlatMap": {"k1": "v1", "k2": "v2"},
           "Count": 9007199254740993, "Ratio": 0.25,
           "When": "2025-11-22T10:00:00.500000+00:00", "Epoch": "2025-11-22T10:00:00+00:00",
           "Data": "hello", "Inner": {"Name": "i", "Flag": true}})"},
  };
  json::array jobs;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    json::object job{{"kind", "parse"},
                     {"operation", c.op},
                     {"body", Output(*c.model, c.op, c.output, "req-" + std::to_string(i))}};
    if (c.service.empty()) {
      job["synth"] = true;
    } else {
      job["service"] = c.service;
    }
    jobs.push_back(std::move(job));
  }
  std::string error;
  bool skip = false;
  json::array parsed = RunBotocore(jobs, &error, &skip);
  if (skip) GTEST_SKIP() << "python3 with botocore is not available";
  ASSERT_EQ(parsed.size(), cases.size()) << error;
  for (size_t i = 0; i < cases.size(); ++i) {
    json::object got = parsed[i].as_object();
    const json::value* meta = got.if_contains("ResponseMetadata");
    ASSERT_NE(meta, nullptr) << cases[i].op;
    EXPECT_EQ(meta->at("RequestId"), json::value("req-" + std::to_string(i))) << cases[i].op;
    got.erase("ResponseMetadata");
    EXPECT_EQ(json::value(got), json::parse(cases[i].expected)) << cases[i].op << "\n"
                                                                << jobs[i].at("body").as_string();
  }
}

}  // namespace
}  // namespace sagetrail::aws
