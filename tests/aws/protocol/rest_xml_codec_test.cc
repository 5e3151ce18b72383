// RestXmlCodec (S3): routing, ParseInput, SerializeOutput and the <Error> document.
//
// The round-trip test drives botocore itself (one python3 run): a real botocore S3 client forms
// each request (its S3 customizations included: checksums, Content-MD5, encoding-type=url, the
// x-amz-copy-source form), the codec routes and parses what it sent, and the same client parses
// the response SerializeOutput writes back.
#include "aws/protocol/rest_xml_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/protocol/s3_address.h"
#include "aws/protocol/validator.h"
#include "common/crypto.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"

namespace sagetrail::aws {
namespace {
namespace json = boost::json;

// Reads the jobs file (argv[2]) with the botocore found under argv[1]. Each job calls one
// operation with `params` on a botocore S3 client whose HTTP send is replaced: it records the
// request and answers with the job's `response`. Prints, per job, the request and what the client
// made of the response (timestamps as isoformat(), a streaming body as "<stream>").
constexpr std::string_view kBotocoreScript = R"(import base64, json, sys
sys.path.insert(0, sys.argv[1])
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore import xform_name

class Raw:
    def __init__(self, body): self._body = body
    def stream(self, **kw):
        yield self._body
    def read(self, amt=None):
        b, self._body = self._body, b''
        return b

session = botocore.session.get_session()

def plain(o):
    if isinstance(o, (bytes, bytearray)):
        return o.decode()
    if hasattr(o, 'isoformat'):
        return o.isoformat()
    return '<stream>'

out = []
for job in json.load(open(sys.argv[2])):
    client = session.create_client(
        's3', region_name='us-east-1', endpoint_url='http://localhost:4566',
        aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret',
        config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 0}))
    seen = {}
    resp = job['response']
    def send(request, **kw):
        body = request.body
        if body is None:
            body = b''
        elif hasattr(body, 'read'):
            body = body.read()
        elif isinstance(body, str):
            body = body.encode()
        seen['method'] = request.method
        seen['url'] = request.url
        seen['headers'] = [[k, v if isinstance(v, str) else v.decode()]
                           for k, v in request.headers.items()]
        seen['body'] = base64.b64encode(bytes(body)).decode()
        return AWSResponse(request.url, resp['status'], dict(resp['headers']),
                           Raw(base64.b64decode(resp['body'])))
    client.meta.events.register('before-send', send)
    params = job['params']
    if 'Body' in params:
        params['Body'] = params['Body'].encode()
    try:
        parsed = getattr(client, xform_name(job['operation']))(**params)
        parsed.pop('ResponseMetadata', None)
    except Exception as e:
        parsed = {'exception': type(e).__name__ + ': ' + str(e)}
    out.append({'request': seen, 'parsed': parsed})
print(json.dumps(out, default=plain))
)";

// Runs kBotocoreScript over `jobs`. Empty on failure, with the reason in `error`; `skip` is set
// when python3 or botocore is missing.
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
  std::ofstream(dir.Sub("jobs.json")) << json::serialize(jobs);
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

http::Request Req(std::string method, std::string target,
                  std::vector<http::Header> headers = {{"Host", "localhost:4566"}},
                  std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

class RestXmlCodecTest : public ::testing::Test {
 protected:
  RestXmlCodecTest() : s3_(*testing::Models().Find("s3")) {}

  // The operation `r` resolves to, or "<Code> <status>" for an error.
  std::string Resolve(const http::Request& r) const {
    auto op = codec_.ResolveOperation(s3_, r);
    if (!op.ok()) return op.error().code + " " + std::to_string(op.error().http_status);
    return (*op)->name;
  }

  json::value Parse(std::string_view op, const http::Request& r) const {
    const Operation* o = s3_.FindOperation(op);
    EXPECT_NE(o, nullptr) << op;
    if (o == nullptr) return {};
    auto v = codec_.ParseInput(s3_, *o, r);
    EXPECT_TRUE(v.ok()) << v.error().code << ": " << v.error().message;
    return v.ok() ? *v : json::value();
  }

  AwsError ParseError(std::string_view op, const http::Request& r) const {
    auto v = codec_.ParseInput(s3_, *s3_.FindOperation(op), r);
    EXPECT_FALSE(v.ok()) << json::serialize(*v);
    return v.ok() ? AwsError{} : v.error();
  }

  http::Response Output(std::string_view op, std::string_view generic,
                        std::string_view request_id = "RID1") const {
    return codec_.SerializeOutput(s3_, *s3_.FindOperation(op), json::parse(generic), request_id);
  }

  const ServiceModel& s3_;
  RestXmlCodec codec_;
};

// ---- Routing ------------------------------------------------------------------------------

TEST_F(RestXmlCodecTest, RoutesBucketOperationsBySubresource) {
  EXPECT_EQ(Resolve(Req("GET", "/")), "ListBuckets");
  EXPECT_EQ(Resolve(Req("PUT", "/b1")), "CreateBucket");
  EXPECT_EQ(Resolve(Req("HEAD", "/b1")), "HeadBucket");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1")), "DeleteBucket");
  EXPECT_EQ(Resolve(Req("GET", "/b1?location")), "GetBucketLocation");
  EXPECT_EQ(Resolve(Req("PUT", "/b1?policy")), "PutBucketPolicy");
  EXPECT_EQ(Resolve(Req("GET", "/b1?policy")), "GetBucketPolicy");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1?policy")), "DeleteBucketPolicy");
  EXPECT_EQ(Resolve(Req("GET", "/b1?acl")), "GetBucketAcl");
  EXPECT_EQ(Resolve(Req("PUT", "/b1?acl")), "PutBucketAcl");
  EXPECT_EQ(Resolve(Req("GET", "/b1?versioning")), "GetBucketVersioning");
  EXPECT_EQ(Resolve(Req("PUT", "/b1?versioning")), "PutBucketVersioning");
  EXPECT_EQ(Resolve(Req("PUT", "/b1?tagging")), "PutBucketTagging");
  EXPECT_EQ(Resolve(Req("GET", "/b1?tagging")), "GetBucketTagging");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1?tagging")), "DeleteBucketTagging");
  EXPECT_EQ(Resolve(Req("POST", "/b1?delete")), "DeleteObjects");
  EXPECT_EQ(Resolve(Req("GET", "/b1")), "ListObjects");
  EXPECT_EQ(Resolve(Req("GET", "/b1?prefix=a&marker=b")), "ListObjects");
  EXPECT_EQ(Resolve(Req("GET", "/b1?list-type=2&prefix=p%2F&max-keys=5&encoding-type=url")),
            "ListObjectsV2");
  // list-type must have the value the model names.
  EXPECT_EQ(Resolve(Req("GET", "/b1?list-type=1")), "ListObjects");
  EXPECT_EQ(Resolve(Req("GET", "/b1?uploads")), "ListMultipartUploads");
  EXPECT_EQ(Resolve(Req("GET", "/b1?uploads&prefix=x&encoding-type=url")), "ListMultipartUploads");
  // A trailing slash names the bucket, not an empty key.
  EXPECT_EQ(Resolve(Req("GET", "/b1/?location")), "GetBucketLocation");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/")), "CreateBucket");
}

TEST_F(RestXmlCodecTest, RoutesObjectOperationsByRequiredMembers) {
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k")), "PutObject");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k")), "GetObject");
  EXPECT_EQ(Resolve(Req("HEAD", "/b1/k")), "HeadObject");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1/k")), "DeleteObject");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1/k?versionId=v1")), "DeleteObject");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k", {{"Host", "localhost"}, {"x-amz-copy-source", "b1/src"}})),
            "CopyObject");
  EXPECT_EQ(Resolve(Req("POST", "/b1/k?uploads")), "CreateMultipartUpload");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?partNumber=1&uploadId=u1")), "UploadPart");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?partNumber=1&uploadId=u1",
                        {{"Host", "localhost"}, {"x-amz-copy-source", "/b1/src"}})),
            "UploadPartCopy");
  EXPECT_EQ(Resolve(Req("POST", "/b1/k?uploadId=u1")), "CompleteMultipartUpload");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1/k?uploadId=u1")), "AbortMultipartUpload");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?uploadId=u1")), "ListParts");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?uploadId=u1&max-parts=2")), "ListParts");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?tagging")), "PutObjectTagging");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?tagging")), "GetObjectTagging");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1/k?tagging")), "DeleteObjectTagging");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?acl")), "GetObjectAcl");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?acl")), "PutObjectAcl");
  // Only part of UploadPart's required query members: PutObject, which needs none.
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?uploadId=u1")), "PutObject");
  // A subresource outranks a required header: ?tagging with a copy source is still tagging.
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?tagging", {{"Host", "h"}, {"x-amz-copy-source", "b/s"}})),
            "PutObjectTagging");
  // Query parameters the operation does not know are ignored, as S3 ignores them.
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?response-content-type=text%2Fplain&foo")), "GetObject");
}

