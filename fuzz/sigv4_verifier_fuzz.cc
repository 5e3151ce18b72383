// Fuzz target: SigV4 authentication of a request built from the input (Authorization header and
// presigned-query parsing, date and scope checks, canonical request, signature and token checks),
// the canonicalization functions on their own, and the protocol error each failure turns into.
//
// Input: a request in fuzz_support.h's text form, then one flags byte (the input's last byte):
//   bit 0      S3 canonicalization (path kept as is, unsigned presigned payload)
//   bits 1-2   0, 3: verify the request as it is; 1: sign it first with our Signer (Authorization
//              header); 2: presign it first (query parameters)
//   bit 3      sign with the temporary key and its session token
//   bits 4-5   the service the verifier expects: sagemaker, sts, s3, iam
//   bit 6      sign 20 minutes before "now"
//   bit 7      sign with the expired temporary key
// A request our Signer signed must verify (or fail only for the reason the flags ask for) unless
// it already carried signature parts of its own: that invariant is checked.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/protocol/auth_errors.h"
#include "aws/protocol/json_codec.h"
#include "aws/protocol/query_codec.h"
#include "aws/protocol/rest_xml_codec.h"
#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/signer.h"
#include "aws/sigv4/verifier.h"
#include "common/strings.h"
#include "fuzz_support.h"

namespace sagetrail::fuzz {
namespace {

using aws::sigv4::AuthFailureKind;

struct ServiceChoice {
  const char* name;
  aws::Protocol protocol;
  bool s3;
};
constexpr ServiceChoice kServices[] = {{"sagemaker", aws::Protocol::kJson, false},
                                       {"sts", aws::Protocol::kQuery, false},
                                       {"s3", aws::Protocol::kRestXml, true},
                                       {"iam", aws::Protocol::kQuery, false}};

bool IsHttpToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// True when nothing in the request competes with what the Signer adds, so that a signed copy
// must verify: one Host header, no signature parts of its own, header names that are HTTP tokens
// (as the HTTP layer guarantees), no query parameter named X-Amz-*.
bool SignableAsIs(const http::Request& r, bool presign, bool s3) {
  int hosts = 0;
  for (const http::Header& h : r.headers) {
    if (!IsHttpToken(h.name)) return false;
    std::string lower = AsciiLower(h.name);
    if (lower == "host") ++hosts;
    if (lower == "authorization" || lower == "x-amz-date" || lower == "x-amz-security-token") {
      return false;
    }
    // A presigned request signs the body's hash (or UNSIGNED-PAYLOAD for S3); a payload hash
    // header would be a second, competing statement of it.
    if (lower == "x-amz-content-sha256" && presign) return false;
  }
  if (hosts != 1) return false;
  for (std::string_view part : Split(r.query(), '&')) {
    std::string name = UriDecode(part.substr(0, part.find('=')), false);
    if (name.rfind("X-Amz-", 0) == 0) return false;
  }
  if (const std::string* sha = r.FindHeader("x-amz-content-sha256")) {
    // Only S3 accepts a literal payload hash; elsewhere the body's hash is checked against it.
    bool literal = *sha == aws::sigv4::kUnsignedPayload || sha->rfind("STREAMING-", 0) == 0;
    if (literal ? !s3 : *sha != Sha256Hex(r.body)) return false;
  }
  return true;
}

// The canonicalization functions on the request's parts, with the properties they promise.
void CheckCanonicalForms(const http::Request& r) {
  namespace sigv4 = aws::sigv4;
  std::string query = sigv4::CanonicalQueryString(r.query());
  Check(sigv4::CanonicalQueryString(query) == query, "canonical query string is not stable");
  std::string presigned = sigv4::CanonicalQueryString(r.query(), "X-Amz-Signature");
  Check(presigned.size() <= query.size(), "skipping a parameter made the query longer");

  std::string uri = sigv4::CanonicalUri(r.path(), /*s3=*/false);
  Check(!uri.empty() && uri.front() == '/', "canonical URI does not start with '/'");
  std::vector<std::string_view> segments = Split(uri, '/');
  for (size_t i = 1; i < segments.size(); ++i) {
    Check(segments[i] != "." && segments[i] != "..", "dot segment left in canonical URI");
    Check(!segments[i].empty() || i + 1 == segments.size(), "empty segment in canonical URI");
  }
  Check(!sigv4::CanonicalUri(r.path(), /*s3=*/true).empty(), "empty S3 canonical URI");

  std::vector<std::string> names;
  for (const http::Header& h : r.headers) names.push_back(AsciiLower(h.name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<std::string_view> signed_headers(names.begin(), names.end());
  std::string headers;
  Check(sigv4::CanonicalHeaders(r.headers, signed_headers, &headers),
        "a header the request has was reported missing");
  Check(static_cast<size_t>(std::count(headers.begin(), headers.end(), '\n')) == names.size(),
        "canonical headers are not one line per header");

  sigv4::CanonicalRequestParts parts;
  parts.method = r.method;
  parts.raw_path = r.path();
  parts.raw_query = r.query();
  parts.headers = &r.headers;
  parts.signed_headers = signed_headers;
  parts.payload_hash = sigv4::kUnsignedPayload;
  std::string canonical = sigv4::CanonicalRequest(parts);
  Check(!canonical.empty(), "canonical request empty although every signed header exists");
  sigv4::StringToSign("20261122T100000Z", sigv4::CredentialScope("20261122", "us-east-1", "s3"),
                      canonical);
  (void)sigv4::PeekScope(r);
}

}  // namespace
}  // namespace sagetrail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sagetrail;
  using namespace sagetrail::fuzz;
  namespace sigv4 = aws::sigv4;

