// Verifier: checks a request's AWS Signature Version 4 (Authorization header or presigned query)
// and resolves the caller's credential. Checks run in AWS's order, so a request with several
// faults gets the error AWS would give: header vs query, missing, malformed, date, skew,
// Host signed, algorithm, credential form, scope, key id, signature, security token.
//
// The payload hash is checked against req.body, or against req.streamed_sha256 when the server
// streamed the body elsewhere. Thread-safe; does no I/O.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credential_store.h"
#include "aws/model/region_catalog.h"
#include "aws/sigv4/auth_failure.h"
#include "aws/sigv4/chunk_signature.h"
#include "aws/sigv4/signing_key_cache.h"
#include "common/clock.h"
#include "common/result.h"
#include "http/http_message.h"

namespace sagetrail::aws::sigv4 {

struct VerifyOptions {
  std::string_view service;  // the scope service the target expects, e.g. "sagemaker"
  bool s3 = false;           // S3's canonicalization (no path normalization, unsigned presign)
};

struct VerifiedRequest {
  std::shared_ptr<const Credential> credential;
  std::string region;
  std::string service;
  TimePoint request_time;
  bool presigned = false;
  // What the request was signed with: the signatures of an aws-chunked body chain from it.
  Sha256Digest signing_key{};
  std::string scope;           // "<date>/<region>/<service>/aws4_request"
  std::string amz_date;        // the request time as signed, "20130524T000000Z"
  std::string seed_signature;  // the request's own signature (hex)

  ChunkSigningContext chunk_signing_context() const {
    return {signing_key, amz_date, scope, seed_signature};
  }
};

// The credential scope a request claims, read without verifying anything (for routing).
struct ClaimedScope {
  std::string access_key_id;
  std::string date;
  std::string region;
  std::string service;
};
std::optional<ClaimedScope> PeekScope(const http::Request& request);

struct SignatureParts;

class Verifier {
 public:
  // `regions`: the regions a credential scope may name (botocore's partitions); null accepts
  // any well-formed region name (unit tests). Must outlive the Verifier.
  Verifier(const CredentialStore& credentials, const Clock& clock, SigningKeyCache& cache,
           std::chrono::seconds max_skew = std::chrono::minutes(15),
           const RegionCatalog* regions = nullptr);

  Result<VerifiedRequest, AuthFailure> Verify(const http::Request& request,
                                              const VerifyOptions& options) const;

  std::chrono::seconds max_skew() const { return max_skew_; }

 private:
  // A presigned S3 URL in signature version 2 (AWSAccessKeyId, Signature, Expires).
  Result<VerifiedRequest, AuthFailure> VerifyS3QueryV2(const http::Request& request) const;
  Result<VerifiedRequest, AuthFailure> VerifyParts(const http::Request& request,
                                                   const VerifyOptions& options,
                                                   const SignatureParts& parts) const;

  const CredentialStore& credentials_;
  const Clock& clock_;
  SigningKeyCache& cache_;
  std::chrono::seconds max_skew_;
  const RegionCatalog* regions_;
};

}  // namespace sagetrail::aws::sigv4