TEST_F(RestXmlCodecTest, DeprecatedOperationsLoseTies) {
  EXPECT_EQ(Resolve(Req("GET", "/b1?lifecycle")), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(Resolve(Req("GET", "/b1?notification")), "GetBucketNotificationConfiguration");
  // A required query member makes the Get more specific than the List.
  EXPECT_EQ(Resolve(Req("GET", "/b1?analytics")), "ListBucketAnalyticsConfigurations");
  EXPECT_EQ(Resolve(Req("GET", "/b1?analytics&id=a1")), "GetBucketAnalyticsConfiguration");
}

TEST_F(RestXmlCodecTest, XIdDecidesWhenItFits) {
  // The JavaScript and Go SDKs send x-id; it wins over required-member matching...
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?x-id=PutObject")), "PutObject");
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?partNumber=1&uploadId=u&x-id=UploadPart")), "UploadPart");
  EXPECT_EQ(
      Resolve(Req("PUT", "/b1/k?x-id=CopyObject", {{"Host", "h"}, {"x-amz-copy-source", "b/s"}})),
      "CopyObject");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?x-id=GetObject")), "GetObject");
  EXPECT_EQ(Resolve(Req("DELETE", "/b1/k?uploadId=u&x-id=AbortMultipartUpload")),
            "AbortMultipartUpload");
  EXPECT_EQ(Resolve(Req("POST", "/b1?delete&x-id=DeleteObjects")), "DeleteObjects");
  // ...and is ignored when it names no operation of that method and resource.
  EXPECT_EQ(Resolve(Req("PUT", "/b1/k?x-id=Nonsense")), "PutObject");
  EXPECT_EQ(Resolve(Req("GET", "/b1/k?x-id=PutObject")), "GetObject");
  EXPECT_EQ(Resolve(Req("GET", "/b1?x-id=GetObject")), "ListObjects");
}

TEST_F(RestXmlCodecTest, UnknownCombinationsAreMethodNotAllowed) {
  for (auto [method, target, type] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/b1/k", "OBJECT"},
           {"PATCH", "/b1/k", "OBJECT"},
           {"POST", "/b1", "BUCKET"},
           {"PUT", "/", "SERVICE"},
           {"DELETE", "/", "SERVICE"},
           {"FOO", "/", "SERVICE"},
       }) {
    auto op = codec_.ResolveOperation(s3_, Req(method, target));
    ASSERT_FALSE(op.ok()) << method << " " << target << " -> " << (*op)->name;
    EXPECT_EQ(op.error().code, "MethodNotAllowed");
    EXPECT_EQ(op.error().http_status, 405);
    EXPECT_EQ(op.error().message, "The specified method is not allowed against this resource.");
    ASSERT_EQ(op.error().extra.size(), 2u);
    EXPECT_EQ(op.error().extra[0], (std::pair<std::string, std::string>{"Method", method}));
    EXPECT_EQ(op.error().extra[1], (std::pair<std::string, std::string>{"ResourceType", type}));
  }
  http::Response r =
      codec_.SerializeError(&s3_, codec_.ResolveOperation(s3_, Req("POST", "/b1/k")).error(), "R");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.body.find("<Code>MethodNotAllowed</Code><Message>The specified method is not "
                        "allowed against this resource.</Message><Method>POST</Method>"
                        "<ResourceType>OBJECT</ResourceType><RequestId>R</RequestId>"),
            std::string::npos)
      << r.body;
}

TEST_F(RestXmlCodecTest, VirtualHostedRequests) {
  for (std::string host :
       {"b1.localhost:4566", "b1.s3.amazonaws.com", "B1.S3.AMAZONAWS.COM",
        "b1.s3.eu-west-1.amazonaws.com", "b1.s3-eu-west-1.amazonaws.com:443", "b1.localhost"}) {
    EXPECT_EQ(Resolve(Req("GET", "/", {{"Host", host}})), "ListObjects") << host;
    EXPECT_EQ(Resolve(Req("GET", "/?location", {{"Host", host}})), "GetBucketLocation") << host;
    EXPECT_EQ(Resolve(Req("PUT", "/dir/k", {{"Host", host}})), "PutObject") << host;
    EXPECT_EQ(Resolve(Req("POST", "/k?uploads", {{"Host", host}})), "CreateMultipartUpload");
    json::value in = Parse("GetObject", Req("GET", "/dir/k%20x", {{"Host", host}}));
    EXPECT_EQ(in, json::parse(R"({"Bucket": "b1", "Key": "dir/k x"})")) << host;
  }
  // Bucket names with dots.
  json::value in =
      Parse("GetObject", Req("GET", "/k", {{"Host", "my.b.s3.us-west-2.amazonaws.com"}}));
  EXPECT_EQ(in, json::parse(R"({"Bucket": "my.b", "Key": "k"})"));
  // Hosts that name no bucket are path-style.
  for (std::string host : {"localhost:4566", "127.0.0.1:4566", "s3.amazonaws.com",
                           "s3.us-east-1.amazonaws.com", "s3-us-west-2.amazonaws.com", "[::1]:80",
                           "sagemaker.us-east-1.amazonaws.com", "example.com"}) {
    EXPECT_EQ(Resolve(Req("GET", "/", {{"Host", host}})), "ListBuckets") << host;
    EXPECT_EQ(Resolve(Req("GET", "/b1", {{"Host", host}})), "ListObjects") << host;
  }
}

