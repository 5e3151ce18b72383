// The Verifier's failure kinds, each produced by a realistic request signed with our Signer and
// then broken in one way.
#include "aws/sigv4/verifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/model/region_catalog.h"
#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/chunk_signature.h"
#include "aws/sigv4/signer.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "fakes/test_support.h"

namespace sagetrail::aws::sigv4 {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kKey[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kTempKey[] = "ASIAIOSFODNN7EXAMPLE";
constexpr char kTempSecret[] = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
constexpr char kToken[] = "FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE";
constexpr char kHost[] = "api.sagemaker.us-east-1.amazonaws.com";

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : verifier_(store_, clock_, cache_) {
    Credential c;
    c.access_key_id = kKey;
    c.secret_access_key = kSecret;
    c.identity.account_id = "123456789012";
    store_.Add(c);
  }

  TimePoint Now() const { return clock_.Now(); }

  // A SageMaker ListModels call, not yet signed.
  static http::Request Unsigned() {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", kHost},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "SageMaker.ListModels"}};
    r.body = R"({"MaxResults":10})";
    return r;
  }

  static SignOptions Options(std::string region = "us-east-1", std::string service = "sagemaker") {
    return SignOptions{std::move(region), std::move(service), false};
  }

  http::Request Signed(TimePoint when, SigningCredentials creds = {kKey, kSecret, ""},
                       SignOptions options = Options()) {
    http::Request r = Unsigned();
    SignRequest(r, creds, options, when);
    return r;
  }

  http::Request Signed() { return Signed(Now()); }

  Result<VerifiedRequest, AuthFailure> Verify(const http::Request& r,
                                              std::string_view service = "sagemaker") {
    return verifier_.Verify(r, VerifyOptions{service, false});
  }

  // Expects a failure of `kind` and returns it.
  AuthFailure ExpectFailure(const http::Request& r, AuthFailureKind kind,
                            std::string_view service = "sagemaker") {
    auto res = Verify(r, service);
    EXPECT_FALSE(res.ok());
    if (res.ok()) return {};
    EXPECT_EQ(static_cast<int>(res.error().kind), static_cast<int>(kind))
        << "message: " << res.error().message;
    return res.error();
  }

  static void SetHeader(http::Request& r, std::string_view name, std::string value) {
    for (auto& h : r.headers) {
      if (EqualsIgnoreCase(h.name, name)) {
        h.value = std::move(value);
        return;
      }
    }
    r.headers.push_back({std::string(name), std::move(value)});
  }

  static void RemoveHeader(http::Request& r, std::string_view name) {
    std::erase_if(r.headers, [&](const http::Header& h) { return EqualsIgnoreCase(h.name, name); });
  }

  static std::string Authorization(const http::Request& r) {
    return r.HeaderOr("authorization").data();
  }

  testing::FakeClock clock_;
  testing::FakeCredentialStore store_;
  SigningKeyCache cache_;
  Verifier verifier_;
};

// --- Accepted requests --------------------------------------------------------------------

TEST_F(VerifierTest, ValidRequestIsAccepted) {
  auto res = Verify(Signed());
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->credential->access_key_id, kKey);
  EXPECT_EQ(res->credential->identity.account_id, "123456789012");
  EXPECT_EQ(res->region, "us-east-1");
  EXPECT_EQ(res->service, "sagemaker");
  EXPECT_EQ(res->request_time, FromUnixSeconds(ToUnixSeconds(Now())));
  EXPECT_FALSE(res->presigned);
}

TEST_F(VerifierTest, RequestFourteenMinutesOldIsAccepted) {
  auto res = Verify(Signed(Now() - minutes(14)));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->request_time, Now() - minutes(14));
}

TEST_F(VerifierTest, RequestFourteenMinutesAheadIsAccepted) {
  auto res = Verify(Signed(Now() + minutes(14)));
  ASSERT_TRUE(res.ok()) << res.error().message;
}

TEST_F(VerifierTest, HeaderNamesAreCaseInsensitive) {
  http::Request r = Signed();
  for (auto& h : r.headers) h.name = AsciiLower(h.name);
  auto res = Verify(r);
  EXPECT_TRUE(res.ok()) << res.error().message;
}

// --- Missing and malformed ----------------------------------------------------------------

TEST_F(VerifierTest, NoAuthorizationIsMissing) {
  ExpectFailure(Unsigned(), AuthFailureKind::kMissing);
}

