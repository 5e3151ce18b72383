// The pieces of AWS Signature Version 4 that both signing and verification need: canonical URI,
// query string and headers, the string to sign, and the signing key. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "http/http_message.h"

namespace sagetrail::aws::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// The canonical URI of a raw (percent-encoded) request path. Every service but S3 normalizes the
// path (dot segments and empty segments removed) and encodes it a second time; S3 uses it as is.
std::string CanonicalUri(std::string_view raw_path, bool s3);

// The canonical query string: parameters decoded, re-encoded, sorted by name then value.
// A parameter named `skip` (the presigned signature itself) is left out.
std::string CanonicalQueryString(std::string_view raw_query, std::string_view skip = {});

// "name:value\n" for each signed header (lower-case names, in the given order), values of repeated
// headers joined with ',', surrounding blanks trimmed and inner runs of blanks collapsed.
// Returns false if a signed header is absent from the request.
bool CanonicalHeaders(const std::vector<http::Header>& headers,
                      const std::vector<std::string_view>& signed_headers, std::string* out);

struct CanonicalRequestParts {
  std::string_view method;
  std::string_view raw_path;
  std::string_view raw_query;
  const std::vector<http::Header>* headers = nullptr;
  std::vector<std::string_view> signed_headers;  // lower-case, sorted
  std::string_view payload_hash;                 // hex SHA-256, or UNSIGNED-PAYLOAD
  bool s3 = false;
  std::string_view skip_query_param;  // "X-Amz-Signature" for presigned requests
};

// The canonical request, or empty if a signed header is missing.
std::string CanonicalRequest(const CanonicalRequestParts& parts);

// "<date>/<region>/<service>/aws4_request"
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

Sha256Digest SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// Hex signature of `string_to_sign` under `signing_key`.
std::string Signature(const Sha256Digest& signing_key, std::string_view string_to_sign);

}  // namespace sagetrail::aws::sigv4