TEST_F(RestXmlCodecTest, S3AddressHelper) {
  S3Address a = ParseS3Address(Req("GET", "/b1/a%2Fb/c%20d?x=1"));
  EXPECT_EQ(a.bucket, "b1");
  EXPECT_EQ(a.raw_key, "a%2Fb/c%20d");
  EXPECT_EQ(a.Key(), "a/b/c d");
  EXPECT_FALSE(a.virtual_hosted);
  a = ParseS3Address(Req("GET", "//abs", {{"Host", "b2.localhost:9000"}}));
  EXPECT_EQ(a.bucket, "b2");
  EXPECT_EQ(a.raw_key, "/abs");
  EXPECT_TRUE(a.virtual_hosted);
  a = ParseS3Address(Req("GET", "/"));
  EXPECT_EQ(a.bucket, "");
  EXPECT_EQ(a.raw_key, "");
  a = ParseS3Address(Req("GET", "/b3/"));
  EXPECT_EQ(a.bucket, "b3");
  EXPECT_EQ(a.raw_key, "");
  EXPECT_EQ(VirtualHostedBucket("b.s3.amazonaws.com."), "b");
  EXPECT_EQ(VirtualHostedBucket("localhost"), "");
  EXPECT_EQ(VirtualHostedBucket("b.s3.us_east.amazonaws.com"), "");
}

TEST_F(RestXmlCodecTest, StreamsOnlyStreamingPayloads) {
  EXPECT_TRUE(codec_.StreamsRequestBody(s3_, Req("PUT", "/b1/k")));
  EXPECT_TRUE(codec_.StreamsRequestBody(s3_, Req("PUT", "/b1/k?partNumber=1&uploadId=u")));
  EXPECT_TRUE(codec_.StreamsRequestBody(s3_, Req("PUT", "/k", {{"Host", "b1.localhost"}})));
  EXPECT_FALSE(codec_.StreamsRequestBody(
      s3_, Req("PUT", "/b1/k", {{"Host", "h"}, {"x-amz-copy-source", "b/s"}})));
  EXPECT_FALSE(codec_.StreamsRequestBody(s3_, Req("PUT", "/b1?policy")));
  EXPECT_FALSE(codec_.StreamsRequestBody(s3_, Req("POST", "/b1/k?uploadId=u")));
  EXPECT_FALSE(codec_.StreamsRequestBody(s3_, Req("PUT", "/b1")));
  EXPECT_FALSE(codec_.StreamsRequestBody(s3_, Req("POST", "/b1/k")));  // no operation
  EXPECT_NE(RestXmlCodec::StreamingInputMember(s3_, *s3_.FindOperation("PutObject")), nullptr);
  EXPECT_EQ(RestXmlCodec::StreamingInputMember(s3_, *s3_.FindOperation("PutBucketPolicy")),
            nullptr);
}

// ---- ParseInput -----------------------------------------------------------------------------

TEST_F(RestXmlCodecTest, KeysAreOpaque) {
  struct Case {
    std::string target, key;
  };
  for (const Case& c : std::vector<Case>{{"/b1/a/./b", "a/./b"},
                                         {"/b1/a/../b", "a/../b"},
                                         {"/b1/..x", "..x"},
                                         {"/b1//abs", "/abs"},
                                         {"/b1///abs", "//abs"},
                                         {"/b1/dir/", "dir/"},
                                         {"/b1/a%20b%2Bc+d%25e", "a b+c+d%e"},
                                         {"/b1/%E2%82%AC%2F", "\xE2\x82\xAC/"},
                                         {"/b1/bad%zz", "bad%zz"}}) {
    json::value in = Parse("GetObject", Req("GET", c.target));
    EXPECT_EQ(in.at("Key"), json::value(c.key)) << c.target;
    EXPECT_EQ(in.at("Bucket"), json::value("b1"));
  }
}

TEST_F(RestXmlCodecTest, HeadersOfEachType) {
  json::value in =
      Parse("GetObject",
            Req("GET", "/b1/k?partNumber=3&versionId=v%2B1&response-content-type=text%2Fhtml",
                {{"Host", "localhost"},
                 {"If-Modified-Since", "Wed, 01 Jan 2020 00:00:00 GMT"},
                 {"If-Unmodified-Since", "2020-01-02T00:00:00.500Z"},
                 {"If-Match", "\"e1\""},
                 {"Range", "bytes=0-9"},
                 {"x-amz-checksum-mode", "ENABLED"}}));
  EXPECT_EQ(in, json::parse(R"({"Bucket": "b1", "IfMatch": "\"e1\"",
    "IfModifiedSince": 1577836800, "IfUnmodifiedSince": 1577923200.5, "Key": "k", "Range": "bytes=0-9",
    "ResponseContentType": "text/html", "VersionId": "v+1", "PartNumber": 3,
    "ChecksumMode": "ENABLED"})"));
  // Dates that do not parse are ignored, as HTTP ignores them.
  in = Parse("GetObject", Req("GET", "/b1/k", {{"If-Modified-Since", "yesterday"}}));
  EXPECT_FALSE(in.as_object().contains("IfModifiedSince"));

  // long, boolean and a comma-separated list.
  in = Parse("PutObject", Req("PUT", "/b1/k",
                              {{"Content-Length", "12"},
                               {"x-amz-server-side-encryption-bucket-key-enabled", "TRUE"},
                               {"x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z"}}));
  EXPECT_EQ(in.at("ContentLength"), json::value(12));
  EXPECT_EQ(in.at("BucketKeyEnabled"), json::value(true));
  EXPECT_EQ(in.at("ObjectLockRetainUntilDate"), json::value(1893456000));
  in = Parse("ListObjectsV2", Req("GET", "/b1?list-type=2",
                                  {{"x-amz-optional-object-attributes", "RestoreStatus, Other"}}));
  EXPECT_EQ(in.at("OptionalObjectAttributes"), json::parse(R"(["RestoreStatus", "Other"])"));
}

TEST_F(RestXmlCodecTest, MetadataHeadersBecomeALowerCasedMap) {
  json::value in = Parse("PutObject", Req("PUT", "/b1/k",
                                          {{"Host", "localhost"},
                                           {"x-amz-meta-Color", "Blue"},
                                           {"X-AMZ-META-size", "10"},
                                           {"x-amz-meta-list", "a"},
                                           {"x-amz-meta-list", "b"},
                                           {"x-amz-meta-", "no name"},
                                           {"x-amz-metadata-directive", "COPY"}}));
  EXPECT_EQ(in.at("Metadata"), json::parse(R"({"color": "Blue", "size": "10", "list": "a,b"})"));
  // PutObject has no member for the directive: it is not picked up as metadata either.
  EXPECT_FALSE(in.as_object().contains("MetadataDirective"));
  // No metadata headers: no Metadata member.
  EXPECT_FALSE(Parse("PutObject", Req("PUT", "/b1/k")).as_object().contains("Metadata"));
}

TEST_F(RestXmlCodecTest, StreamingBodyIsNotInTheGenericForm) {
  json::value in = Parse("PutObject", Req("PUT", "/b1/k", {{"Host", "h"}}, "hello"));
  EXPECT_EQ(in, json::parse(R"({"Bucket": "b1", "Key": "k"})"));
  in = Parse("UploadPart", Req("PUT", "/b1/k?partNumber=2&uploadId=u1", {{"Host", "h"}}, "x"));
  EXPECT_EQ(in, json::parse(R"({"Bucket": "b1", "Key": "k", "PartNumber": 2, "UploadId": "u1"})"));
}