TEST_F(VerifierTest, NonSigV4AuthorizationCountsAsMissing) {
  http::Request r = Unsigned();
  r.headers.push_back({"Authorization", "Bearer abc.def"});
  ExpectFailure(r, AuthFailureKind::kMissing);
}

TEST_F(VerifierTest, MissingCredential) {
  http::Request r = Signed();
  std::string authz = "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abcdef";
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Authorization header requires 'Credential' parameter. Authorization=" + authz);
}

TEST_F(VerifierTest, MissingSignatureAndSignedHeaders) {
  http::Request r = Signed();
  std::string authz = "AWS4-HMAC-SHA256 Credential=" + std::string(kKey) +
                      "/20251122/us-east-1/sagemaker/aws4_request";
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization=" +
                authz);
}

TEST_F(VerifierTest, MissingEverythingListsEachPartInOrder) {
  http::Request r = Unsigned();
  r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 "});
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 ");
}

TEST_F(VerifierTest, MissingDateHeader) {
  http::Request r = Signed();
  RemoveHeader(r, "x-amz-date");
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=" +
                Authorization(r));
}

TEST_F(VerifierTest, TokenWithoutEqualSign) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  size_t pos = authz.find("SignedHeaders=");
  authz.erase(pos + 13, 1);  // "SignedHeadershost;..."
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  std::string token = authz.substr(pos, authz.find(',', pos) - pos);
  EXPECT_EQ(f.message, "'" + token +
                           "' not a valid key=value pair (missing equal-sign) in Authorization "
                           "header: '" +
                           authz + "'.");
}

TEST_F(VerifierTest, UnsupportedAlgorithm) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  authz.replace(0, 16, "AWS4-HMAC-SHA25");
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ");
}

TEST_F(VerifierTest, BadDateFormat) {
  http::Request r = Signed();
  SetHeader(r, "X-Amz-Date", "2025-11-22T10:00:00Z");
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Date must be in ISO-8601 'basic format'. Got '2025-11-22T10:00:00Z'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST_F(VerifierTest, CredentialWithFourParts) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  std::string full = std::string(kKey) + "/20251122/us-east-1/sagemaker/aws4_request";
  std::string four = std::string(kKey) + "/20251122/us-east-1/sagemaker";
  authz.replace(authz.find(full), full.size(), four);
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got '" +
                four + "'");
}

TEST_F(VerifierTest, SignedHeaderAbsentFromRequest) {
  http::Request r = Unsigned();
  r.headers.push_back({"Accept", "application/json"});
  SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  // SignRequest only signs host, content-type and x-amz-*; name "accept" by hand.
  std::string authz = Authorization(r);
  size_t pos = authz.find("SignedHeaders=") + 14;
  authz.insert(pos, "accept;");
  SetHeader(r, "Authorization", authz);
  RemoveHeader(r, "Accept");
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "'accept' is named as a SignedHeader, but it does not exist in the HTTP request.");
}

TEST_F(VerifierTest, HeaderAndQuerySignatureTogether) {
  http::Request r = Signed();
  r.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256";
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
            "header.");
}

// --- Time ----------------------------------------------------------------------------------

TEST_F(VerifierTest, ExpiredAfterFifteenMinutes) {
  TimePoint signed_at = Now() - minutes(15) - seconds(1);
  AuthFailure f = ExpectFailure(Signed(signed_at), AuthFailureKind::kExpired);
  EXPECT_EQ(f.amz_date, FormatAmzDate(signed_at));
  EXPECT_EQ(f.request_time, signed_at);
  EXPECT_EQ(f.server_time, Now());
}

TEST_F(VerifierTest, NotYetValidMoreThanFifteenMinutesAhead) {
  TimePoint signed_at = Now() + minutes(16);
  AuthFailure f = ExpectFailure(Signed(signed_at), AuthFailureKind::kNotYetValid);
  EXPECT_EQ(f.amz_date, "20251122T101600Z");
  EXPECT_EQ(f.request_time, signed_at);
  EXPECT_EQ(f.server_time, Now());
}

TEST_F(VerifierTest, SkewIsCheckedAgainstTheClockNotTheSigningTime) {
  http::Request r = Signed();
  clock_.Advance(minutes(16));
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kExpired);
  EXPECT_EQ(f.amz_date, "20251122T100000Z");
  EXPECT_EQ(f.server_time, Now());
}

