#include "aws/sigv4/signer.h"

#include <algorithm>
#include <vector>

#include "aws/sigv4/canonical_request.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sagetrail::aws::sigv4 {

ChunkSigningContext SignRequest(http::Request& request, const SigningCredentials& credentials,
                                const SignOptions& options, TimePoint now) {
  std::string amz_date = FormatAmzDate(now);
  std::string date = amz_date.substr(0, 8);
  request.headers.push_back({"X-Amz-Date", amz_date});
  if (!credentials.session_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  // A payload hash the caller already chose (e.g. UNSIGNED-PAYLOAD) is what gets signed; adding a
  // second x-amz-content-sha256 or signing the body hash instead would not verify.
  std::string payload_hash;
  if (const std::string* given = request.FindHeader("x-amz-content-sha256")) {
    payload_hash = *given;
  } else {
    payload_hash = Sha256Hex(request.body);
    if (options.s3) request.headers.push_back({"x-amz-content-sha256", payload_hash});
  }

  std::vector<std::string> names;
  for (const http::Header& h : request.headers) {
    std::string lower = AsciiLower(h.name);
    if (lower == "host" || lower == "content-type" || lower.rfind("x-amz-", 0) == 0) {
      if (std::find(names.begin(), names.end(), lower) == names.end()) names.push_back(lower);
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string_view> signed_headers(names.begin(), names.end());

  CanonicalRequestParts parts;
  parts.method = request.method;
  parts.raw_path = request.path();
  parts.raw_query = request.query();
  parts.headers = &request.headers;
  parts.signed_headers = signed_headers;
  parts.payload_hash = payload_hash;
  parts.s3 = options.s3;
  std::string scope = CredentialScope(date, options.region, options.service);
  std::string sts = StringToSign(amz_date, scope, CanonicalRequest(parts));
  ChunkSigningContext context;
  context.signing_key =
      SigningKey(credentials.secret_access_key, date, options.region, options.service);
  context.seed_signature = Signature(context.signing_key, sts);
  std::string authz = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      scope + ", SignedHeaders=" + Join(names, ";") +
                      ", Signature=" + context.seed_signature;
  request.headers.push_back({"Authorization", std::move(authz)});
  context.amz_date = std::move(amz_date);
  context.scope = std::move(scope);
  return context;
}

ChunkSigningContext SignStreamingRequest(http::Request& request,
                                         const SigningCredentials& credentials,
                                         const SignOptions& options, TimePoint now,
                                         ChunkedMode mode, uint64_t decoded_length,
                                         const std::vector<std::string>& trailer_names) {
  auto set = [&request](std::string_view name, std::string value) {
    for (http::Header& h : request.headers) {
      if (EqualsIgnoreCase(h.name, name)) {
        h.value = std::move(value);
        return;
      }
    }
    request.headers.push_back({std::string(name), std::move(value)});
  };
  set("x-amz-content-sha256", std::string(ChunkedModeName(mode)));
  set("Content-Encoding", "aws-chunked");
  set("x-amz-decoded-content-length", std::to_string(decoded_length));
  if (!trailer_names.empty()) set("x-amz-trailer", Join(trailer_names, ","));
  return SignRequest(request, credentials, options, now);
}

void PresignRequest(http::Request& request, const SigningCredentials& credentials,
                    const SignOptions& options, TimePoint now, int64_t expires_seconds) {
  std::string amz_date = FormatAmzDate(now);
  std::string date = amz_date.substr(0, 8);
  std::string scope = CredentialScope(date, options.region, options.service);
  std::string query(request.query());
  auto add = [&query](std::string_view k, std::string_view v) {
    if (!query.empty()) query.push_back('&');
    query += UriEncode(k, false) + "=" + UriEncode(v, false);
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", credentials.access_key_id + "/" + scope);
  add("X-Amz-Date", amz_date);
  add("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials.session_token.empty()) add("X-Amz-Security-Token", credentials.session_token);
  add("X-Amz-SignedHeaders", "host");
  request.target = std::string(request.path()) + "?" + query;

  std::string payload_hash = options.s3 ? std::string(kUnsignedPayload) : Sha256Hex(request.body);
  CanonicalRequestParts parts;
  parts.method = request.method;
  parts.raw_path = request.path();
  parts.raw_query = request.query();
  parts.headers = &request.headers;
  parts.signed_headers = {"host"};
  parts.payload_hash = payload_hash;
  parts.s3 = options.s3;
  std::string sts = StringToSign(amz_date, scope, CanonicalRequest(parts));
  std::string signature = Signature(
      SigningKey(credentials.secret_access_key, date, options.region, options.service), sts);
  request.target += "&X-Amz-Signature=" + signature;
}

}  // namespace sagetrail::aws::sigv4