TEST_F(RestXmlCodecTest, StringPayloadIsTheBodyText) {
  std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  json::value in = Parse("PutBucketPolicy", Req("PUT", "/b1?policy", {{"Host", "h"}}, policy));
  EXPECT_EQ(in.at("Policy"), json::value(policy));
  EXPECT_FALSE(Parse("PutBucketPolicy", Req("PUT", "/b1?policy")).as_object().contains("Policy"));
}

TEST_F(RestXmlCodecTest, XmlPayloads) {
  json::value in = Parse(
      "PutBucketAcl",
      Req("PUT", "/b1?acl", {{"Host", "h"}},
          "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>o"
          "</ID></Owner><AccessControlList><Grant><Grantee "
          "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"
          "<ID>x</ID></Grantee><Permission>READ</Permission></Grant><Grant><Grantee "
          "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>"
          "http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>WRITE"
          "</Permission></Grant></AccessControlList></AccessControlPolicy>"));
  EXPECT_EQ(in.at("AccessControlPolicy"), json::parse(R"({"Owner": {"ID": "o"}, "Grants": [
    {"Grantee": {"ID": "x", "Type": "CanonicalUser"}, "Permission": "READ"},
    {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
     "Permission": "WRITE"}]})"));
  EXPECT_FALSE(Validator(s3_).Validate(s3_.FindOperation("PutBucketAcl")->input, in).has_value());

  // Flattened lists, booleans, entities, whitespace-only text kept in strings, unknown elements
  // ignored, an XML declaration.
  in = Parse("DeleteObjects",
             Req("POST", "/b1?delete", {{"Host", "h"}},
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>\n  <Object><Key>a&amp;b"
                 "</Key></Object>\n  <Object><Key> </Key><VersionId>v</VersionId><Extra/></Object>"
                 "\n  <Quiet> true </Quiet>\n</Delete>"));
  EXPECT_EQ(in.at("Delete"), json::parse(R"({"Objects": [{"Key": "a&b"},
    {"Key": " ", "VersionId": "v"}], "Quiet": true})"));

  in = Parse("CompleteMultipartUpload",
             Req("POST", "/b1/k?uploadId=u1", {{"Host", "h"}},
                 "<CompleteMultipartUpload><Part><ETag>\"e1\"</ETag><PartNumber>1</PartNumber>"
                 "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
                 "</CompleteMultipartUpload>"));
  EXPECT_EQ(in.at("MultipartUpload"), json::parse(R"({"Parts": [
    {"ETag": "\"e1\"", "PartNumber": 1}, {"ETag": "\"e2\"", "PartNumber": 2}]})"));
  EXPECT_EQ(in.at("UploadId"), json::value("u1"));

  in = Parse("PutObjectTagging",
             Req("PUT", "/b1/k?tagging&versionId=v", {{"Host", "h"}},
                 "<Tagging><TagSet><Tag><Key>k1</Key><Value></Value></Tag><Tag><Key>k2</Key>"
                 "<Value><![CDATA[<v>]]></Value></Tag></TagSet></Tagging>"));
  EXPECT_EQ(in, json::parse(R"({"Bucket": "b1", "Key": "k", "VersionId": "v", "Tagging":
    {"TagSet": [{"Key": "k1", "Value": ""}, {"Key": "k2", "Value": "<v>"}]}})"));

  in = Parse("CreateBucket", Req("PUT", "/b1", {{"Host", "h"}, {"x-amz-acl", "private"}},
                                 "<CreateBucketConfiguration><LocationConstraint>eu-west-1"
                                 "</LocationConstraint></CreateBucketConfiguration>"));
  EXPECT_EQ(in, json::parse(R"({"ACL": "private", "Bucket": "b1",
    "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})"));
  // CreateBucket without a body: no configuration.
  EXPECT_EQ(Parse("CreateBucket", Req("PUT", "/b1", {{"Host", "h"}}, " \r\n")),
            json::parse(R"({"Bucket": "b1"})"));
}

TEST_F(RestXmlCodecTest, MalformedXmlIsS3sMalformedXml) {
  for (std::string body : {
           "<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>",  // not well-formed
           "<Tagging>",
           "not xml",
           "<Other><TagSet/></Other>",  // the wrong root
           "<!DOCTYPE Tagging [<!ENTITY e \"x\">]><Tagging><TagSet><Tag><Key>&e;</Key>"
           "<Value>v</Value></Tag></TagSet></Tagging>",
           "<Tagging><TagSet><Tag><Key>\xff</Key></Tag></TagSet></Tagging>",
       }) {
    AwsError e = ParseError("PutBucketTagging", Req("PUT", "/b1?tagging", {{"Host", "h"}}, body));
    EXPECT_EQ(e.code, "MalformedXML") << body;
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.message,
              "The XML you provided was not well-formed or did not validate against our "
              "published schema");
  }
  // A scalar of the wrong type inside the document.
  EXPECT_EQ(ParseError("DeleteObjects",
                       Req("POST", "/b1?delete", {{"Host", "h"}},
                           "<Delete><Object><Key>a</Key></Object><Quiet>maybe</Quiet></Delete>"))
                .code,
            "MalformedXML");
  EXPECT_EQ(ParseError("CompleteMultipartUpload",
                       Req("POST", "/b1/k?uploadId=u", {{"Host", "h"}},
                           "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part>"
                           "</CompleteMultipartUpload>"))
                .code,
            "MalformedXML");
  // A required XML payload with no body.
  AwsError e = ParseError("PutBucketTagging", Req("PUT", "/b1?tagging"));
  EXPECT_EQ(e.code, "MissingRequestBodyError");
  EXPECT_EQ(e.http_status, 400);
}

TEST_F(RestXmlCodecTest, UnreadableParametersAreInvalidArgument) {
  AwsError e = ParseError("ListObjectsV2", Req("GET", "/b1?list-type=2&max-keys=ten"));
  EXPECT_EQ(e.code, "InvalidArgument");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "Provided max-keys not an integer");
  ASSERT_EQ(e.extra.size(), 2u);
  EXPECT_EQ(e.extra[0], (std::pair<std::string, std::string>{"ArgumentName", "max-keys"}));
  EXPECT_EQ(e.extra[1], (std::pair<std::string, std::string>{"ArgumentValue", "ten"}));
  EXPECT_EQ(ParseError("UploadPart", Req("PUT", "/b1/k?partNumber=99999999999&uploadId=u")).code,
            "InvalidArgument");
  EXPECT_EQ(ParseError("PutObject", Req("PUT", "/b1/k", {{"Content-Length", "-x"}})).code,
            "InvalidArgument");
  EXPECT_EQ(
      ParseError("PutObject",
                 Req("PUT", "/b1/k", {{"x-amz-server-side-encryption-bucket-key-enabled", "yes"}}))
          .code,
      "InvalidArgument");
}

// ---- SerializeOutput ------------------------------------------------------------------------

std::string Header(const http::Response& r, std::string_view name) {
  const std::string* v = r.FindHeader(name);
  return v == nullptr ? "<none>" : *v;
}