// --- Presigned -----------------------------------------------------------------------------

TEST_F(VerifierTest, ValidPresignedRequest) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  r.target = "/?Action=ListModels";
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now() - minutes(2), 300);
  EXPECT_EQ(r.FindHeader("authorization"), nullptr);
  auto res = Verify(r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_TRUE(res->presigned);
  EXPECT_EQ(res->region, "us-east-1");
}

TEST_F(VerifierTest, PresignedRequestOlderThanSkewIsValidWithinItsExpiry) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now() - minutes(60), 7200);
  auto res = Verify(r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_TRUE(res->presigned);
}

TEST_F(VerifierTest, PresignedExpired) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  TimePoint signed_at = Now() - minutes(10);
  PresignRequest(r, {kKey, kSecret, ""}, Options(), signed_at, 300);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kPresignExpired);
  EXPECT_EQ(f.message, "Request has expired");
  EXPECT_EQ(f.amz_date, FormatAmzDate(signed_at));
  EXPECT_EQ(f.request_time, signed_at);
  EXPECT_EQ(f.server_time, Now());
}

TEST_F(VerifierTest, PresignedNotYetValid) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now() + minutes(20), 300);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kNotYetValid);
  EXPECT_EQ(f.amz_date, "20251122T102000Z");
}

TEST_F(VerifierTest, PresignedExpiresOverAWeek) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now(), 604801);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
            "must be less than 604800 seconds");
}

TEST_F(VerifierTest, PresignedMissingParameters) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.target = "/?X-Amz-Credential=" + std::string(kKey) +
             "%2F20251122%2Fus-east-1%2Fsagemaker%2Faws4_request&X-Amz-Signature=abc";
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
  EXPECT_EQ(f.message,
            "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string "
            "parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must "
            "include 'X-Amz-Date'. Re-examine the query-string parameters.");
}

TEST_F(VerifierTest, PresignedWithTamperedQueryIsAMismatch) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  r.target = "/?Action=ListModels";
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now(), 300);
  r.target.replace(r.target.find("ListModels"), 10, "ListAlgos");
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
}

// --- Host and scope ------------------------------------------------------------------------

TEST_F(VerifierTest, HostNotSigned) {
  http::Request r = Unsigned();
  RemoveHeader(r, "Host");
  SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  r.headers.push_back({"Host", kHost});  // sent, but not signed
  ASSERT_EQ(Authorization(r).find("host"), std::string::npos);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_F(VerifierTest, WrongScopeService) {
  AuthFailure f = ExpectFailure(Signed(Now(), {kKey, kSecret, ""}, Options("us-east-1", "s3")),
                                AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message, "Credential should be scoped to correct service: 'sagemaker'. ");
}

TEST_F(VerifierTest, WrongScopeRegion) {
  AuthFailure f = ExpectFailure(Signed(Now(), {kKey, kSecret, ""}, Options("US_EAST_1")),
                                AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message, "Credential should be scoped to a valid region, not 'US_EAST_1'. ");
}

TEST_F(VerifierTest, WrongScopeTerminator) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  authz.replace(authz.find("aws4_request"), 12, "aws5_request");
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message,
            "Credential should be scoped with a valid terminator: 'aws4_request', not "
            "'aws5_request'. ");
}

TEST_F(VerifierTest, WrongScopeDate) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  authz.replace(authz.find("/20251122/"), 10, "/20251121/");
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20251121' != '20251122', from '20251122T100000Z'.");
}

TEST_F(VerifierTest, EveryScopeErrorInOrderRegionServiceTerminatorDate) {
  http::Request r = Signed();
  std::string authz = Authorization(r);
  std::string scope = "/20251122/us-east-1/sagemaker/aws4_request";
  authz.replace(authz.find(scope), scope.size(), "/2025/Bad Region/iam/aws4");
  SetHeader(r, "Authorization", authz);
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kInvalidSignature);
  const std::string region = "Credential should be scoped to a valid region, not 'Bad Region'. ";
  const std::string service = "Credential should be scoped to correct service: 'sagemaker'. ";
  const std::string terminator =
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. ";
  const std::string date =
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
      "HTTP: '2025' != '20251122', from '20251122T100000Z'.";
  EXPECT_EQ(f.message, region + service + terminator + date);
}

