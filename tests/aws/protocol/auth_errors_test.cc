// AuthErrorFor: the code, HTTP status and text of every SigV4 failure for awsJson, awsQuery and
// S3, as docs/research/sigv4_errors.md (section 3 and the cases of section 2) records them.
#include "aws/protocol/auth_errors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "common/time_format.h"

namespace sagetrail::aws {
namespace {

using sigv4::AuthFailure;
using sigv4::AuthFailureKind;
using std::chrono::minutes;

constexpr char kMismatchBase[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

AuthFailure Failure(AuthFailureKind kind, std::string message = {}) {
  AuthFailure f;
  f.kind = kind;
  f.message = std::move(message);
  return f;
}

// Server time 2025-11-22T10:00:00Z; a request signed `offset` from it.
AuthFailure SkewFailure(AuthFailureKind kind, minutes offset) {
  AuthFailure f = Failure(kind);
  f.server_time = *ParseIso8601("2025-11-22T10:00:00Z");
  f.request_time = f.server_time + offset;
  f.amz_date = FormatAmzDate(f.request_time);
  return f;
}

AuthFailure MismatchFailure() {
  AuthFailure f = Failure(AuthFailureKind::kSignatureMismatch);
  f.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  f.canonical_request = "POST\n/\n\nhost:h\n\nhost\nabc";
  f.string_to_sign = "AWS4-HMAC-SHA256\n20251122T100000Z\nscope\nff";
  f.signature_provided = "0123";
  return f;
}

void ExpectError(const AwsError& e, const std::string& code, int status,
                 const std::string& message) {
  EXPECT_EQ(e.code, code);
  EXPECT_EQ(e.http_status, status) << code;
  EXPECT_EQ(e.message, message) << code;
  EXPECT_TRUE(e.sender_fault) << code;
}

// --- awsJson (SageMaker, CloudTrail) -------------------------------------------------------

AwsError Json(const AuthFailure& f) { return AuthErrorFor(Protocol::kJson, false, f); }
AwsError Query(const AuthFailure& f) { return AuthErrorFor(Protocol::kQuery, false, f); }

TEST(AuthErrorsJsonTest, Missing) {
  ExpectError(Json(Failure(AuthFailureKind::kMissing)), "MissingAuthenticationTokenException", 400,
              "Missing Authentication Token");
}

TEST(AuthErrorsJsonTest, IncompleteCarriesTheVerifierMessage) {
  ExpectError(Json(Failure(AuthFailureKind::kIncomplete, "Authorization header requires x. ")),
              "IncompleteSignatureException", 400, "Authorization header requires x. ");
}

TEST(AuthErrorsJsonTest, ExpiredPrintsTheWindowApplied) {
  ExpectError(Json(SkewFailure(AuthFailureKind::kExpired, -minutes(16))),
              "InvalidSignatureException", 400,
              "Signature expired: 20251122T094400Z is now earlier than 20251122T094500Z "
              "(20251122T100000Z - 15 min.)");
}

TEST(AuthErrorsJsonTest, NotYetValidPrintsTheWindowApplied) {
  ExpectError(Json(SkewFailure(AuthFailureKind::kNotYetValid, minutes(16))),
              "InvalidSignatureException", 400,
              "Signature not yet current: 20251122T101600Z is still later than 20251122T101500Z "
              "(20251122T100000Z + 15 min.)");
}

TEST(AuthErrorsJsonTest, AnotherWindowIsPrintedAsItIs) {
  AuthFailure f = SkewFailure(AuthFailureKind::kExpired, -minutes(6));
  f.max_skew = minutes(5);
  EXPECT_EQ(Json(f).message,
            "Signature expired: 20251122T095400Z is now earlier than 20251122T095500Z "
            "(20251122T100000Z - 5 min.)");
  f.max_skew = std::chrono::seconds(90);
  EXPECT_EQ(Json(f).message,
            "Signature expired: 20251122T095400Z is now earlier than 20251122T095830Z "
            "(20251122T100000Z - 90 sec.)");
}

// The times in a skew text always bear its verdict out: the request time is beyond the
// threshold printed, and the threshold is the printed server time moved by the printed window.
TEST(AuthErrorsJsonTest, SkewTextsAgreeWithTheirOwnNumbers) {
  std::regex expired(
      R"(Signature expired: (\w+) is now earlier than (\w+) \((\w+) - (\d+) min\.\))");
  std::regex later(
      R"(Signature not yet current: (\w+) is still later than (\w+) \((\w+) \+ (\d+) min\.\))");
  for (int offset : {-16, -60, -24 * 60, 16, 61}) {
    AuthFailure f = SkewFailure(
        offset < 0 ? AuthFailureKind::kExpired : AuthFailureKind::kNotYetValid, minutes(offset));
    for (const AwsError& e : {Json(f), Query(f)}) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(e.message, m, offset < 0 ? expired : later)) << e.message;
      TimePoint t = *ParseAmzDate(m[1].str());
      TimePoint threshold = *ParseAmzDate(m[2].str());
      TimePoint now = *ParseAmzDate(m[3].str());
      minutes window(std::stoi(m[4].str()));
      EXPECT_EQ(window, f.max_skew);
      if (offset < 0) {
        EXPECT_LT(t, threshold) << e.message;
        EXPECT_EQ(threshold, now - window) << e.message;
      } else {
        EXPECT_GT(t, threshold) << e.message;
        EXPECT_EQ(threshold, now + window) << e.message;
      }
    }
  }
}

TEST(AuthErrorsJsonTest, PresignExpiredIsAccessDenied) {
  AuthFailure f = SkewFailure(AuthFailureKind::kPresignExpired, -minutes(30));
  f.presigned = true;
  f.expires = 0;
  AwsError e = Json(f);
  ExpectError(e, "AccessDeniedException", 400, "Request has expired");
  EXPECT_TRUE(e.extra.empty());
  EXPECT_EQ(AuthErrorFor(Protocol::kRestJson, false, f).http_status, 403);
}

TEST(AuthErrorsJsonTest, UnknownRegionIsInvalidSignatureNamingIt) {
  AuthFailure f = Failure(AuthFailureKind::kInvalidSignature,
                          "Credential should be scoped to a valid region, not 'mars-1'. ");
  f.region_refused = "mars-1";
  ExpectError(Json(f), "InvalidSignatureException", 400,
              "Credential should be scoped to a valid region, not 'mars-1'. ");
  ExpectError(Query(f), "SignatureDoesNotMatch", 403,
              "Credential should be scoped to a valid region, not 'mars-1'. ");
}

TEST(AuthErrorsJsonTest, ScopeAndHostErrorsAreInvalidSignature) {
  const std::string scope = "Credential should be scoped to correct service: 'sagemaker'. ";
  ExpectError(Json(Failure(AuthFailureKind::kInvalidSignature, scope)), "InvalidSignatureException",
              400, scope);
  const std::string hash =
      "The provided 'x-amz-content-sha256' header does not match what was computed.";
  ExpectError(Json(Failure(AuthFailureKind::kContentHashMismatch, hash)),
              "InvalidSignatureException", 400, hash);
}

TEST(AuthErrorsJsonTest, SignatureMismatchCarriesTheAppendix) {
  ExpectError(Json(MismatchFailure()), "InvalidSignatureException", 400,
              std::string(kMismatchBase) +
                  "\n\nThe Canonical String for this request should have been\n"
                  "'POST\n/\n\nhost:h\n\nhost\nabc'\n\n"
                  "The String-to-Sign should have been\n"
                  "'AWS4-HMAC-SHA256\n20251122T100000Z\nscope\nff'\n");
}

TEST(AuthErrorsJsonTest, UnknownKeyEndsWithAPeriodBadTokenDoesNot) {
  ExpectError(Json(Failure(AuthFailureKind::kUnknownAccessKey)), "UnrecognizedClientException", 400,
              "The security token included in the request is invalid.");
  ExpectError(Json(Failure(AuthFailureKind::kInvalidToken)), "UnrecognizedClientException", 400,
              "The security token included in the request is invalid");
}

TEST(AuthErrorsJsonTest, ExpiredToken) {
  ExpectError(Json(Failure(AuthFailureKind::kExpiredToken)), "ExpiredTokenException", 400,
              "The security token included in the request is expired");
}

// restJson (SageMaker Runtime) keeps the JSON codes but answers 403, as API Gateway does.
TEST(AuthErrorsRestJsonTest, SameCodesWithStatus403) {
  for (AuthFailureKind k :
       {AuthFailureKind::kMissing, AuthFailureKind::kIncomplete, AuthFailureKind::kExpired,
        AuthFailureKind::kInvalidSignature, AuthFailureKind::kSignatureMismatch,
        AuthFailureKind::kUnknownAccessKey, AuthFailureKind::kExpiredToken}) {
    AuthFailure f = SkewFailure(k, -minutes(20));
    AwsError rest = AuthErrorFor(Protocol::kRestJson, false, f);
    AwsError json = Json(f);
    EXPECT_EQ(rest.code, json.code);
    EXPECT_EQ(rest.message, json.message);
    EXPECT_EQ(rest.http_status, 403) << rest.code;
  }
}

// --- awsQuery (STS, IAM, SNS) --------------------------------------------------------------

TEST(AuthErrorsQueryTest, Missing) {
  ExpectError(Query(Failure(AuthFailureKind::kMissing)), "MissingAuthenticationToken", 403,
              "Request is missing Authentication Token");
}

TEST(AuthErrorsQueryTest, IncompleteIs400) {
  ExpectError(Query(Failure(AuthFailureKind::kIncomplete, "Date must be in ISO-8601.")),
              "IncompleteSignature", 400, "Date must be in ISO-8601.");
}

TEST(AuthErrorsQueryTest, PresignExpiredIsAccessDenied) {
  AuthFailure f = SkewFailure(AuthFailureKind::kPresignExpired, -minutes(30));
  f.presigned = true;
  ExpectError(Query(f), "AccessDenied", 403, "Request has expired");
}

TEST(AuthErrorsQueryTest, ExpiredUsesAFifteenMinuteWindow) {
  ExpectError(Query(SkewFailure(AuthFailureKind::kExpired, -minutes(16))), "SignatureDoesNotMatch",
              403,
              "Signature expired: 20251122T094400Z is now earlier than 20251122T094500Z "
              "(20251122T100000Z - 15 min.)");
}

TEST(AuthErrorsQueryTest, NotYetValidUsesAFifteenMinuteWindow) {
  ExpectError(Query(SkewFailure(AuthFailureKind::kNotYetValid, minutes(16))),
              "SignatureDoesNotMatch", 403,
              "Signature not yet current: 20251122T101600Z is still later than 20251122T101500Z "
              "(20251122T100000Z + 15 min.)");
}

TEST(AuthErrorsQueryTest, EverySignatureFaultIsSignatureDoesNotMatch) {
  const std::string region = "Credential should be scoped to a valid region, not 'x'. ";
  ExpectError(Query(Failure(AuthFailureKind::kInvalidSignature, region)), "SignatureDoesNotMatch",
              403, region);
  ExpectError(Query(Failure(AuthFailureKind::kContentHashMismatch, "hash")),
              "SignatureDoesNotMatch", 403, "hash");
  AwsError mismatch = Query(MismatchFailure());
  EXPECT_EQ(mismatch.code, "SignatureDoesNotMatch");
  EXPECT_EQ(mismatch.http_status, 403);
  EXPECT_EQ(mismatch.message, Json(MismatchFailure()).message);  // same appendix
}

TEST(AuthErrorsQueryTest, KeysAndTokens) {
  ExpectError(Query(Failure(AuthFailureKind::kUnknownAccessKey)), "InvalidClientTokenId", 403,
              "The security token included in the request is invalid.");
  ExpectError(Query(Failure(AuthFailureKind::kInvalidToken)), "InvalidClientTokenId", 403,
              "The security token included in the request is invalid");
  ExpectError(Query(Failure(AuthFailureKind::kExpiredToken)), "ExpiredToken", 403,
              "The security token included in the request is expired");
}

TEST(AuthErrorsQueryTest, Ec2ProtocolIsWordedLikeQuery) {
  AwsError e = AuthErrorFor(Protocol::kEc2, false, Failure(AuthFailureKind::kUnknownAccessKey));
  EXPECT_EQ(e.code, "InvalidClientTokenId");
  EXPECT_EQ(e.http_status, 403);
}

// --- S3 --------------------------------------------------------------------------------------

AwsError S3(const AuthFailure& f) { return AuthErrorFor(Protocol::kRestXml, true, f); }

TEST(AuthErrorsS3Test, MissingIsAnonymousAccessDenied) {
  AwsError e = S3(Failure(AuthFailureKind::kMissing));
  ExpectError(e, "AccessDenied", 403, "Access Denied");
  EXPECT_TRUE(e.extra.empty());
}

TEST(AuthErrorsS3Test, MalformedHeader) {
  ExpectError(S3(Failure(AuthFailureKind::kIncomplete, "Credential must have exactly 5 parts")),
              "AuthorizationHeaderMalformed", 400,
              "The authorization header is malformed; Credential must have exactly 5 parts");
  ExpectError(S3(Failure(AuthFailureKind::kInvalidSignature, "wrong scope")),
              "AuthorizationHeaderMalformed", 400,
              "The authorization header is malformed; wrong scope");
}

TEST(AuthErrorsS3Test, MalformedPresignedQuery) {
  for (const std::string& text :
       {std::string("AWS query-string parameters must include 'X-Amz-Date'. Re-examine the "
                    "query-string parameters."),
        std::string("X-Amz-Expires must be less than a week (in seconds); that is, the given "
                    "X-Amz-Expires must be less than 604800 seconds"),
        std::string("X-Amz-Expires should be a number"),
        std::string("X-Amz-Expires must be non-negative")}) {
    AuthFailure f = Failure(AuthFailureKind::kIncomplete, text);
    f.presigned = true;
    ExpectError(S3(f), "AuthorizationQueryParametersError", 400, text);
  }
}

TEST(AuthErrorsS3Test, UnknownRegionNamesTheRegionExpected) {
  AuthFailure f = Failure(AuthFailureKind::kInvalidSignature,
                          "Credential should be scoped to a valid region, not 'us-east-1x'. ");
  f.region_refused = "us-east-1x";
  using P = std::pair<std::string, std::string>;
  AwsError header = S3(f);
  ExpectError(header, "AuthorizationHeaderMalformed", 400,
              "The authorization header is malformed; the region 'us-east-1x' is wrong; "
              "expecting 'us-east-1'");
  ASSERT_EQ(header.extra.size(), 1u);
  EXPECT_EQ(header.extra[0], (P{"Region", "us-east-1"}));
  f.presigned = true;
  AwsError query = S3(f);
  ExpectError(query, "AuthorizationQueryParametersError", 400,
              "Error parsing the X-Amz-Credential parameter; the region 'us-east-1x' is wrong; "
              "expecting 'us-east-1'");
  ASSERT_EQ(query.extra.size(), 1u);
  EXPECT_EQ(query.extra[0], (P{"Region", "us-east-1"}));
}

TEST(AuthErrorsS3Test, SkewIsRequestTimeTooSkewed) {
  for (auto [kind, offset] : {std::pair{AuthFailureKind::kExpired, -minutes(16)},
                              std::pair{AuthFailureKind::kNotYetValid, minutes(16)}}) {
    AuthFailure f = SkewFailure(kind, offset);
    AwsError e = S3(f);
    ExpectError(e, "RequestTimeTooSkewed", 403,
                "The difference between the request time and the current time is too large.");
    ASSERT_EQ(e.extra.size(), 3u);
    EXPECT_EQ(e.extra[0], (std::pair<std::string, std::string>{"RequestTime", f.amz_date}));
    EXPECT_EQ(e.extra[1],
              (std::pair<std::string, std::string>{"ServerTime", "2025-11-22T10:00:00Z"}));
    EXPECT_EQ(e.extra[2],
              (std::pair<std::string, std::string>{"MaxAllowedSkewMilliseconds", "900000"}));
  }
}

TEST(AuthErrorsS3Test, SkewWindowIsTheOneApplied) {
  AuthFailure f = SkewFailure(AuthFailureKind::kExpired, -minutes(6));
  f.max_skew = minutes(5);
  AwsError e = S3(f);
  ASSERT_EQ(e.extra.size(), 3u);
  EXPECT_EQ(e.extra[2],
            (std::pair<std::string, std::string>{"MaxAllowedSkewMilliseconds", "300000"}));
}

TEST(AuthErrorsS3Test, PresignExpiredNamesItsExpiry) {
  AuthFailure f = SkewFailure(AuthFailureKind::kPresignExpired, -minutes(30));
  f.presigned = true;
  f.expires = 300;
  AwsError e = S3(f);
  ExpectError(e, "AccessDenied", 403, "Request has expired");
  using P = std::pair<std::string, std::string>;
  ASSERT_EQ(e.extra.size(), 3u);
  EXPECT_EQ(e.extra[0], (P{"X-Amz-Expires", "300"}));
  EXPECT_EQ(e.extra[1], (P{"Expires", "2025-11-22T09:35:00Z"}));
  EXPECT_EQ(e.extra[2], (P{"ServerTime", "2025-11-22T10:00:00Z"}));
}

TEST(AuthErrorsS3Test, PresignNotYetValid) {
  AuthFailure f = SkewFailure(AuthFailureKind::kNotYetValid, minutes(20));
  f.presigned = true;
  f.expires = 60;
  AwsError e = S3(f);
  ExpectError(e, "AccessDenied", 403, "Request is not yet valid");
  using P = std::pair<std::string, std::string>;
  ASSERT_EQ(e.extra.size(), 3u);
  EXPECT_EQ(e.extra[0], (P{"X-Amz-Date", std::to_string(ToUnixMillis(f.request_time))}));
  EXPECT_EQ(e.extra[1], (P{"Expires", "2025-11-22T10:21:00Z"}));
  EXPECT_EQ(e.extra[2], (P{"ServerTime", "2025-11-22T10:00:00Z"}));
}

TEST(AuthErrorsS3Test, SignatureMismatchListsTheDebugElements) {
  AuthFailure f = MismatchFailure();
  f.canonical_request = "GET\n/";
  f.string_to_sign = "AW";
  AwsError e = S3(f);
  ExpectError(e, "SignatureDoesNotMatch", 403,
              "The request signature we calculated does not match the signature you provided. "
              "Check your key and signing method.");
  using P = std::pair<std::string, std::string>;
  ASSERT_EQ(e.extra.size(), 6u);
  EXPECT_EQ(e.extra[0], (P{"AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"}));
  EXPECT_EQ(e.extra[1], (P{"StringToSign", "AW"}));
  EXPECT_EQ(e.extra[2], (P{"SignatureProvided", "0123"}));
  EXPECT_EQ(e.extra[3], (P{"StringToSignBytes", "41 57"}));
  EXPECT_EQ(e.extra[4], (P{"CanonicalRequest", "GET\n/"}));
  EXPECT_EQ(e.extra[5], (P{"CanonicalRequestBytes", "47 45 54 0a 2f"}));
}

TEST(AuthErrorsS3Test, ContentHashMismatch) {
  ExpectError(S3(Failure(AuthFailureKind::kContentHashMismatch, "does not match")),
              "XAmzContentSHA256Mismatch", 400, "does not match");
}

TEST(AuthErrorsS3Test, UnknownKeyNamesTheKey) {
  AuthFailure f = Failure(AuthFailureKind::kUnknownAccessKey);
  f.access_key_id = "AKIAUNKNOWN";
  AwsError e = S3(f);
  ExpectError(e, "InvalidAccessKeyId", 403,
              "The AWS Access Key Id you provided does not exist in our records.");
  ASSERT_EQ(e.extra.size(), 1u);
  EXPECT_EQ(e.extra[0], (std::pair<std::string, std::string>{"AWSAccessKeyId", "AKIAUNKNOWN"}));
}

TEST(AuthErrorsS3Test, Tokens) {
  ExpectError(S3(Failure(AuthFailureKind::kInvalidToken)), "InvalidToken", 400,
              "The provided token is malformed or otherwise invalid.");
  ExpectError(S3(Failure(AuthFailureKind::kExpiredToken)), "ExpiredToken", 400,
              "The provided token has expired.");
}

TEST(AuthErrorsS3Test, S3FlagWinsOverTheProtocol) {
  EXPECT_EQ(AuthErrorFor(Protocol::kJson, true, Failure(AuthFailureKind::kMissing)).code,
            "AccessDenied");
}

}  // namespace
}  // namespace sagetrail::aws
