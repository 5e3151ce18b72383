// S3 bucket policies as PutBucketPolicy checks them: S3's MalformedPolicy texts, in S3's order,
// and what a valid policy hands back.
#include "iam/policy/resource_policy_validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sagetrail::iam {
namespace {

constexpr char kBucket[] = "logs";

std::string Validate(std::string_view text) {
  auto r = ValidateResourcePolicy(text, ResourcePolicyType::kS3Bucket, kBucket);
  return r.ok() ? std::string("OK") : r.error();
}

// A policy of one statement whose members are `members` (without braces).
std::string One(std::string_view members) {
  return R"({"Version": "2012-10-17", "Statement": [{)" + std::string(members) + "}]}";
}

// A valid statement's members, with `replace` substituted for one of them.
std::string Members(std::string_view effect = R"("Effect": "Allow")",
                    std::string_view principal = R"("Principal": {"AWS": "123456789012"})",
                    std::string_view action = R"("Action": "s3:GetObject")",
                    std::string_view resource = R"("Resource": "arn:aws:s3:::logs/*")",
                    std::string_view extra = "") {
  std::vector<std::string_view> parts;
  for (std::string_view p : {effect, principal, action, resource, extra}) {
    if (!p.empty()) parts.push_back(p);
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  return out;
}

constexpr char kCloudTrailPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs","Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}},{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/123456789012/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}}]})";

TEST(ResourcePolicyValidatorTest, CloudTrailsBucketPolicyIsValid) {
  auto r = ValidateResourcePolicy(kCloudTrailPolicy, ResourcePolicyType::kS3Bucket, kBucket);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->document.kind(), PolicyKind::kResource);
  ASSERT_EQ(r->document.statements().size(), 2u);
  EXPECT_EQ(r->document.statements()[1].principals->service,
            std::vector<std::string>{"cloudtrail.amazonaws.com"});
  EXPECT_TRUE(r->principal_arns.empty());
  // In another bucket, its resources are not the bucket's.
  auto elsewhere = ValidateResourcePolicy(kCloudTrailPolicy, ResourcePolicyType::kS3Bucket, "x");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error(), "Policy has invalid resource");
}

TEST(ResourcePolicyValidatorTest, TheDocumentMustBeAJsonObject) {
  EXPECT_EQ(Validate(""), "Policies must be valid JSON and the first byte must be '{'");
  EXPECT_EQ(Validate("file://policy.json"),
            "Policies must be valid JSON and the first byte must be '{'");
  EXPECT_EQ(Validate(R"( {"Statement": []})"),
            "Policies must be valid JSON and the first byte must be '{'");
  EXPECT_EQ(Validate("{\"Statement\": [}"), "This policy contains invalid Json");
  EXPECT_EQ(Validate("{} trailing"), "This policy contains invalid Json");
}

TEST(ResourcePolicyValidatorTest, TopLevelMembers) {
  EXPECT_EQ(Validate(R"({"Version": "2012-10-17"})"), "Missing required field Statement");
  EXPECT_EQ(Validate(R"({"Version": "2012-10-17", "Statement": []})"),
            "Could not parse the policy: Statement is empty!");
  EXPECT_EQ(Validate(R"({"Version": "2012-10-17", "Statement": "x"})"), "Invalid policy syntax.");
  EXPECT_EQ(Validate(R"({"Version": "2013-01-01", "Statement": [{}]})"),
            "The policy must contain a valid version string");
  EXPECT_EQ(Validate(R"({"Version": 2012, "Statement": [{}]})"),
            "The policy must contain a valid version string");
  EXPECT_EQ(Validate(R"({"Version": "2012-10-17", "statement": []})"), "Unknown field statement");
  // A single statement may stand without a list; an old or absent Version is fine.
  EXPECT_EQ(Validate(R"({"Version": "2008-10-17", "Statement": {)" + Members() + "}}"), "OK");
  EXPECT_EQ(Validate(R"({"Statement": [{)" + Members() + "}]}"), "OK");
}

TEST(ResourcePolicyValidatorTest, StatementMembersAreRequiredInS3sOrder) {
  EXPECT_EQ(Validate(One(Members())), "OK");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Allow")", R"("Principal": "*")", "", "", ""))),
            "Missing required field Action");
  EXPECT_EQ(Validate(One(Members("", "", "", ""))), "Missing required field Effect");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Allow")", "", "", ""))),
            "Missing required field Principal");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Allow")", R"("Principal": "*")",
                                 R"("Action": "s3:GetObject")", ""))),
            "Missing required field Resource");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Permit")"))), "Invalid effect: Permit");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "allow")"))), "Invalid effect: allow");
  EXPECT_EQ(Validate(One(Members() + R"(, "condition": {})")), "Unknown field condition");
  EXPECT_EQ(Validate(One(Members() + R"(, "NotAction": "s3:PutObject")")),
            "Invalid policy syntax.");
}

TEST(ResourcePolicyValidatorTest, Principals) {
  auto with = [](std::string_view principal) {
    return Validate(One(Members(R"("Effect": "Allow")", principal)));
  };
  for (const char* ok : {
           R"("Principal": "*")",
           R"("Principal": {"AWS": "*"})",
           R"("Principal": {"AWS": "111122223333"})",
           R"("Principal": {"AWS": "arn:aws:iam::111122223333:root"})",
           R"("Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"})",
           R"("Principal": {"AWS": "arn:aws:iam::111122223333:user/team/bob"})",
           R"("Principal": {"AWS": "arn:aws:iam::111122223333:role/Trainer"})",
           R"("Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/Trainer/s1"})",
           R"("Principal": {"AWS": "arn:aws:sts::111122223333:federated-user/fed"})",
           R"("Principal": {"Service": "cloudtrail.amazonaws.com"})",
           R"("Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/bob"],
                            "Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]})",
       }) {
    EXPECT_EQ(with(ok), "OK") << ok;
  }
  for (
      const char* bad : {
          R"("Principal": "bob")",
          R"("Principal": {})",
          R"("Principal": {"AWS": []})",
          R"("Principal": {"AWS": ""})",
          R"("Principal": {"AWS": "bob"})",
          R"("Principal": {"AWS": "12345"})",
          R"("Principal": {"AWS": "arn:aws:iam::111122223333:user/*"})",
          R"("Principal": {"AWS": "arn:aws:iam::111122223333:group/admins"})",
          R"("Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/Trainer"})",
          R"("Principal": {"Service": "*"})",
          R"("Principal": {"Service": "cloudtrail"})",
          R"("Principal": {"Federated": "cognito-identity.amazonaws.com"})",
          R"("Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})",
          R"("Principal": {"aws": "*"})",
      }) {
    EXPECT_EQ(with(bad), "Invalid principal in policy") << bad;
  }
  // NotPrincipal: with Deny only.
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Deny")",
                                 R"("NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"})"))),
            "OK");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Allow")",
                                 R"("NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"})"))),
            "Invalid principal in policy");
}

TEST(ResourcePolicyValidatorTest, PrincipalArnsAreHandedBackToBeResolved) {
  auto r = ValidateResourcePolicy(
      One(Members(R"("Effect": "Allow")",
                  R"("Principal": {"AWS": ["arn:aws:iam::111122223333:user/bob", "111122223333",
              "arn:aws:iam::111122223333:role/Trainer", "arn:aws:iam::111122223333:user/bob",
              "arn:aws:sts::111122223333:assumed-role/Trainer/s1", "arn:aws:iam::111122223333:root"]})")),
      ResourcePolicyType::kS3Bucket, kBucket);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->principal_arns,
            (std::vector<std::string>{"arn:aws:iam::111122223333:user/bob",
                                      "arn:aws:iam::111122223333:role/Trainer"}));
}

TEST(ResourcePolicyValidatorTest, Actions) {
  auto with = [](std::string_view action, std::string_view resource = "arn:aws:s3:::logs/*") {
    return Validate(One(Members(R"("Effect": "Allow")", R"("Principal": "*")", action,
                                R"("Resource": [")" + std::string(resource) + "\"]")));
  };
  EXPECT_EQ(with(R"("Action": "*")"), "OK");
  EXPECT_EQ(with(R"("Action": "s3:*")"), "OK");
  EXPECT_EQ(with(R"("Action": "s3:Get*")"), "OK");
  EXPECT_EQ(with(R"("Action": ["S3:GETOBJECT", "s3:PutObject"])"), "OK");
  EXPECT_EQ(with(R"("NotAction": "s3:DeleteObject")"), "OK");
  EXPECT_EQ(with(R"("Action": "s3:Fly")"), "Policy has invalid action");
  EXPECT_EQ(with(R"("Action": "GetObject")"), "Policy has invalid action");
  EXPECT_EQ(with(R"("Action": "sqs:SendMessage")"), "Policy has invalid action");
  EXPECT_EQ(with(R"("Action": [])"), "Policy has invalid action");
  // An action must apply to one of the statement's resources.
  EXPECT_EQ(with(R"("Action": "s3:PutObject")", "arn:aws:s3:::logs"),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(with(R"("Action": "s3:GetBucketAcl")", "arn:aws:s3:::logs/*"),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(with(R"("Action": ["s3:GetObject", "s3:ListBucket"])", "arn:aws:s3:::logs/*"),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(with(R"("Action": "s3:ListAllMyBuckets")", "arn:aws:s3:::logs"),
            "Action does not apply to any resource(s) in statement");
  EXPECT_EQ(with(R"("Action": "s3:ListBucket")", "arn:aws:s3:::logs"), "OK");
  EXPECT_EQ(Validate(One(Members(R"("Effect": "Allow")", R"("Principal": "*")",
                                 R"("Action": ["s3:GetObject", "s3:ListBucket"])",
                                 R"("Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"])"))),
            "OK");
}

TEST(ResourcePolicyValidatorTest, ResourcesMustLieWithinTheBucket) {
  auto with = [](std::string_view resource) {
    return Validate(One(
        Members(R"("Effect": "Allow")", R"("Principal": "*")", R"("Action": "s3:*")", resource)));
  };
  EXPECT_EQ(with(R"("Resource": "arn:aws:s3:::logs")"), "OK");
  EXPECT_EQ(with(R"("Resource": "arn:aws:s3:::logs/AWSLogs/*")"), "OK");
  EXPECT_EQ(with(R"("NotResource": "arn:aws:s3:::logs/private/*")"), "OK");
  for (const char* bad :
       {R"("Resource": "*")", R"("Resource": "arn:aws:s3:::*")",
        R"("Resource": "arn:aws:s3:::other/*")", R"("Resource": "arn:aws:s3:::logs2")",
        R"("Resource": "logs")", R"("Resource": "arn:aws:s3:us-east-1::logs")",
        R"("Resource": "arn:aws:sqs:::logs")", R"("Resource": [])",
        R"("Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::other"])"}) {
    EXPECT_EQ(with(bad), "Policy has invalid resource") << bad;
  }
}

TEST(ResourcePolicyValidatorTest, Conditions) {
  auto with = [](std::string_view condition,
                 std::string_view action = R"("Action": "s3:PutObject")",
                 std::string_view resource = R"("Resource": "arn:aws:s3:::logs/*")") {
    return Validate(One(Members(R"("Effect": "Allow")", R"("Principal": "*")", action, resource,
                                R"("Condition": )" + std::string(condition))));
  };
  EXPECT_EQ(with(R"({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})"), "OK");
  EXPECT_EQ(with(R"({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}})"),
            "OK");
  EXPECT_EQ(with(R"({"StringEquals": {"aws:AnythingAtAll": "x"}})"), "OK");
  EXPECT_EQ(with(R"({"StringEquals": {"s3:RequestObjectTag/team": "x"}})"), "OK");
  EXPECT_EQ(with(R"({"ForAnyValue:StringLikeIfExists": {"s3:x-amz-acl": ["a*", "b"]}})"), "OK");
  EXPECT_EQ(with(R"({"Bool": {"aws:SecureTransport": false}})"), "OK");
  EXPECT_EQ(with(R"({"StringEquals": {"s3:x-acl": "private"}})"),
            "Policy has an invalid condition key");
  EXPECT_EQ(with(R"({"StringEquals": {"sqs:foo": "x"}})"), "Policy has an invalid condition key");
  EXPECT_EQ(with(R"({"StringEqualz": {"s3:x-amz-acl": "private"}})"),
            "Invalid Condition type : StringEqualz");
  EXPECT_EQ(with(R"({"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}})"),
            "Invalid IP address in Conditions");
  EXPECT_EQ(with(R"({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})"), "OK");
  // A key S3 supports for some actions only.
  EXPECT_EQ(with(R"({"StringLike": {"s3:prefix": "logs/*"}})"),
            "Conditions do not apply to combination of actions and resources in statement");
  EXPECT_EQ(with(R"({"StringLike": {"s3:prefix": "logs/*"}})", R"("Action": "s3:ListBucket")",
                 R"("Resource": "arn:aws:s3:::logs")"),
            "OK");
  EXPECT_EQ(with(R"({"StringEquals": {"s3:x-amz-acl": "private"}})", R"("Action": "s3:GetObject")"),
            "Conditions do not apply to combination of actions and resources in statement");
  // That check comes before whether the actions apply to the resources.
  EXPECT_EQ(with(R"({"StringLike": {"s3:prefix": "x"}})", R"("Action": "s3:PutObject")",
                 R"("Resource": "arn:aws:s3:::logs")"),
            "Conditions do not apply to combination of actions and resources in statement");
  EXPECT_EQ(with(R"("x")"), "Invalid policy syntax.");
}

// The first failing statement decides, whatever comes after it.
TEST(ResourcePolicyValidatorTest, StatementsAreCheckedInOrder) {
  std::string first_bad = R"({"Statement": [{)" + Members(R"("Effect": "Allow")", "") + "}, {" +
                          Members(R"("Effect": "Nope")") + "}]}";
  EXPECT_EQ(Validate(first_bad), "Missing required field Principal");
  std::string second_bad =
      R"({"Statement": [{)" + Members() + "}, {" + Members(R"("Effect": "Nope")") + "}]}";
  EXPECT_EQ(Validate(second_bad), "Invalid effect: Nope");
}

}  // namespace
}  // namespace sagetrail::iam