  FuzzedDataProvider fdp(data, size);
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const std::string text = fdp.ConsumeRemainingBytesAsString();
  http::Request request = ParseRequestText(text);

  const bool s3 = flags & 1;
  const int mode = (flags >> 1) & 3;
  const bool temporary = flags & 8;
  const ServiceChoice& service = kServices[(flags >> 4) & 3];
  const bool signed_in_past = flags & 64;
  const bool expired_key = flags & 128;

  CheckCanonicalForms(request);

  // Sign (or presign) the request ourselves, then expect the verifier to agree.
  bool expect_known_outcome = false;
  bool presign = mode == 2;
  if (mode == 1 || mode == 2) {
    expect_known_outcome = SignableAsIs(request, presign, s3);
    sigv4::SigningCredentials creds{kAccessKeyId, kSecretKey, ""};
    if (temporary || expired_key) {
      creds = {expired_key ? kExpiredAccessKeyId : kTempAccessKeyId, kTempSecretKey, kSessionToken};
    }
    sigv4::SignOptions options{"us-east-1", service.name, s3};
    TimePoint when = signed_in_past ? Now() - std::chrono::minutes(20) : Now();
    if (presign) {
      sigv4::PresignRequest(request, creds, options, when, 3600);
    } else {
      sigv4::SignRequest(request, creds, options, when);
    }
  }

  FixedClock clock;
  FuzzCredentialStore store;
  sigv4::SigningKeyCache cache(16);
  sigv4::Verifier verifier(store, clock, cache);
  auto result = verifier.Verify(request, sigv4::VerifyOptions{service.name, s3});

  if (expect_known_outcome) {
    // Past the skew window only a header-signed request is refused for its date; a presigned
    // one is good for an hour.
    if (signed_in_past && !presign) {
      Check(!result.ok() && result.error().kind == AuthFailureKind::kExpired,
            "a request signed 20 minutes ago was not refused as expired");
    } else if (expired_key) {
      Check(!result.ok() && result.error().kind == AuthFailureKind::kExpiredToken,
            "a request signed with expired credentials was not refused for it");
    } else {
      Check(result.ok(), "a request our Signer signed does not verify");
      Check(result->region == "us-east-1" && result->service == service.name &&
                result->presigned == presign,
            "verified request reports another scope");
    }
  }

  if (!result.ok()) {
    aws::AwsError error = aws::AuthErrorFor(service.protocol, service.s3, result.error());
    http::Response response;
    switch (service.protocol) {
      case aws::Protocol::kQuery:
        response = aws::QueryCodec().SerializeError(nullptr, error, "fuzz-request-id");
        break;
      case aws::Protocol::kRestXml:
        response = aws::RestXmlCodec().SerializeError(nullptr, error, "fuzz-request-id");
        break;
      default:
        response = aws::JsonCodec().SerializeError(nullptr, error, "fuzz-request-id");
        break;
    }
    Check(response.status >= 400, "an authentication failure answered with a success status");
  }
  return 0;
}