TEST_F(RestXmlCodecTest, ListObjectsV2Document) {
  http::Response r = Output("ListObjectsV2", R"({
    "IsTruncated": false, "Name": "b1", "Prefix": "p/", "Delimiter": "/", "MaxKeys": 1000,
    "KeyCount": 2, "EncodingType": "url",
    "Contents": [{"Key": "p/a&b", "LastModified": 1796317834, "ETag": "\"e1\"", "Size": 5,
                  "StorageClass": "STANDARD"},
                 {"Key": "p/c", "LastModified": "2026-12-03T17:10:34.250Z", "ETag": "\"e2\"",
                  "Size": 0, "StorageClass": "STANDARD"}],
    "CommonPrefixes": [{"Prefix": "p/d/"}]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<IsTruncated>false</IsTruncated>"
            "<Contents><Key>p/a&amp;b</Key><LastModified>2026-12-03T17:10:34.000Z</LastModified>"
            "<ETag>&quot;e1&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass>"
            "</Contents>"
            "<Contents><Key>p/c</Key><LastModified>2026-12-03T17:10:34.250Z</LastModified>"
            "<ETag>&quot;e2&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass>"
            "</Contents>"
            "<Name>b1</Name><Prefix>p/</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>"
            "<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes>"
            "<EncodingType>url</EncodingType><KeyCount>2</KeyCount></ListBucketResult>");
  EXPECT_EQ(Header(r, "Content-Type"), "application/xml");
  EXPECT_EQ(Header(r, "x-amz-request-id"), "RID1");
  EXPECT_EQ(Header(r, "x-amz-id-2"), RestXmlCodec::HostId("RID1"));
  EXPECT_EQ(Header(r, "x-amz-id-2").size(), 44u);
  EXPECT_NE(RestXmlCodec::HostId("RID1"), RestXmlCodec::HostId("RID2"));
}

TEST_F(RestXmlCodecTest, RootNames) {
  for (auto [op, root] : std::vector<std::pair<std::string, std::string>>{
           {"ListBuckets", "ListAllMyBucketsResult"},
           {"ListObjects", "ListBucketResult"},
           {"ListObjectsV2", "ListBucketResult"},
           {"GetBucketLocation", "LocationConstraint"},
           {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
           {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
           {"CopyObject", "CopyObjectResult"},
           {"UploadPartCopy", "CopyPartResult"},
           {"DeleteObjects", "DeleteResult"},
           {"ListMultipartUploads", "ListMultipartUploadsResult"},
           {"ListParts", "ListPartsResult"},
           {"GetBucketTagging", "Tagging"},
           {"GetObjectTagging", "Tagging"},
           {"GetBucketAcl", "AccessControlPolicy"},
           {"GetObjectAcl", "AccessControlPolicy"},
           {"GetBucketVersioning", "VersioningConfiguration"},
           {"GetBucketEncryption", "ServerSideEncryptionConfiguration"},  // the payload member
       }) {
    EXPECT_EQ(RestXmlCodec::ResponseRootName(s3_, *s3_.FindOperation(op)), root) << op;
  }
}

TEST_F(RestXmlCodecTest, GetBucketLocationDocument) {
  http::Response r = Output("GetBucketLocation", R"({"LocationConstraint": "eu-west-1"})");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>");
  r = Output("GetBucketLocation", "{}");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>");
}

TEST_F(RestXmlCodecTest, EmptyDocumentsKeepTheirRoot) {
  EXPECT_EQ(Output("GetBucketVersioning", "{}").body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></VersioningConfiguration>");
  EXPECT_EQ(Output("GetBucketTagging", R"({"TagSet": []})").body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet></TagSet></Tagging>");
}

TEST_F(RestXmlCodecTest, GrantsCarryTheirXsiType) {
  http::Response r = Output("GetObjectAcl", R"({"Owner": {"ID": "o1", "DisplayName": "me"},
    "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "o1"}, "Permission": "FULL_CONTROL"}],
    "RequestCharged": "requester"})");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Owner><DisplayName>me</DisplayName><ID>o1</ID></Owner><AccessControlList><Grant>"
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            "xsi:type=\"CanonicalUser\"><ID>o1</ID></Grantee>"
            "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>"
            "</AccessControlPolicy>");
  EXPECT_EQ(Header(r, "x-amz-request-charged"), "requester");
}

TEST_F(RestXmlCodecTest, HeaderMembers) {
  http::Response r = Output("HeadObject", R"({
    "LastModified": 1796317834, "ContentLength": 11, "ETag": "\"abc\"",
    "ContentType": "text/plain", "Metadata": {"color": "blue", "n": "1"},
    "ChecksumCRC32": "NhCmhg==", "AcceptRanges": "bytes", "DeleteMarker": false,
    "Expires": "Thu, 01 Dec 2030 16:00:00 GMT", "PartsCount": 3,
    "ObjectLockRetainUntilDate": 1893456000, "Body": "ignored", "Unknown": "x"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Header(r, "Last-Modified"), "Thu, 03 Dec 2026 17:10:34 GMT");
  EXPECT_EQ(Header(r, "Content-Length"), "11");
  EXPECT_EQ(Header(r, "ETag"), "\"abc\"");
  EXPECT_EQ(Header(r, "Content-Type"), "text/plain");
  EXPECT_EQ(Header(r, "x-amz-meta-color"), "blue");
  EXPECT_EQ(Header(r, "x-amz-meta-n"), "1");
  EXPECT_EQ(Header(r, "x-amz-checksum-crc32"), "NhCmhg==");
  EXPECT_EQ(Header(r, "accept-ranges"), "bytes");
  EXPECT_EQ(Header(r, "x-amz-delete-marker"), "false");
  EXPECT_EQ(Header(r, "Expires"), "Thu, 01 Dec 2030 16:00:00 GMT");
  EXPECT_EQ(Header(r, "x-amz-mp-parts-count"), "3");
  EXPECT_EQ(Header(r, "x-amz-object-lock-retain-until-date"), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(Header(r, "Unknown"), "<none>");
}

TEST_F(RestXmlCodecTest, StreamingOutputIsLeftToTheService) {
  http::Response r = Output("GetObject", R"({"ContentLength": 5, "ETag": "\"e\"",
    "Body": "aGVsbG8=", "ContentType": "text/plain"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.body_source, nullptr);
  EXPECT_EQ(Header(r, "Content-Length"), "5");
  // A ranged answer is 206.
  r = Output("GetObject", R"({"ContentLength": 2, "ContentRange": "bytes 0-1/5"})");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(Header(r, "Content-Range"), "bytes 0-1/5");
}

TEST_F(RestXmlCodecTest, StatusCodesAndRawPayloads) {
  EXPECT_EQ(Output("DeleteObject", "{}").status, 204);
  EXPECT_EQ(Output("DeleteObject", "{}").body, "");
  EXPECT_EQ(Output("DeleteBucket", "{}").status, 204);
  EXPECT_EQ(Output("AbortMultipartUpload", "{}").status, 204);
  EXPECT_EQ(Output("PutObject", "{}").status, 200);
  EXPECT_EQ(Header(Output("PutObject", "{}"), "Content-Type"), "<none>");

  std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  json::object o{{"Policy", policy}};
  http::Response r = codec_.SerializeOutput(s3_, *s3_.FindOperation("GetBucketPolicy"), o, "R");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, policy);

  r = Output("CopyObject", R"({"CopyObjectResult": {"ETag": "\"e\"", "LastModified": 1796317834},
    "VersionId": "v1"})");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ETag>&quot;e&quot;</ETag>"
            "<LastModified>2026-12-03T17:10:34.000Z</LastModified></CopyObjectResult>");
  EXPECT_EQ(Header(r, "x-amz-version-id"), "v1");
}

