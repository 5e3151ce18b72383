#include "aws/protocol/auth_errors.h"

#include <chrono>

#include "common/crypto.h"
#include "common/time_format.h"

namespace sagetrail::aws {
namespace {

using sigv4::AuthFailure;
using sigv4::AuthFailureKind;

constexpr char kMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr char kInvalidKey[] = "The security token included in the request is invalid.";
constexpr char kInvalidToken[] = "The security token included in the request is invalid";
constexpr char kExpiredToken[] = "The security token included in the request is expired";
constexpr char kS3Region[] = "us-east-1";

// The window as AWS prints it ("15 min."); a window that is not whole minutes (tests) in seconds.
std::string WindowText(std::chrono::seconds window) {
  if (window.count() % 60 == 0) return std::to_string(window.count() / 60) + " min.";
  return std::to_string(window.count()) + " sec.";
}

// "Signature expired: <t> is now earlier than <now - W> (<now> - W min.)", W being the window the
// verifier applied, so that the times printed bear the verdict out (docs/compatibility.md).
std::string SkewMessage(const AuthFailure& f) {
  if (f.kind == AuthFailureKind::kExpired) {
    return "Signature expired: " + f.amz_date + " is now earlier than " +
           FormatAmzDate(f.server_time - f.max_skew) + " (" + FormatAmzDate(f.server_time) + " - " +
           WindowText(f.max_skew) + ")";
  }
  return "Signature not yet current: " + f.amz_date + " is still later than " +
         FormatAmzDate(f.server_time + f.max_skew) + " (" + FormatAmzDate(f.server_time) + " + " +
         WindowText(f.max_skew) + ")";
}

// A presigned request past its X-Amz-Expires: AWS's S3 wording, for every protocol (the other
// services have no text of their own on record; see docs/compatibility.md).
constexpr char kPresignExpired[] = "Request has expired";

std::string MismatchWithAppendix(const AuthFailure& f) {
  return std::string(kMismatch) + "\n\nThe Canonical String for this request should have been\n'" +
         f.canonical_request + "'\n\nThe String-to-Sign should have been\n'" + f.string_to_sign +
         "'\n";
}

std::string SpacedHex(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

AwsError JsonError(const AuthFailure& f) {
  switch (f.kind) {
    case AuthFailureKind::kMissing:
      return {"MissingAuthenticationTokenException", "Missing Authentication Token", 400};
    case AuthFailureKind::kIncomplete:
      return {"IncompleteSignatureException", f.message, 400};
    case AuthFailureKind::kExpired:
    case AuthFailureKind::kNotYetValid:
      return {"InvalidSignatureException", SkewMessage(f), 400};
    case AuthFailureKind::kPresignExpired:
      return {"AccessDeniedException", kPresignExpired, 400};
    case AuthFailureKind::kInvalidSignature:
    case AuthFailureKind::kContentHashMismatch:
      return {"InvalidSignatureException", f.message, 400};
    case AuthFailureKind::kSignatureMismatch:
      return {"InvalidSignatureException", MismatchWithAppendix(f), 400};
    case AuthFailureKind::kUnknownAccessKey:
      return {"UnrecognizedClientException", kInvalidKey, 400};
    case AuthFailureKind::kInvalidToken:
      return {"UnrecognizedClientException", kInvalidToken, 400};
    case AuthFailureKind::kExpiredToken:
      return {"ExpiredTokenException", kExpiredToken, 400};
  }
  return {"InvalidSignatureException", f.message, 400};
}

AwsError QueryError(const AuthFailure& f) {
  switch (f.kind) {
    case AuthFailureKind::kMissing:
      return {"MissingAuthenticationToken", "Request is missing Authentication Token", 403};
    case AuthFailureKind::kIncomplete:
      return {"IncompleteSignature", f.message, 400};
    case AuthFailureKind::kExpired:
    case AuthFailureKind::kNotYetValid:
      return {"SignatureDoesNotMatch", SkewMessage(f), 403};
    case AuthFailureKind::kPresignExpired:
      return {"AccessDenied", kPresignExpired, 403};
    case AuthFailureKind::kInvalidSignature:
    case AuthFailureKind::kContentHashMismatch:
      return {"SignatureDoesNotMatch", f.message, 403};
    case AuthFailureKind::kSignatureMismatch:
      return {"SignatureDoesNotMatch", MismatchWithAppendix(f), 403};
    case AuthFailureKind::kUnknownAccessKey:
      return {"InvalidClientTokenId", kInvalidKey, 403};
    case AuthFailureKind::kInvalidToken:
      return {"InvalidClientTokenId", kInvalidToken, 403};
    case AuthFailureKind::kExpiredToken:
      return {"ExpiredToken", kExpiredToken, 403};
  }
  return {"SignatureDoesNotMatch", f.message, 403};
}

AwsError S3Error(const AuthFailure& f) {
  AwsError e;
  switch (f.kind) {
    case AuthFailureKind::kMissing:
      return {"AccessDenied", "Access Denied", 403};
    case AuthFailureKind::kIncomplete:
      if (f.presigned) return {"AuthorizationQueryParametersError", f.message, 400};
      return {"AuthorizationHeaderMalformed", "The authorization header is malformed; " + f.message,
              400};
    case AuthFailureKind::kExpired:
    case AuthFailureKind::kNotYetValid:
      if (f.presigned) {
        // X-Amz-Date later than the window allows: S3 gives the date in epoch milliseconds.
        e = {"AccessDenied", "Request is not yet valid", 403};
        e.extra = {{"X-Amz-Date", std::to_string(ToUnixMillis(f.request_time))},
                   {"Expires", FormatIso8601(f.request_time + std::chrono::seconds(f.expires))},
                   {"ServerTime", FormatIso8601(f.server_time)}};
        return e;
      }
      e = {"RequestTimeTooSkewed",
           "The difference between the request time and the current time is too large.", 403};
      e.extra = {{"RequestTime", f.amz_date},
                 {"ServerTime", FormatIso8601(f.server_time)},
                 {"MaxAllowedSkewMilliseconds",
                  std::to_string(std::chrono::milliseconds(f.max_skew).count())}};
      return e;
    case AuthFailureKind::kPresignExpired:
      e = {"AccessDenied", kPresignExpired, 403};
      e.extra = {{"X-Amz-Expires", std::to_string(f.expires)},
                 {"Expires", FormatIso8601(f.request_time + std::chrono::seconds(f.expires))},
                 {"ServerTime", FormatIso8601(f.server_time)}};
      return e;
    case AuthFailureKind::kInvalidSignature:
      if (!f.region_refused.empty()) {
        // S3 names the region it expected: the global endpoint's (there are no buckets to be
        // elsewhere).
        std::string wrong = "the region '" + f.region_refused + "' is wrong; expecting '" +
                            std::string(kS3Region) + "'";
        e = f.presigned ? AwsError{"AuthorizationQueryParametersError",
                                   "Error parsing the X-Amz-Credential parameter; " + wrong, 400}
                        : AwsError{"AuthorizationHeaderMalformed",
                                   "The authorization header is malformed; " + wrong, 400};
        e.extra = {{"Region", std::string(kS3Region)}};
        return e;
      }
      return {"AuthorizationHeaderMalformed", "The authorization header is malformed; " + f.message,
              400};
    case AuthFailureKind::kContentHashMismatch:
      return {"XAmzContentSHA256Mismatch", f.message, 400};
    case AuthFailureKind::kSignatureMismatch:
      e = {"SignatureDoesNotMatch",
           "The request signature we calculated does not match the signature you provided. Check "
           "your key and signing method.",
           403};
      e.extra = {{"AWSAccessKeyId", f.access_key_id},
                 {"StringToSign", f.string_to_sign},
                 {"SignatureProvided", f.signature_provided},
                 {"StringToSignBytes", SpacedHex(f.string_to_sign)},
                 {"CanonicalRequest", f.canonical_request},
                 {"CanonicalRequestBytes", SpacedHex(f.canonical_request)}};
      return e;
    case AuthFailureKind::kUnknownAccessKey:
      e = {"InvalidAccessKeyId",
           "The AWS Access Key Id you provided does not exist in our records.", 403};
      e.extra = {{"AWSAccessKeyId", f.access_key_id}};
      return e;
    case AuthFailureKind::kInvalidToken:
      return {"InvalidToken", "The provided token is malformed or otherwise invalid.", 400};
    case AuthFailureKind::kExpiredToken:
      return {"ExpiredToken", "The provided token has expired.", 400};
  }
  return {"AccessDenied", "Access Denied", 403};
}

}  // namespace

AwsError AuthErrorFor(Protocol protocol, bool s3, const sigv4::AuthFailure& failure) {
  if (s3) return S3Error(failure);
  if (protocol == Protocol::kQuery || protocol == Protocol::kEc2) return QueryError(failure);
  AwsError e = JsonError(failure);
  // restJson services sit behind API Gateway and answer every SigV4 failure with 403, not the
  // 400 of the Coral awsJson services (docs/research/sigv4_errors.md 1.1, 2.2, 2.5).
  if (protocol == Protocol::kRestJson) e.http_status = 403;
  return e;
}

}  // namespace sagetrail::aws