TEST_F(VerifierTest, ScopeIsCheckedBeforeTheKeyId) {
  AuthFailure f = ExpectFailure(
      Signed(Now(), {"AKIAUNKNOWNUNKNOWN00", kSecret, ""}, Options("us-east-1", "s3")),
      AuthFailureKind::kInvalidSignature);
  EXPECT_EQ(f.message, "Credential should be scoped to correct service: 'sagemaker'. ");
}

// --- Keys and signatures -------------------------------------------------------------------

TEST_F(VerifierTest, UnknownAccessKey) {
  AuthFailure f = ExpectFailure(Signed(Now(), {"AKIAUNKNOWNUNKNOWN00", kSecret, ""}),
                                AuthFailureKind::kUnknownAccessKey);
  EXPECT_EQ(f.access_key_id, "AKIAUNKNOWNUNKNOWN00");
}

TEST_F(VerifierTest, InactiveKeyIsUnknown) {
  Credential c;
  c.access_key_id = "AKIAINACTIVE00000000";
  c.secret_access_key = kSecret;
  c.active = false;
  store_.Add(c);
  AuthFailure f = ExpectFailure(Signed(Now(), {"AKIAINACTIVE00000000", kSecret, ""}),
                                AuthFailureKind::kUnknownAccessKey);
  EXPECT_EQ(f.access_key_id, "AKIAINACTIVE00000000");
}

TEST_F(VerifierTest, WrongSecretIsASignatureMismatchWithTheDebugStrings) {
  http::Request r = Signed(Now(), {kKey, "not-the-secret", ""});
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
  EXPECT_EQ(f.access_key_id, kKey);

  // What the server should have computed, derived independently.
  std::vector<std::string> names = {"content-type", "host", "x-amz-date", "x-amz-target"};
  CanonicalRequestParts parts;
  parts.method = "POST";
  parts.raw_path = "/";
  parts.raw_query = "";
  parts.headers = &r.headers;
  parts.signed_headers.assign(names.begin(), names.end());
  std::string payload_hash = Sha256Hex(r.body);
  parts.payload_hash = payload_hash;
  std::string canonical = CanonicalRequest(parts);
  EXPECT_EQ(f.canonical_request, canonical);
  EXPECT_EQ(f.canonical_request,
            "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:" + std::string(kHost) +
                "\nx-amz-date:20251122T100000Z\nx-amz-target:SageMaker.ListModels\n\n"
                "content-type;host;x-amz-date;x-amz-target\n" +
                payload_hash);
  EXPECT_EQ(f.string_to_sign,
            "AWS4-HMAC-SHA256\n20251122T100000Z\n"
            "20251122/us-east-1/sagemaker/aws4_request\n" +
                Sha256Hex(canonical));
  std::string authz = Authorization(r);
  EXPECT_EQ(f.signature_provided, authz.substr(authz.find("Signature=") + 10));
}

TEST_F(VerifierTest, BodyChangedAfterSigningIsAMismatch) {
  http::Request r = Signed();
  r.body = R"({"MaxResults":11})";
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
}

TEST_F(VerifierTest, ContentSha256HeaderNotMatchingTheBody) {
  http::Request r = Unsigned();
  r.headers.push_back({"x-amz-content-sha256", Sha256Hex("something else")});
  SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kContentHashMismatch);
  EXPECT_EQ(f.message,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

TEST_F(VerifierTest, ContentSha256HeaderMatchingTheBodyIsAccepted) {
  http::Request r = Unsigned();
  r.headers.push_back({"x-amz-content-sha256", Sha256Hex(r.body)});
  SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  auto res = Verify(r);
  EXPECT_TRUE(res.ok()) << res.error().message;
}

// Only S3 lets a request leave its body unsigned: elsewhere the body's hash is what counts, so a
// request signed over UNSIGNED-PAYLOAD does not verify and its body cannot be swapped.
TEST_F(VerifierTest, UnsignedPayloadIsForS3Only) {
  http::Request r = Unsigned();
  r.headers.push_back({"x-amz-content-sha256", "UNSIGNED-PAYLOAD"});
  SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  // The signer keeps the caller's payload hash (one header, signed as given).
  int count = 0;
  for (const auto& h : r.headers) count += EqualsIgnoreCase(h.name, "x-amz-content-sha256");
  EXPECT_EQ(count, 1);
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
  r.body = "{}";
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);

  http::Request s3;
  s3.method = "PUT";
  s3.target = "/bucket/key";
  s3.headers = {{"Host", "s3.us-east-1.amazonaws.com"},
                {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  s3.body = "object data";
  SignRequest(s3, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now());
  auto res = verifier_.Verify(s3, VerifyOptions{"s3", true});
  EXPECT_TRUE(res.ok()) << res.error().message;
  // S3 does not cover the body then: changing it still verifies.
  s3.body = "other data";
  res = verifier_.Verify(s3, VerifyOptions{"s3", true});
  EXPECT_TRUE(res.ok()) << res.error().message;
}

TEST_F(VerifierTest, S3SignedRequestVerifiesInS3Mode) {
  http::Request r;
  r.method = "PUT";
  r.target = "/bucket/key%20with%20space";
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}};
  r.body = "object data";
  SignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now());
  ASSERT_NE(r.FindHeader("x-amz-content-sha256"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amz-content-sha256"), Sha256Hex("object data"));
  auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->service, "s3");
}

