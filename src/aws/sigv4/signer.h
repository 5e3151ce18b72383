// Signer: signs outgoing requests with SigV4 (our own S3 client, tests and benchmarks).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "http/http_message.h"

namespace sagetrail::aws::sigv4 {

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

struct SignOptions {
  std::string region;
  std::string service;
  bool s3 = false;  // adds x-amz-content-sha256, keeps the path as is
};

// Adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256 where due) and the
// Authorization header. The request must already carry its Host header. Signs host, content-type
// and every x-amz-* header.
void SignRequest(http::Request& request, const SigningCredentials& credentials,
                 const SignOptions& options, TimePoint now);

// Appends the presigned-URL query parameters (X-Amz-Algorithm ... X-Amz-Signature) to the
// request target, signing only the Host header.
void PresignRequest(http::Request& request, const SigningCredentials& credentials,
                    const SignOptions& options, TimePoint now, int64_t expires_seconds);

}  // namespace sagetrail::aws::sigv4
