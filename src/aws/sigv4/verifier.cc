#include "aws/sigv4/verifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <vector>

#include "aws/sigv4/canonical_request.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::aws::sigv4 {

// The signature parameters of a request, whichever way they were sent.
struct SignatureParts {
  bool presigned = false;
  std::string credential;
  std::string signed_headers;
  std::string signature;
  std::string amz_date;
  std::string security_token;
  int64_t expires = 0;
};

namespace {

constexpr int64_t kMaxPresignExpires = 604800;  // one week

AuthFailure Fail(AuthFailureKind kind, std::string message = {}) {
  AuthFailure f;
  f.kind = kind;
  f.message = std::move(message);
  return f;
}

std::optional<std::string> QueryParam(std::string_view raw_query, std::string_view name) {
  for (std::string_view part : Split(raw_query, '&')) {
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    if (UriDecode(k, false) != name) continue;
    return eq == std::string_view::npos ? std::string() : UriDecode(part.substr(eq + 1), false);
  }
  return std::nullopt;
}

// The subresources S3's signature version 2 signs, in its canonical resource.
bool IsV2Subresource(std::string_view name) {
  static const std::string_view kNames[] = {"acl",
                                            "cors",
                                            "delete",
                                            "lifecycle",
                                            "location",
                                            "logging",
                                            "notification",
                                            "partNumber",
                                            "policy",
                                            "requestPayment",
                                            "response-cache-control",
                                            "response-content-disposition",
                                            "response-content-encoding",
                                            "response-content-language",
                                            "response-content-type",
                                            "response-expires",
                                            "restore",
                                            "tagging",
                                            "torrent",
                                            "uploadId",
                                            "uploads",
                                            "versionId",
                                            "versioning",
                                            "versions",
                                            "website"};
  for (std::string_view n : kNames) {
    if (n == name) return true;
  }
  return false;
}

// HMAC-SHA1 of `data`, base64: a signature version 2 signature.
std::string HmacSha1Base64(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

bool ValidRegion(std::string_view r) {
  if (r.empty() || r.size() > 64) return false;
  for (char c : r) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
Result<SignatureParts, AuthFailure> ParseAuthorizationHeader(std::string_view header,
                                                             const http::Request& req) {
  SignatureParts parts;
  std::string_view value = Trim(header);
  size_t space = value.find(' ');
  std::string_view algorithm = value.substr(0, space);
  if (algorithm != kAlgorithm) {
    return Fail(AuthFailureKind::kIncomplete, "Unsupported AWS 'algorithm': '" +
                                                  std::string(algorithm) + "' (only " +
                                                  std::string(kAlgorithm) + " for now). ");
  }
  std::string_view rest = space == std::string_view::npos ? "" : value.substr(space + 1);
  for (std::string_view token : Split(rest, ',')) {
    token = Trim(token);
    if (token.empty()) continue;
    size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      return Fail(AuthFailureKind::kIncomplete,
                  "'" + std::string(token) +
                      "' not a valid key=value pair (missing equal-sign) in Authorization "
                      "header: '" +
                      std::string(header) + "'.");
    }
    std::string_view k = Trim(token.substr(0, eq));
    std::string_view v = Trim(token.substr(eq + 1));
    if (k == "Credential") parts.credential = std::string(v);
    if (k == "SignedHeaders") parts.signed_headers = std::string(v);
    if (k == "Signature") parts.signature = std::string(v);
  }
  if (const std::string* d = req.FindHeader("x-amz-date")) {
    parts.amz_date = *d;
  } else if (const std::string* d2 = req.FindHeader("date")) {
    if (auto t = ParseHttpDate(*d2)) {
      parts.amz_date = FormatAmzDate(*t);
    } else {
      parts.amz_date = *d2;
    }
  }
  std::string missing;
  if (parts.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (parts.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (parts.signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (parts.amz_date.empty()) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) {
    return Fail(AuthFailureKind::kIncomplete, missing + "Authorization=" + std::string(header));
  }
  if (const std::string* t = req.FindHeader("x-amz-security-token")) parts.security_token = *t;
  return parts;
}

Result<SignatureParts, AuthFailure> ParsePresignedQuery(std::string_view query) {
  SignatureParts parts;
  parts.presigned = true;
  auto algorithm = QueryParam(query, "X-Amz-Algorithm");
  auto credential = QueryParam(query, "X-Amz-Credential");
  auto signature = QueryParam(query, "X-Amz-Signature");
  auto signed_headers = QueryParam(query, "X-Amz-SignedHeaders");
  auto date = QueryParam(query, "X-Amz-Date");
  auto expires = QueryParam(query, "X-Amz-Expires");
  std::string missing;
  if (!algorithm) missing += "AWS query-string parameters must include 'X-Amz-Algorithm'. ";
  if (!credential) missing += "AWS query-string parameters must include 'X-Amz-Credential'. ";
  if (!signature) missing += "AWS query-string parameters must include 'X-Amz-Signature'. ";
  if (!signed_headers) {
    missing += "AWS query-string parameters must include 'X-Amz-SignedHeaders'. ";
  }
  if (!date) missing += "AWS query-string parameters must include 'X-Amz-Date'. ";
  if (!missing.empty()) {
    return Fail(AuthFailureKind::kIncomplete, missing + "Re-examine the query-string parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return Fail(AuthFailureKind::kIncomplete, "Unsupported AWS 'algorithm': '" + *algorithm +
                                                  "' (only " + std::string(kAlgorithm) +
                                                  " for now). ");
  }
  parts.credential = *credential;
  parts.signature = *signature;
  parts.signed_headers = *signed_headers;
  parts.amz_date = *date;
  parts.expires = kMaxPresignExpires;
  if (expires) {
    // S3's three texts, each true of the value sent.
    auto digits = [](std::string_view v) {
      return !v.empty() &&
             std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    std::string_view v = *expires;
    if (!v.empty() && v[0] == '-' && digits(v.substr(1))) {
      return Fail(AuthFailureKind::kIncomplete, "X-Amz-Expires must be non-negative");
    }
    if (!digits(v)) return Fail(AuthFailureKind::kIncomplete, "X-Amz-Expires should be a number");
    // AWS's words; a value of exactly 604800 is accepted, as AWS accepts it.
    if (v.size() > 7 || std::stoll(*expires) > kMaxPresignExpires) {
      return Fail(AuthFailureKind::kIncomplete,
                  "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                  "X-Amz-Expires must be less than 604800 seconds");
    }
    parts.expires = std::stoll(*expires);
  }
  if (auto token = QueryParam(query, "X-Amz-Security-Token")) parts.security_token = *token;
  return parts;
}

Result<SignatureParts, AuthFailure> ExtractSignatureParts(const http::Request& req) {
  const std::string* authz = req.FindHeader("authorization");
  std::string_view query = req.query();
  bool query_signed = QueryParam(query, "X-Amz-Algorithm").has_value();
  bool header_signed = authz != nullptr && Trim(*authz).substr(0, 5) == "AWS4-";
  if (query_signed && authz != nullptr) {
    return Fail(AuthFailureKind::kInvalidSignature,
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                "HTTP header.");
  }
  if (header_signed) return ParseAuthorizationHeader(*authz, req);
  if (query_signed || QueryParam(query, "X-Amz-Credential").has_value() ||
      QueryParam(query, "X-Amz-Signature").has_value()) {
    auto parts = ParsePresignedQuery(query);
    if (!parts.ok()) {
      AuthFailure f = std::move(parts).error();
      f.presigned = true;
      return f;
    }
    return parts;
  }
  return Fail(AuthFailureKind::kMissing);
}

}  // namespace

std::optional<ClaimedScope> PeekScope(const http::Request& request) {
  std::string credential;
  if (const std::string* authz = request.FindHeader("authorization")) {
    std::string_view v = *authz;
    size_t pos = v.find("Credential=");
    if (pos == std::string_view::npos) return std::nullopt;
    v = v.substr(pos + 11);
    size_t end = v.find_first_of(", ");
    credential = std::string(v.substr(0, end));
  } else if (auto c = QueryParam(request.query(), "X-Amz-Credential")) {
    credential = *c;
  } else {
    return std::nullopt;
  }
  auto parts = Split(credential, '/');
  if (parts.size() != 5) return std::nullopt;
  return ClaimedScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                      std::string(parts[3])};
}

Verifier::Verifier(const CredentialStore& credentials, const Clock& clock, SigningKeyCache& cache,
                   std::chrono::seconds max_skew, const RegionCatalog* regions)
    : credentials_(credentials),
      clock_(clock),
      cache_(cache),
      max_skew_(max_skew),
      regions_(regions) {}

Result<VerifiedRequest, AuthFailure> Verifier::VerifyS3QueryV2(const http::Request& req) const {
  std::string_view query = req.query();
  std::string key_id = QueryParam(query, "AWSAccessKeyId").value_or("");
  std::string signature = QueryParam(query, "Signature").value_or("");
  std::string expires_text = QueryParam(query, "Expires").value_or("");
  std::string token = QueryParam(query, "x-amz-security-token").value_or("");
  int64_t expires = 0;
  bool numeric = !expires_text.empty() && expires_text.size() <= 12;
  for (char c : expires_text) numeric = numeric && c >= '0' && c <= '9';
  if (!numeric) {
    return Fail(AuthFailureKind::kIncomplete,
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
                "parameters");
  }
  expires = std::stoll(expires_text);
  const TimePoint now = clock_.Now();
  const TimePoint now_s(std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()));
  const TimePoint expiry{std::chrono::seconds(expires)};
  if (now_s > expiry) {
    AuthFailure f = Fail(AuthFailureKind::kPresignExpired, "Request has expired");
    f.request_time = expiry;
    f.server_time = now_s;
    f.expires = 0;
    f.presigned = true;
    return f;
  }
  std::shared_ptr<const Credential> credential = credentials_.Find(key_id, token);
  if (credential == nullptr || !credential->active) {
    AuthFailure f = Fail(AuthFailureKind::kUnknownAccessKey);
    f.access_key_id = key_id;
    f.presigned = true;
    return f;
  }
  // StringToSign = Verb \n Content-MD5 \n Content-Type \n Expires \n amz-headers resource.
  std::string sts = req.method + "\n" + std::string(req.HeaderOr("content-md5")) + "\n" +
                    std::string(req.HeaderOr("content-type")) + "\n" + expires_text + "\n";
  std::vector<std::pair<std::string, std::string>> amz;
  for (const auto& h : req.headers) {
    std::string name = AsciiLower(h.name);
    if (name.starts_with("x-amz-")) amz.emplace_back(name, h.value);
  }
  if (!token.empty()) amz.emplace_back("x-amz-security-token", token);
  std::sort(amz.begin(), amz.end());
  for (size_t i = 0; i < amz.size(); ++i) {
    if (i > 0 && amz[i].first == amz[i - 1].first) {
      sts.back() = ',';
      sts += amz[i].second + "\n";
    } else {
      sts += amz[i].first + ":" + amz[i].second + "\n";
    }
  }
  sts += std::string(req.path());
  std::vector<std::pair<std::string, std::string>> subresources;
  for (std::string_view part : Split(query, '&')) {
    size_t eq = part.find('=');
    std::string name = UriDecode(part.substr(0, eq), false);
    if (!IsV2Subresource(name)) continue;
    subresources.emplace_back(
        name, eq == std::string_view::npos ? std::string() : UriDecode(part.substr(eq + 1), false));
  }
  std::sort(subresources.begin(), subresources.end());
  for (size_t i = 0; i < subresources.size(); ++i) {
    sts += i == 0 ? "?" : "&";
    sts += subresources[i].first;
    if (!subresources[i].second.empty()) sts += "=" + subresources[i].second;
  }
  std::string expected = HmacSha1Base64(credential->secret_access_key, sts);
  if (!ConstantTimeEquals(expected, signature)) {
    AuthFailure f = Fail(AuthFailureKind::kSignatureMismatch);
    f.access_key_id = key_id;
    f.string_to_sign = std::move(sts);
    f.signature_provided = signature;
    f.presigned = true;
    return f;
  }
  if (!credential->session_token.empty()) {
    if (!ConstantTimeEquals(token, credential->session_token)) {
      return Fail(AuthFailureKind::kInvalidToken);
    }
    if (credential->expiration && now >= *credential->expiration) {
      return Fail(AuthFailureKind::kExpiredToken);
    }
  } else if (!token.empty()) {
    return Fail(AuthFailureKind::kInvalidToken);
  }
  VerifiedRequest out;
  out.credential = std::move(credential);
  out.region = "us-east-1";  // version 2 names no region: the global endpoint's
  out.service = "s3";
  out.request_time = now_s;
  out.presigned = true;
  return out;
}

Result<VerifiedRequest, AuthFailure> Verifier::Verify(const http::Request& req,
                                                      const VerifyOptions& options) const {
  // S3 still takes signature version 2 in a presigned query (what `aws s3 presign` and boto3's
  // generate_presigned_url make by default); its header form is not accepted.
  if (options.s3 && !QueryParam(req.query(), "X-Amz-Algorithm") &&
      req.FindHeader("authorization") == nullptr && QueryParam(req.query(), "AWSAccessKeyId") &&
      QueryParam(req.query(), "Signature")) {
    return VerifyS3QueryV2(req);
  }
  auto extracted = ExtractSignatureParts(req);
  auto verified = extracted.ok() ? VerifyParts(req, options, *extracted)
                                 : Result<VerifiedRequest, AuthFailure>(extracted.error());
  if (verified.ok()) return verified;
  // Every failure says which window it was judged by and how the request was signed, so the
  // protocol's text can state what was checked.
  AuthFailure f = std::move(verified).error();
  f.max_skew = max_skew_;
  if (extracted.ok()) f.presigned = extracted->presigned;
  return f;
}

Result<VerifiedRequest, AuthFailure> Verifier::VerifyParts(const http::Request& req,
                                                           const VerifyOptions& options,
                                                           const SignatureParts& sp) const {
  // Date: format, then skew (or, presigned, the expiry window).
  auto request_time = ParseAmzDate(sp.amz_date);
  if (!request_time) {
    return Fail(AuthFailureKind::kIncomplete, "Date must be in ISO-8601 'basic format'. Got '" +
                                                  sp.amz_date +
                                                  "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  // X-Amz-Date has whole seconds, and so has every time an error text prints: the checks compare
  // whole seconds too, so that the printed times always bear the verdict out.
  const TimePoint now = clock_.Now();
  const TimePoint now_s(std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()));
  auto time_failure = [&](AuthFailureKind kind) {
    AuthFailure f = Fail(kind);
    f.amz_date = sp.amz_date;
    f.request_time = *request_time;
    f.server_time = now_s;
    f.expires = sp.expires;
    return f;
  };
  if (sp.presigned) {
    if (now_s > *request_time + std::chrono::seconds(sp.expires)) {
      AuthFailure f = time_failure(AuthFailureKind::kPresignExpired);
      f.message = "Request has expired";
      return f;
    }
    if (*request_time > now_s + max_skew_) return time_failure(AuthFailureKind::kNotYetValid);
  } else if (*request_time + max_skew_ < now_s) {
    return time_failure(AuthFailureKind::kExpired);
  } else if (*request_time > now_s + max_skew_) {
    return time_failure(AuthFailureKind::kNotYetValid);
  }

  // Signed headers must include Host.
  std::vector<std::string_view> signed_headers;
  for (std::string_view h : Split(sp.signed_headers, ';')) {
    if (!h.empty()) signed_headers.push_back(h);
  }
  if (std::find(signed_headers.begin(), signed_headers.end(), "host") == signed_headers.end()) {
    return Fail(AuthFailureKind::kInvalidSignature,
                "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // Credential form and scope.
  auto cred_parts = Split(sp.credential, '/');
  if (cred_parts.size() != 5) {
    return Fail(AuthFailureKind::kIncomplete,
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                "keyid/date/region/service/term, got '" +
                    sp.credential + "'");
  }
  std::string_view key_id = cred_parts[0], scope_date = cred_parts[1], region = cred_parts[2],
                   service = cred_parts[3], terminator = cred_parts[4];
  std::string scope_errors;
  std::string region_refused;
  if (regions_ != nullptr ? !regions_->Contains(region) : !ValidRegion(region)) {
    region_refused = std::string(region);
    scope_errors +=
        "Credential should be scoped to a valid region, not '" + std::string(region) + "'. ";
  }
  if (service != options.service) {
    scope_errors +=
        "Credential should be scoped to correct service: '" + std::string(options.service) + "'. ";
  }
  if (terminator != "aws4_request") {
    scope_errors += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                    std::string(terminator) + "'. ";
  }
  std::string_view date_part = std::string_view(sp.amz_date).substr(0, 8);
  if (scope_date != date_part) {
    scope_errors +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope_date) + "' != '" + std::string(date_part) + "', from '" + sp.amz_date +
        "'.";
  }
  if (!scope_errors.empty()) {
    AuthFailure f = Fail(AuthFailureKind::kInvalidSignature, scope_errors);
    f.region_refused = std::move(region_refused);
    return f;
  }

  // Access key.
  std::shared_ptr<const Credential> credential = credentials_.Find(key_id, sp.security_token);
  if (credential == nullptr || !credential->active) {
    AuthFailure f = Fail(AuthFailureKind::kUnknownAccessKey);
    f.access_key_id = std::string(key_id);
    return f;
  }

  // Payload hash. A body the server streamed elsewhere comes with its hash; one streamed without
  // it has no known hash, and matches none (req.body, empty then, is not that body).
  auto body_hash = [&req]() -> std::string {
    if (req.streamed_sha256) return *req.streamed_sha256;
    if (req.streamed_body != nullptr) return "(streamed body of unknown hash)";
    return Sha256Hex(req.body);
  };
  std::string payload_hash;
  if (const std::string* h = req.FindHeader("x-amz-content-sha256")) {
    payload_hash = *h;
    bool literal = payload_hash == kUnsignedPayload || payload_hash.rfind("STREAMING-", 0) == 0;
    if (literal && !options.s3) {
      // Only S3 lets a request leave its body out of the signature; every other service signs
      // the body's hash, so a request signed over UNSIGNED-PAYLOAD does not verify.
      payload_hash = body_hash();
    } else if (!literal && payload_hash != body_hash()) {
      return Fail(AuthFailureKind::kContentHashMismatch,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  } else if (sp.presigned && options.s3) {
    payload_hash = std::string(kUnsignedPayload);
  } else {
    payload_hash = body_hash();
  }

  // Signature.
  CanonicalRequestParts parts;
  parts.method = req.method;
  parts.raw_path = req.path();
  parts.raw_query = req.query();
  parts.headers = &req.headers;
  parts.signed_headers = signed_headers;
  parts.payload_hash = payload_hash;
  parts.s3 = options.s3;
  parts.skip_query_param = sp.presigned ? "X-Amz-Signature" : "";
  std::string canonical = CanonicalRequest(parts);
  if (canonical.empty()) {
    for (std::string_view h : signed_headers) {
      if (req.FindHeader(h) == nullptr) {
        return Fail(AuthFailureKind::kIncomplete,
                    "'" + std::string(h) +
                        "' is named as a SignedHeader, but it does not exist in the HTTP request.");
      }
    }
  }
  std::string scope = CredentialScope(scope_date, region, service);
  std::string sts = StringToSign(sp.amz_date, scope, canonical);
  Sha256Digest key = cache_.Get(key_id, credential->secret_access_key, scope_date, region, service);
  std::string expected = Signature(key, sts);
  if (!ConstantTimeEquals(expected, sp.signature)) {
    AuthFailure f = Fail(AuthFailureKind::kSignatureMismatch);
    f.access_key_id = std::string(key_id);
    f.canonical_request = std::move(canonical);
    f.string_to_sign = std::move(sts);
    f.signature_provided = sp.signature;
    return f;
  }

  // Security token: required (and exact) for temporary credentials, refused otherwise.
  if (!credential->session_token.empty()) {
    if (!ConstantTimeEquals(sp.security_token, credential->session_token)) {
      return Fail(AuthFailureKind::kInvalidToken);
    }
    if (credential->expiration && now >= *credential->expiration) {
      return Fail(AuthFailureKind::kExpiredToken);
    }
  } else if (!sp.security_token.empty()) {
    return Fail(AuthFailureKind::kInvalidToken);
  }

  VerifiedRequest out;
  out.credential = std::move(credential);
  out.region = std::string(region);
  out.service = std::string(service);
  out.request_time = *request_time;
  out.presigned = sp.presigned;
  out.signing_key = key;
  out.scope = std::move(scope);
  out.amz_date = sp.amz_date;
  out.seed_signature = std::move(expected);
  return out;
}

}  // namespace sagetrail::aws::sigv4