// ---- SerializeError ---------------------------------------------------------------------------

TEST_F(RestXmlCodecTest, SerializeErrorWithExtraElements) {
  AwsError e{"SignatureDoesNotMatch",
             "The request signature we calculated does not match the signature you provided. "
             "Check your key and signing method.",
             403, true};
  e.extra = {{"AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"}, {"StringToSign", "AWS4\n<&>"}};
  http::Response r = codec_.SerializeError(nullptr, e, "4RTEHTT2H8YZ1AY1");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
            "calculated does not match the signature you provided. Check your key and signing "
            "method.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"
            "<StringToSign>AWS4\n&lt;&amp;&gt;</StringToSign>"
            "<RequestId>4RTEHTT2H8YZ1AY1</RequestId></Error>");
  EXPECT_EQ(Header(r, "x-amz-request-id"), "4RTEHTT2H8YZ1AY1");
  EXPECT_EQ(Header(r, "x-amz-id-2"), RestXmlCodec::HostId("4RTEHTT2H8YZ1AY1"));
  EXPECT_EQ(r.FindHeader("x-amzn-RequestId"), nullptr);
  EXPECT_EQ(Header(r, "Content-Type"), "application/xml");
  EXPECT_EQ(codec_.protocol(), Protocol::kRestXml);
}

TEST_F(RestXmlCodecTest, SerializeErrorWithoutExtras) {
  http::Response r = codec_.SerializeError(nullptr, {"AccessDenied", "Access Denied", 403}, "X1");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            "<Message>Access Denied</Message><RequestId>X1</RequestId></Error>");
}

// ---- botocore round trip ----------------------------------------------------------------------

struct RoundTrip {
  std::string op;
  std::string params;  // what the botocore client is called with
  std::string input;   // the generic input ParseInput must make of the request botocore sent
  std::string output;  // the generic output SerializeOutput writes back
  std::string parsed;  // what botocore must make of that response
};

// The ISO form botocore gives 1796317834 (the CreationDate and timestamps below).
constexpr std::string_view kIso = "2026-12-03T17:10:34+00:00";