// --- Session tokens ------------------------------------------------------------------------

class VerifierTokenTest : public VerifierTest {
 protected:
  void AddTemporary(std::optional<TimePoint> expiration) {
    Credential c;
    c.access_key_id = kTempKey;
    c.secret_access_key = kTempSecret;
    c.session_token = kToken;
    c.expiration = expiration;
    store_.Add(c);
  }
};

TEST_F(VerifierTokenTest, ValidTemporaryCredential) {
  AddTemporary(Now() + minutes(60));
  auto res = Verify(Signed(Now(), {kTempKey, kTempSecret, kToken}));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->credential->session_token, kToken);
}

TEST_F(VerifierTokenTest, TokenRequired) {
  AddTemporary(Now() + minutes(60));
  ExpectFailure(Signed(Now(), {kTempKey, kTempSecret, ""}), AuthFailureKind::kInvalidToken);
}

TEST_F(VerifierTokenTest, WrongToken) {
  AddTemporary(Now() + minutes(60));
  ExpectFailure(Signed(Now(), {kTempKey, kTempSecret, "some-other-token"}),
                AuthFailureKind::kInvalidToken);
}

TEST_F(VerifierTokenTest, ExpiredToken) {
  AddTemporary(Now() - seconds(1));
  ExpectFailure(Signed(Now(), {kTempKey, kTempSecret, kToken}), AuthFailureKind::kExpiredToken);
}

TEST_F(VerifierTokenTest, TokenExpiringExactlyNowIsExpired) {
  AddTemporary(Now());
  ExpectFailure(Signed(Now(), {kTempKey, kTempSecret, kToken}), AuthFailureKind::kExpiredToken);
}

TEST_F(VerifierTokenTest, TokenPresentedForALongTermKey) {
  ExpectFailure(Signed(Now(), {kKey, kSecret, kToken}), AuthFailureKind::kInvalidToken);
}

TEST_F(VerifierTokenTest, SignatureIsCheckedBeforeTheToken) {
  AddTemporary(Now() - seconds(1));
  ExpectFailure(Signed(Now(), {kTempKey, "wrong", kToken}), AuthFailureKind::kSignatureMismatch);
}

TEST_F(VerifierTokenTest, PresignedWithToken) {
  AddTemporary(Now() + minutes(60));
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kTempKey, kTempSecret, kToken}, Options(), Now(), 300);
  EXPECT_NE(r.target.find("X-Amz-Security-Token="), std::string::npos);
  auto res = Verify(r);
  EXPECT_TRUE(res.ok()) << res.error().message;
}

// --- Regions, windows and presign expiry, as the error texts report them ----------------------

// A Verifier that knows the regions of a small endpoints.json of our own.
class VerifierRegionTest : public VerifierTest {
 protected:
  VerifierRegionTest()
      : catalog_(std::move(RegionCatalog::Parse(R"({"partitions": [
          {"partition": "aws", "regions": {"us-east-1": {}, "eu-west-1": {}}},
          {"partition": "aws-cn", "regions": {"cn-north-1": {}}}]})")
                               .value())),
        regional_(store_, clock_, cache_, minutes(15), &catalog_) {}

  Result<VerifiedRequest, AuthFailure> VerifyRegional(const http::Request& r) {
    return regional_.Verify(r, VerifyOptions{"sagemaker", false});
  }

  RegionCatalog catalog_;
  Verifier regional_;
};

