// The generic resource helpers a service uses: rule tables, ARN templates and parsing, values of a
// shape anywhere in an input, and which resource an operation is about.
#include "aws/resource_arns.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "aws/model/service_model.h"

namespace sagetrail::aws {
namespace {

namespace json = boost::json;

constexpr ResourceRule kRules[] = {
    {"ThingName", "AWS::Test::Thing", "arn:aws:test:{region}:{account}:thing/{lname}"},
    {"WidgetName", "AWS::Test::Widget", "arn:aws:test:{region}:{account}:widget/{name}"},
    {"GadgetArn", "AWS::Test::Gadget", ""},
};

std::vector<CallResource> Of(std::string_view input) {
  return ResourcesFromRules(kRules, "123456789012", "eu-west-1", json::parse(input));
}

TEST(ResourceRulesTest, NamesBecomeArnsByTemplate) {
  auto got = Of(R"({"WidgetName":"W1","ThingName":"My-Thing"})");
  ASSERT_EQ(got.size(), 2u);
  // Rule order, not input order.
  EXPECT_EQ(got[0].type, "AWS::Test::Thing");
  EXPECT_EQ(got[0].name, "My-Thing");
  EXPECT_EQ(got[0].arn, "arn:aws:test:eu-west-1:123456789012:thing/my-thing");
  EXPECT_EQ(got[1].name, "W1");
  EXPECT_EQ(got[1].arn, "arn:aws:test:eu-west-1:123456789012:widget/W1");
}

TEST(ResourceRulesTest, ArnMembersAndNamesThatAreArns) {
  auto got = Of(R"({"GadgetArn":"arn:aws:test:eu-west-1:1:gadget/g"})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "arn:aws:test:eu-west-1:1:gadget/g");
  EXPECT_EQ(got[0].arn, "arn:aws:test:eu-west-1:1:gadget/g");
  // A name member given an ARN keeps it (CloudTrail takes a trail's name or ARN).
  got = Of(R"({"WidgetName":"arn:aws:test:eu-west-1:1:widget/x"})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].arn, "arn:aws:test:eu-west-1:1:widget/x");
}

TEST(ResourceRulesTest, NamesThatAreNotStringsAreIgnored) {
  EXPECT_TRUE(Of(R"({"ThingName":42})").empty());
  EXPECT_TRUE(Of(R"({"ThingName":null})").empty());
  EXPECT_TRUE(Of(R"({})").empty());
  EXPECT_TRUE(Of(R"([])").empty());
  EXPECT_TRUE(Of(R"(null)").empty());
}

TEST(ResourceRulesTest, ParseArn) {
  auto p = ParseArn("arn:aws:sagemaker:us-east-1:123456789012:model/m:with:colons");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->partition, "aws");
  EXPECT_EQ(p->service, "sagemaker");
  EXPECT_EQ(p->region, "us-east-1");
  EXPECT_EQ(p->account, "123456789012");
  EXPECT_EQ(p->resource, "model/m:with:colons");
  p = ParseArn("arn:aws:iam::123456789012:user/a");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->region, "");
  EXPECT_FALSE(ParseArn("urn:aws:iam::1:user/a").has_value());
  EXPECT_FALSE(ParseArn("arn:aws:iam").has_value());
  EXPECT_FALSE(ParseArn("").has_value());
}

TEST(ResourceRulesTest, PrimaryResourceComesFirst) {
  std::vector<CallResource> r = {{"AWS::SageMaker::EndpointConfig", "c", ""},
                                 {"AWS::SageMaker::Endpoint", "e", ""}};
  PutPrimaryFirst("CreateEndpoint", &r);
  EXPECT_EQ(r[0].type, "AWS::SageMaker::Endpoint");
  EXPECT_EQ(r[1].type, "AWS::SageMaker::EndpointConfig");
  PutPrimaryFirst("DescribeEndpointConfig", &r);
  EXPECT_EQ(r[0].type, "AWS::SageMaker::EndpointConfig");
  // No resource matches: the order stays.
  PutPrimaryFirst("AddTags", &r);
  EXPECT_EQ(r[0].type, "AWS::SageMaker::EndpointConfig");
  std::vector<CallResource> none;
  PutPrimaryFirst("CreateModel", &none);
  EXPECT_TRUE(none.empty());
}

constexpr char kModel[] = R"({
  "version": "2.0",
  "metadata": {"protocol": "rest-json", "jsonVersion": "1.1",
               "serviceId": "T", "signatureVersion": "v4", "signingName": "t",
               "endpointPrefix": "t", "apiVersion": "2020-01-01"},
  "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                        "input": {"shape": "In"}}},
  "shapes": {
    "In": {"type": "structure", "members": {
      "RoleArn": {"shape": "RoleArn"},
      "Other": {"shape": "Str"},
      "Defs": {"shape": "DefList"},
      "ByName": {"shape": "DefMap"}}},
    "Def": {"type": "structure", "members": {"ExecRole": {"shape": "RoleArn"}}},
    "DefList": {"type": "list", "member": {"shape": "Def"}},
    "DefMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Def"}},
    "RoleArn": {"type": "string"},
    "Str": {"type": "string"}
  }
})";

TEST(ResourceRulesTest, ValuesOfShapeFindsNestedMembers) {
  auto model = ServiceModel::Load("t", kModel);
  ASSERT_TRUE(model.ok());
  const Operation* op = (*model)->FindOperation("Op");
  ASSERT_NE(op, nullptr);
  json::value in = json::parse(R"({"RoleArn":"r1","Other":"x",
      "Defs":[{"ExecRole":"r2"},{"ExecRole":7},{}],"ByName":{"k":{"ExecRole":"r3"}}})");
  auto got = ValuesOfShape(**model, op->input, in, "RoleArn");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].member, "RoleArn");
  EXPECT_EQ(got[0].value, "r1");
  EXPECT_EQ(got[1].member, "ExecRole");
  EXPECT_EQ(got[1].value, "r2");
  EXPECT_EQ(got[2].value, "r3");
  // Input of the wrong form yields nothing rather than failing.
  EXPECT_TRUE(ValuesOfShape(**model, op->input, json::parse(R"([1,2])"), "RoleArn").empty());
  EXPECT_TRUE(
      ValuesOfShape(**model, op->input, json::parse(R"({"Defs":{"a":1}})"), "RoleArn").empty());
}

}  // namespace
}  // namespace sagetrail::aws