std::vector<RoundTrip> RoundTrips() {
  return {
      {"ListBuckets", "{}", "{}",
       R"({"Buckets": [{"Name": "b1", "CreationDate": 1796317834}],
           "Owner": {"DisplayName": "me", "ID": "id1"}})",
       R"({"Buckets": [{"Name": "b1", "CreationDate": "ISO"}],
           "Owner": {"DisplayName": "me", "ID": "id1"}})"},
      {"CreateBucket",
       R"({"Bucket": "b1", "ACL": "private",
           "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})",
       R"({"Bucket": "b1", "ACL": "private",
           "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})",
       R"({"Location": "/b1"})", R"({"Location": "/b1"})"},
      {"HeadBucket", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"BucketRegion": "us-east-1"})", R"({"BucketRegion": "us-east-1"})"},
      {"DeleteBucket", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})", "{}", "{}"},
      {"GetBucketLocation", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"LocationConstraint": "eu-west-1"})", R"({"LocationConstraint": "eu-west-1"})"},
      {"PutBucketPolicy", R"({"Bucket": "b1", "Policy": "{\"Version\": \"2012-10-17\"}"})",
       R"({"Bucket": "b1", "Policy": "{\"Version\": \"2012-10-17\"}",
           "ChecksumAlgorithm": "CRC32"})",
       "{}", "{}"},
      {"GetBucketPolicy", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"Policy": "{\"Version\": \"2012-10-17\"}"})",
       R"({"Policy": "{\"Version\": \"2012-10-17\"}"})"},
      {"DeleteBucketPolicy", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})", "{}", "{}"},
      {"GetBucketAcl", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"Owner": {"ID": "o1"}, "Grants": [
           {"Grantee": {"Type": "CanonicalUser", "ID": "o1", "DisplayName": "me"},
            "Permission": "FULL_CONTROL"},
           {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ"}]})",
       R"({"Owner": {"ID": "o1"}, "Grants": [
           {"Grantee": {"Type": "CanonicalUser", "ID": "o1", "DisplayName": "me"},
            "Permission": "FULL_CONTROL"},
           {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "Permission": "READ"}]})"},
      {"PutBucketAcl",
       R"({"Bucket": "b1", "AccessControlPolicy": {"Owner": {"ID": "o"}, "Grants": [
           {"Grantee": {"Type": "CanonicalUser", "ID": "x"}, "Permission": "READ"}]}})",
       R"({"Bucket": "b1", "ChecksumAlgorithm": "CRC32", "AccessControlPolicy": {
           "Owner": {"ID": "o"}, "Grants": [
           {"Grantee": {"Type": "CanonicalUser", "ID": "x"}, "Permission": "READ"}]}})",
       "{}", "{}"},
      {"GetBucketVersioning", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"Status": "Enabled", "MFADelete": "Disabled"})",
       R"({"Status": "Enabled", "MFADelete": "Disabled"})"},
      {"PutBucketVersioning",
       R"({"Bucket": "b1", "VersioningConfiguration": {"Status": "Suspended"}})",
       R"({"Bucket": "b1", "ChecksumAlgorithm": "CRC32",
           "VersioningConfiguration": {"Status": "Suspended"}})",
       "{}", "{}"},
      {"PutBucketTagging",
       R"({"Bucket": "b1", "Tagging": {"TagSet": [{"Key": "k", "Value": "v & w"}]}})",
       R"({"Bucket": "b1", "ChecksumAlgorithm": "CRC32",
           "Tagging": {"TagSet": [{"Key": "k", "Value": "v & w"}]}})",
       "{}", "{}"},
      {"GetBucketTagging", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})",
       R"({"TagSet": [{"Key": "k", "Value": "v"}, {"Key": "e", "Value": ""}]})",
       R"({"TagSet": [{"Key": "k", "Value": "v"}, {"Key": "e", "Value": ""}]})"},
      {"DeleteBucketTagging", R"({"Bucket": "b1"})", R"({"Bucket": "b1"})", "{}", "{}"},
      {"PutObject",
       R"({"Bucket": "b1", "Key": "dir/a b+c", "Body": "hello", "Metadata": {"Color": "Blue"},
           "ContentType": "text/plain"})",
       R"({"Bucket": "b1", "Key": "dir/a b+c", "Metadata": {"color": "Blue"},
           "ContentType": "text/plain", "ContentLength": 5, "ChecksumAlgorithm": "CRC32",
           "ChecksumCRC32": "NhCmhg=="})",
       R"({"ETag": "\"5d41402abc4b2a76b9719d911017c592\"", "ChecksumCRC32": "NhCmhg==",
           "ChecksumType": "FULL_OBJECT"})",
       R"({"ETag": "\"5d41402abc4b2a76b9719d911017c592\"", "ChecksumCRC32": "NhCmhg==",
           "ChecksumType": "FULL_OBJECT"})"},
      {"GetObject",
       R"({"Bucket": "b1", "Key": "dir/a", "Range": "bytes=0-1",
           "IfModifiedSince": "2020-01-01T00:00:00Z"})",
       R"({"Bucket": "b1", "Key": "dir/a", "Range": "bytes=0-1", "IfModifiedSince": 1577836800,
           "ChecksumMode": "ENABLED"})",
       R"({"LastModified": 1796317834, "ContentLength": 0, "ETag": "\"e\"",
           "ContentType": "text/plain", "Metadata": {"color": "Blue"}, "AcceptRanges": "bytes"})",
       R"({"LastModified": "ISO", "ContentLength": 0, "ETag": "\"e\"",
           "ContentType": "text/plain", "Metadata": {"color": "Blue"}, "AcceptRanges": "bytes",
           "Body": "<stream>"})"},
      {"HeadObject", R"({"Bucket": "b1", "Key": "k", "VersionId": "v1"})",
       R"({"Bucket": "b1", "Key": "k", "VersionId": "v1"})",
       R"({"LastModified": 1796317834, "ContentLength": 11, "ETag": "\"e\"",
           "Metadata": {"a": "1"}, "VersionId": "v1", "StorageClass": "STANDARD_IA"})",
       R"({"LastModified": "ISO", "ContentLength": 11, "ETag": "\"e\"",
           "Metadata": {"a": "1"}, "VersionId": "v1", "StorageClass": "STANDARD_IA"})"},
      {"DeleteObject", R"({"Bucket": "b1", "Key": "k"})", R"({"Bucket": "b1", "Key": "k"})",
       R"({"DeleteMarker": true, "VersionId": "v2"})",
       R"({"DeleteMarker": true, "VersionId": "v2"})"},
      {"DeleteObjects",
       R"({"Bucket": "b1", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}],
           "Quiet": true}})",
       R"({"Bucket": "b1", "ChecksumAlgorithm": "CRC32", "Delete": {
           "Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}], "Quiet": true}})",
       R"({"Deleted": [{"Key": "a"}], "Errors": [{"Key": "b", "VersionId": "v",
           "Code": "AccessDenied", "Message": "Access Denied"}]})",
       R"({"Deleted": [{"Key": "a"}], "Errors": [{"Key": "b", "VersionId": "v",
           "Code": "AccessDenied", "Message": "Access Denied"}]})"},
      {"CopyObject",
       R"({"Bucket": "b1", "Key": "k2", "CopySource": {"Bucket": "b1", "Key": "a b"},
           "MetadataDirective": "REPLACE", "Metadata": {"x": "1"}})",
       R"({"Bucket": "b1", "Key": "k2", "CopySource": "b1/a%20b",
           "MetadataDirective": "REPLACE", "Metadata": {"x": "1"}})",
       R"({"CopyObjectResult": {"ETag": "\"e\"", "LastModified": 1796317834},
           "VersionId": "v3"})",
       R"({"CopyObjectResult": {"ETag": "\"e\"", "LastModified": "ISO"},
           "VersionId": "v3"})"},
      {"ListObjects", R"({"Bucket": "b1", "Prefix": "p/", "Delimiter": "/", "Marker": "m"})",
       R"({"Bucket": "b1", "Prefix": "p/", "Delimiter": "/", "Marker": "m",
           "EncodingType": "url"})",
       R"({"IsTruncated": true, "Marker": "m", "NextMarker": "p/a", "Name": "b1",
           "Prefix": "p/", "Delimiter": "/", "MaxKeys": 1,
           "Contents": [{"Key": "p/a", "LastModified": 1796317834, "ETag": "\"e\"",
                         "Size": 3, "StorageClass": "STANDARD", "Owner": {"ID": "o"}}],
           "CommonPrefixes": [{"Prefix": "p/d/"}, {"Prefix": "p/e/"}],
           "EncodingType": "url"})",
       R"({"IsTruncated": true, "Marker": "m", "NextMarker": "p/a", "Name": "b1",
           "Prefix": "p/", "Delimiter": "/", "MaxKeys": 1,
           "Contents": [{"Key": "p/a", "LastModified": "ISO", "ETag": "\"e\"",
                         "Size": 3, "StorageClass": "STANDARD", "Owner": {"ID": "o"}}],
           "CommonPrefixes": [{"Prefix": "p/d/"}, {"Prefix": "p/e/"}],
           "EncodingType": "url"})"},
      {"ListObjectsV2",
       R"({"Bucket": "b1", "Prefix": "p/", "MaxKeys": 5, "ContinuationToken": "t1",
           "StartAfter": "p/0", "FetchOwner": true})",
       R"({"Bucket": "b1", "Prefix": "p/", "MaxKeys": 5, "ContinuationToken": "t1",
           "StartAfter": "p/0", "FetchOwner": true, "EncodingType": "url"})",
       R"({"IsTruncated": false, "Name": "b1", "Prefix": "p/", "MaxKeys": 5, "KeyCount": 1,
           "ContinuationToken": "t1", "StartAfter": "p/0", "EncodingType": "url",
           "Contents": [{"Key": "p/a%20b", "LastModified": 1796317834, "ETag": "\"e\"",
                         "Size": 3, "StorageClass": "STANDARD"}]})",
       R"({"IsTruncated": false, "Name": "b1", "Prefix": "p/", "MaxKeys": 5, "KeyCount": 1,
           "ContinuationToken": "t1", "StartAfter": "p/0", "EncodingType": "url",
           "Contents": [{"Key": "p/a b", "LastModified": "ISO", "ETag": "\"e\"",
                         "Size": 3, "StorageClass": "STANDARD"}]})"},
      {"CreateMultipartUpload",
       R"({"Bucket": "b1", "Key": "big", "ContentType": "application/octet-stream",
           "Metadata": {"a": "1"}})",
       R"({"Bucket": "b1", "Key": "big", "ContentType": "application/octet-stream",
           "Metadata": {"a": "1"}})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1"})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1"})"},
      {"UploadPart",
       R"({"Bucket": "b1", "Key": "big", "PartNumber": 1, "UploadId": "u1", "Body": "x"})",
       R"({"Bucket": "b1", "Key": "big", "PartNumber": 1, "UploadId": "u1", "ContentLength": 1,
           "ChecksumAlgorithm": "CRC32", "ChecksumCRC32": "jNwWgw=="})",
       R"({"ETag": "\"e1\""})", R"({"ETag": "\"e1\""})"},
      {"UploadPartCopy",
       R"({"Bucket": "b1", "Key": "big", "PartNumber": 2, "UploadId": "u1",
           "CopySource": "b1/src", "CopySourceRange": "bytes=0-9"})",
       R"({"Bucket": "b1", "Key": "big", "PartNumber": 2, "UploadId": "u1",
           "CopySource": "b1/src", "CopySourceRange": "bytes=0-9"})",
       R"({"CopyPartResult": {"ETag": "\"e2\"", "LastModified": 1796317834}})",
       R"({"CopyPartResult": {"ETag": "\"e2\"", "LastModified": "ISO"}})"},
      {"CompleteMultipartUpload",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "MultipartUpload": {"Parts": [
           {"ETag": "\"e1\"", "PartNumber": 1}, {"ETag": "\"e2\"", "PartNumber": 2}]}})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "MultipartUpload": {"Parts": [
           {"ETag": "\"e1\"", "PartNumber": 1}, {"ETag": "\"e2\"", "PartNumber": 2}]}})",
       R"({"Location": "http://localhost:4566/b1/big", "Bucket": "b1", "Key": "big",
           "ETag": "\"e-2\""})",
       R"({"Location": "http://localhost:4566/b1/big", "Bucket": "b1", "Key": "big",
           "ETag": "\"e-2\""})"},
      {"AbortMultipartUpload", R"({"Bucket": "b1", "Key": "big", "UploadId": "u1"})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1"})", "{}", "{}"},
      {"ListParts", R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "MaxParts": 10})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "MaxParts": 10})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "IsTruncated": false,
           "MaxParts": 10, "PartNumberMarker": 0, "NextPartNumberMarker": 1,
           "Parts": [{"PartNumber": 1, "LastModified": 1796317834, "ETag": "\"e1\"",
                      "Size": 5}],
           "Initiator": {"ID": "o"}, "Owner": {"ID": "o"}, "StorageClass": "STANDARD"})",
       R"({"Bucket": "b1", "Key": "big", "UploadId": "u1", "IsTruncated": false,
           "MaxParts": 10, "PartNumberMarker": 0, "NextPartNumberMarker": 1,
           "Parts": [{"PartNumber": 1, "LastModified": "ISO", "ETag": "\"e1\"", "Size": 5}],
           "Initiator": {"ID": "o"}, "Owner": {"ID": "o"}, "StorageClass": "STANDARD"})"},
      {"ListMultipartUploads", R"({"Bucket": "b1", "Prefix": "b"})",
       R"({"Bucket": "b1", "Prefix": "b"})",
       R"({"Bucket": "b1", "Prefix": "b", "IsTruncated": false, "MaxUploads": 1000,
           "Uploads": [{"UploadId": "u1", "Key": "big", "Initiated": 1796317834},
                       {"UploadId": "u2", "Key": "big", "Initiated": 1796317834}]})",
       R"({"Bucket": "b1", "Prefix": "b", "IsTruncated": false, "MaxUploads": 1000,
           "Uploads": [{"UploadId": "u1", "Key": "big", "Initiated": "ISO"},
                       {"UploadId": "u2", "Key": "big", "Initiated": "ISO"}]})"},
      {"PutObjectTagging",
       R"({"Bucket": "b1", "Key": "k", "Tagging": {"TagSet": [{"Key": "t", "Value": "1"}]}})",
       R"({"Bucket": "b1", "Key": "k", "ChecksumAlgorithm": "CRC32",
           "Tagging": {"TagSet": [{"Key": "t", "Value": "1"}]}})",
       R"({"VersionId": "v1"})", R"({"VersionId": "v1"})"},
      {"GetObjectTagging", R"({"Bucket": "b1", "Key": "k"})", R"({"Bucket": "b1", "Key": "k"})",
       R"({"VersionId": "v1", "TagSet": [{"Key": "t", "Value": "1"}]})",
       R"({"VersionId": "v1", "TagSet": [{"Key": "t", "Value": "1"}]})"},
      {"DeleteObjectTagging", R"({"Bucket": "b1", "Key": "k"})", R"({"Bucket": "b1", "Key": "k"})",
       R"({"VersionId": "v1"})", R"({"VersionId": "v1"})"},
      {"GetObjectAcl", R"({"Bucket": "b1", "Key": "k"})", R"({"Bucket": "b1", "Key": "k"})",
       R"({"Owner": {"ID": "o"}, "Grants": [{"Grantee": {"Type": "AmazonCustomerByEmail",
           "EmailAddress": "a@example.com"}, "Permission": "READ_ACP"}]})",
       R"({"Owner": {"ID": "o"}, "Grants": [{"Grantee": {"Type": "AmazonCustomerByEmail",
           "EmailAddress": "a@example.com"}, "Permission": "READ_ACP"}]})"},
      {"PutObjectAcl", R"({"Bucket": "b1", "Key": "k", "ACL": "public-read"})",
       R"({"Bucket": "b1", "Key": "k", "ACL": "public-read", "ChecksumAlgorithm": "CRC32"})", "{}",
       "{}"},
  };
}