TEST_F(VerifierRegionTest, RegionsOfEveryPartitionAreAccepted) {
  for (const char* region : {"us-east-1", "eu-west-1", "cn-north-1"}) {
    auto res = VerifyRegional(Signed(Now(), {kKey, kSecret, ""}, Options(region)));
    ASSERT_TRUE(res.ok()) << region << ": " << res.error().message;
    EXPECT_EQ(res->region, region);
  }
}

TEST_F(VerifierRegionTest, WellFormedRegionsNoPartitionHasAreRefused) {
  for (const char* region : {"us-east-1x", "mars-1", "a", "us-east-2"}) {
    auto res = VerifyRegional(Signed(Now(), {kKey, kSecret, ""}, Options(region)));
    ASSERT_FALSE(res.ok()) << region;
    EXPECT_EQ(res.error().kind, AuthFailureKind::kInvalidSignature) << region;
    EXPECT_EQ(res.error().message,
              "Credential should be scoped to a valid region, not '" + std::string(region) + "'. ");
    EXPECT_EQ(res.error().region_refused, region);
    EXPECT_FALSE(res.error().presigned);
  }
}

TEST_F(VerifierRegionTest, PresignedRequestWithAnUnknownRegionIsMarkedPresigned) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kKey, kSecret, ""}, Options("mars-1"), Now(), 300);
  auto res = VerifyRegional(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().region_refused, "mars-1");
  EXPECT_TRUE(res.error().presigned);
}

TEST_F(VerifierRegionTest, ARegionErrorComesWithTheOtherScopeErrors) {
  auto res = VerifyRegional(Signed(Now(), {kKey, kSecret, ""}, Options("mars-1", "s3")));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().message,
            "Credential should be scoped to a valid region, not 'mars-1'. Credential should be "
            "scoped to correct service: 'sagemaker'. ");
  EXPECT_EQ(res.error().region_refused, "mars-1");
}

TEST_F(VerifierTest, EveryFailureCarriesTheWindowApplied) {
  Verifier five(store_, clock_, cache_, minutes(5));
  auto res = five.Verify(Signed(Now() - minutes(6)), VerifyOptions{"sagemaker", false});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, AuthFailureKind::kExpired);
  EXPECT_EQ(res.error().max_skew, minutes(5));
  EXPECT_EQ(ExpectFailure(Unsigned(), AuthFailureKind::kMissing).max_skew, minutes(15));
}

TEST_F(VerifierTest, SkewIsJudgedInWholeSecondsAsItIsPrinted) {
  // Until the next whole second after the window ends, the request's time is not earlier than
  // the printed "now - 15 min." (both read 10:00:00), so it is accepted; then it is refused and
  // the failure's server time is the whole second the texts print.
  TimePoint signed_at = Now();
  http::Request r = Signed(signed_at);
  clock_.Advance(minutes(15));
  ASSERT_TRUE(Verify(r).ok());
  clock_.Advance(std::chrono::milliseconds(999));
  ASSERT_TRUE(Verify(r).ok());
  clock_.Advance(std::chrono::milliseconds(1));
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kExpired);
  EXPECT_EQ(f.server_time, signed_at + minutes(15) + seconds(1));
  EXPECT_LT(f.request_time, f.server_time - f.max_skew);
}

TEST_F(VerifierTest, PresignedExpiresZeroIsValidForItsSecondOnly) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  TimePoint signed_at = Now();
  PresignRequest(r, {kKey, kSecret, ""}, Options(), signed_at, 0);
  clock_.Advance(std::chrono::milliseconds(999));
  ASSERT_TRUE(Verify(r).ok());
  clock_.Advance(std::chrono::milliseconds(1));
  AuthFailure f = ExpectFailure(r, AuthFailureKind::kPresignExpired);
  EXPECT_EQ(f.message, "Request has expired");
  EXPECT_TRUE(f.presigned);
  EXPECT_EQ(f.expires, 0);
  EXPECT_EQ(f.request_time, signed_at);
  EXPECT_EQ(f.server_time, signed_at + seconds(1));
}

