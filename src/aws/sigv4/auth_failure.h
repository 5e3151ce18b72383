// AuthFailure: why a request's SigV4 authentication failed, with the details each protocol needs
// to word its error (see protocol/auth_errors.h for the mapping to codes and texts).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/clock.h"

namespace sagetrail::aws::sigv4 {

enum class AuthFailureKind {
  kMissing,              // no Authorization header and no presigned query
  kIncomplete,           // Authorization header or presigned query malformed (message says how)
  kExpired,              // request time too far in the past
  kNotYetValid,          // request time too far in the future
  kPresignExpired,       // presigned URL past X-Amz-Expires
  kInvalidSignature,     // wrong scope (region_refused set when the region is unknown),
                         // unsigned Host, ... (message says what)
  kUnknownAccessKey,     // no such (active) access key
  kSignatureMismatch,    // the signature does not verify
  kContentHashMismatch,  // x-amz-content-sha256 is not the body's hash
  kInvalidToken,         // session token missing, wrong, or present for long-term credentials
  kExpiredToken,         // temporary credentials past their expiration
};

struct AuthFailure {
  AuthFailureKind kind = AuthFailureKind::kMissing;
  std::string message;  // the detail sentence(s), protocol-neutral where the kind needs one
  // Details for protocol-specific wording.
  bool presigned = false;  // signed in the query string (known once the request is parsed)
  std::string access_key_id;
  std::string amz_date;  // as sent
  TimePoint request_time{};
  TimePoint server_time{};             // whole seconds: the time the checks compared against
  std::chrono::seconds max_skew{900};  // the clock-skew window the verifier applied
  int64_t expires = 0;                 // a presigned request's X-Amz-Expires, in seconds
  std::string region_refused;          // the credential scope's region, when no partition has it
  std::string canonical_request;       // ours, for the mismatch appendix
  std::string string_to_sign;
  std::string signature_provided;
};

}  // namespace sagetrail::aws::sigv4