// Replaces the string "ISO" anywhere in `v` by kIso.
void FillIso(json::value& v) {
  if (v.is_string() && v.get_string() == "ISO") v = kIso;
  if (v.is_array()) {
    for (auto& e : v.get_array()) FillIso(e);
  }
  if (v.is_object()) {
    for (auto& kv : v.get_object()) FillIso(kv.value());
  }
}

TEST_F(RestXmlCodecTest, BotocoreRoundTrip) {
  std::vector<RoundTrip> cases = RoundTrips();
  json::array jobs;
  for (const RoundTrip& c : cases) {
    http::Response r = Output(c.op, c.output, "RID-" + c.op);
    json::array headers;
    for (const http::Header& h : r.headers) headers.push_back(json::array{h.name, h.value});
    jobs.push_back(json::object{{"operation", c.op},
                                {"params", json::parse(c.params)},
                                {"response", json::object{{"status", r.status},
                                                          {"headers", std::move(headers)},
                                                          {"body", Base64Encode(r.body)}}}});
  }
  std::string error;
  bool skip = false;
  json::array results = RunBotocore(jobs, &error, &skip);
  if (skip) GTEST_SKIP() << "python3 with botocore is not available";
  ASSERT_FALSE(results.empty()) << error;

  for (size_t i = 0; i < cases.size(); ++i) {
    const RoundTrip& c = cases[i];
    SCOPED_TRACE(c.op);
    const json::object& sent = results[i].at("request").as_object();
    // The request as the server would see it.
    std::string url(sent.at("url").as_string());
    constexpr std::string_view kBase = "http://localhost:4566";
    ASSERT_EQ(url.rfind(kBase, 0), 0u) << url;
    http::Request req;
    req.method = std::string(sent.at("method").as_string());
    req.target = url.substr(kBase.size());
    req.headers.push_back({"Host", "localhost:4566"});
    for (const auto& h : sent.at("headers").as_array()) {
      req.headers.push_back({std::string(h.at(0).as_string()), std::string(h.at(1).as_string())});
    }
    req.body = *Base64Decode(sent.at("body").as_string());

    auto op = codec_.ResolveOperation(s3_, req);
    ASSERT_TRUE(op.ok()) << req.method << " " << req.target << ": " << op.error().code;
    EXPECT_EQ((*op)->name, c.op) << req.method << " " << req.target;
    auto input = codec_.ParseInput(s3_, **op, req);
    ASSERT_TRUE(input.ok()) << input.error().code << ": " << input.error().message;
    EXPECT_EQ(*input, json::parse(c.input)) << json::serialize(*input);
    auto invalid = Validator(s3_).Validate((*op)->input, *input);
    EXPECT_FALSE(invalid.has_value()) << invalid->message;
    EXPECT_EQ(codec_.StreamsRequestBody(s3_, req), c.op == "PutObject" || c.op == "UploadPart");

    json::value expected = json::parse(c.parsed);
    FillIso(expected);
    EXPECT_EQ(results[i].at("parsed"), expected) << json::serialize(results[i].at("parsed"));
  }
}

}  // namespace
}  // namespace sagetrail::aws