TEST_F(VerifierTest, PresignedExpiresThatIsNoNumberOrNegative) {
  for (auto [value, text] :
       {std::pair<std::string, std::string>{"abc", "X-Amz-Expires should be a number"},
        {"", "X-Amz-Expires should be a number"},
        {"1.5", "X-Amz-Expires should be a number"},
        {"-5", "X-Amz-Expires must be non-negative"},
        {"99999999999999",
         "X-Amz-Expires must be less than a week (in seconds); that is, the "
         "given X-Amz-Expires must be less than 604800 seconds"}}) {
    http::Request r = Unsigned();
    r.method = "GET";
    r.body.clear();
    PresignRequest(r, {kKey, kSecret, ""}, Options(), Now(), 300);
    r.target.replace(r.target.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=" + value);
    AuthFailure f = ExpectFailure(r, AuthFailureKind::kIncomplete);
    EXPECT_EQ(f.message, text) << value;
    EXPECT_TRUE(f.presigned) << value;
  }
}

TEST_F(VerifierTest, PresignedExpiresOfExactlyAWeekIsAccepted) {
  http::Request r = Unsigned();
  r.method = "GET";
  r.body.clear();
  PresignRequest(r, {kKey, kSecret, ""}, Options(), Now(), 604800);
  auto res = Verify(r);
  EXPECT_TRUE(res.ok()) << res.error().message;
}

// --- S3 presigned URLs ---------------------------------------------------------------------

http::Request S3Get() {
  http::Request r;
  r.method = "GET";
  r.target = "/bucket/key";
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}};
  return r;
}

TEST_F(VerifierTest, S3PresignedUrlIsValidUntilDatePlusExpires) {
  http::Request r = S3Get();
  TimePoint signed_at = Now() - seconds(300);
  PresignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, signed_at, 300);
  auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_TRUE(res->presigned);

  clock_.Advance(std::chrono::seconds(1));
  res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_FALSE(res.ok());
  const AuthFailure& f = res.error();
  EXPECT_EQ(f.kind, AuthFailureKind::kPresignExpired);
  EXPECT_EQ(f.message, "Request has expired");
  // What S3's AccessDenied prints besides: X-Amz-Expires, Expires (= date + expires), ServerTime.
  EXPECT_TRUE(f.presigned);
  EXPECT_EQ(f.expires, 300);
  EXPECT_EQ(f.request_time, signed_at);
  EXPECT_EQ(f.server_time, signed_at + seconds(301));
}

TEST_F(VerifierTest, S3PresignedExpiresOutOfRange) {
  for (auto [value, text] :
       {std::pair<std::string, std::string>{"-1", "X-Amz-Expires must be non-negative"},
        {"604801",
         "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
         "must be less than 604800 seconds"}}) {
    http::Request r = S3Get();
    PresignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now(), 300);
    r.target.replace(r.target.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=" + value);
    auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
    ASSERT_FALSE(res.ok()) << value;
    EXPECT_EQ(res.error().kind, AuthFailureKind::kIncomplete) << value;
    EXPECT_EQ(res.error().message, text);
    EXPECT_TRUE(res.error().presigned);
  }
  http::Request week = S3Get();
  PresignRequest(week, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now() - seconds(604800),
                 604800);
  auto res = verifier_.Verify(week, VerifyOptions{"s3", true});
  EXPECT_TRUE(res.ok()) << res.error().message;
}

// --- Streamed bodies -------------------------------------------------------------------------

class DiscardingSink final : public http::BodySink {
 public:
  void Append(std::string_view) override {}
  void Finish() override {}
};

http::Request S3Put(std::string body) {
  http::Request r;
  r.method = "PUT";
  r.target = "/bucket/key";
  r.headers = {{"Host", "s3.us-east-1.amazonaws.com"}};
  r.body = std::move(body);
  return r;
}

// The body went to a sink: the hash its consumer computed stands for it.
void Stream(http::Request& r, std::optional<std::string> sha256) {
  r.body.clear();
  r.streamed_body = std::make_shared<DiscardingSink>();
  r.streamed_sha256 = std::move(sha256);
}

TEST_F(VerifierTest, StreamedS3BodyIsCheckedAgainstItsStreamedHash) {
  http::Request r = S3Put("object data");
  SignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now());
  Stream(r, Sha256Hex("object data"));
  auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
  EXPECT_TRUE(res.ok()) << res.error().message;

  r.streamed_sha256 = Sha256Hex("other data");
  res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, AuthFailureKind::kContentHashMismatch);

  // Streamed without a hash: the (empty) req.body is not the body, and matches no hash, not even
  // the empty body's.
  http::Request empty = S3Put("");
  SignRequest(empty, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now());
  Stream(empty, std::nullopt);
  res = verifier_.Verify(empty, VerifyOptions{"s3", true});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, AuthFailureKind::kContentHashMismatch);
}

TEST_F(VerifierTest, StreamedHashIsWhatTheSignatureCoversWithoutContentSha256) {
  http::Request r = Signed();
  Stream(r, Sha256Hex(R"({"MaxResults":10})"));
  auto res = Verify(r);
  EXPECT_TRUE(res.ok()) << res.error().message;
  r.streamed_sha256 = Sha256Hex(R"({"MaxResults":11})");
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
  Stream(r, std::nullopt);
  ExpectFailure(r, AuthFailureKind::kSignatureMismatch);
}

TEST_F(VerifierTest, StreamedHashTakesThePlaceOfTheBody) {
  // A body still held but also hashed while streamed: the streamed hash is the one checked.
  http::Request r = S3Put("object data");
  SignRequest(r, {kKey, kSecret, ""}, {"us-east-1", "s3", true}, Now());
  r.streamed_sha256 = Sha256Hex("something else");
  auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().kind, AuthFailureKind::kContentHashMismatch);
}

// --- What chunk verification needs -----------------------------------------------------------

TEST_F(VerifierTest, VerifiedRequestCarriesTheSigningContext) {
  http::Request r = Unsigned();
  ChunkSigningContext signed_with = SignRequest(r, {kKey, kSecret, ""}, Options(), Now());
  auto res = Verify(r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->signing_key, SigningKey(kSecret, "20251122", "us-east-1", "sagemaker"));
  EXPECT_EQ(res->scope, "20251122/us-east-1/sagemaker/aws4_request");
  EXPECT_EQ(res->amz_date, FormatAmzDate(Now()));
  EXPECT_EQ(res->seed_signature, signed_with.seed_signature);
  EXPECT_NE(Authorization(r).find("Signature=" + res->seed_signature), std::string::npos);
  ChunkSigningContext ctx = res->chunk_signing_context();
  EXPECT_EQ(ctx.signing_key, signed_with.signing_key);
  EXPECT_EQ(ctx.scope, signed_with.scope);
  EXPECT_EQ(ctx.amz_date, signed_with.amz_date);
  EXPECT_EQ(ctx.seed_signature, signed_with.seed_signature);
}

// AWS's chunked-upload example, end to end: the seed request verifies (its body streamed), and
// its body's chunks verify from what the Verifier returned.
TEST_F(VerifierTest, AwsChunkedUploadExample) {
  clock_.Set(FromUnixSeconds(1369353600));  // 2013-05-24T00:00:00Z
  http::Request r;
  r.method = "PUT";
  r.target = "/examplebucket/chunkObject.txt";
  r.headers = {
      {"Host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
       "x-amz-decoded-content-length;x-amz-storage-class,"
       "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"Content-Length", "66824"}};
  Stream(r, std::nullopt);  // the literal payload hash needs no body hash
  auto res = verifier_.Verify(r, VerifyOptions{"s3", true});
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->seed_signature,
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_EQ(res->scope, "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(res->amz_date, "20130524T000000Z");

  std::string body =
      "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
      std::string(65536, 'a') +
      "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
      "\r\n" +
      std::string(1024, 'a') +
      "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
      "\r\n\r\n";
  AwsChunkedDecoder decoder(ChunkedMode::kSignedPayload);
  ChunkSignatureVerifier chunks(res->chunk_signing_context());
  decoder.set_chunk_callback([&chunks](const ChunkInfo& c) {
    auto f = chunks.VerifyChunk(c);
    return f ? Status::InvalidArgument(f->message) : Status::Ok();
  });
  ASSERT_TRUE(decoder.Feed(body, [](std::string_view) {}).ok());
  ASSERT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(chunks.chunks_verified(), 3u);
  EXPECT_EQ(decoder.decoded_size(), 66560u);
}

// --- PeekScope -----------------------------------------------------------------------------

TEST_F(VerifierTest, PeekScopeReadsTheClaimedScope) {
  auto scope = PeekScope(Signed(Now(), {kKey, kSecret, ""}, Options("eu-west-1", "sagemaker")));
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(scope->access_key_id, kKey);
  EXPECT_EQ(scope->date, "20251122");
  EXPECT_EQ(scope->region, "eu-west-1");
  EXPECT_EQ(scope->service, "sagemaker");
  EXPECT_FALSE(PeekScope(Unsigned()).has_value());
}

}  // namespace
}  // namespace sagetrail::aws::sigv4
