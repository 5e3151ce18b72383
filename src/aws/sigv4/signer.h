// Signer: signs outgoing requests with SigV4 (our own S3 client, tests and benchmarks).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <cstdint>
#include <vector>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/chunk_signature.h"
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
// Returns what the request was signed with (its signature is the seed of an aws-chunked body).
ChunkSigningContext SignRequest(http::Request& request, const SigningCredentials& credentials,
                                const SignOptions& options, TimePoint now);

// Signs the headers of an S3 upload whose body is sent aws-chunked in `mode`: sets
// x-amz-content-sha256 to the mode's name, Content-Encoding: aws-chunked,
// x-amz-decoded-content-length and, when `trailer_names` is not empty, x-amz-trailer (the names
// joined with ','), then signs as SignRequest. The context returned signs the chunks
// (AwsChunkedEncoder). Content-Length (the encoded length, AwsChunkedEncoder::EncodedLength) is
// the caller's to set, before or after.
ChunkSigningContext SignStreamingRequest(http::Request& request,
                                         const SigningCredentials& credentials,
                                         const SignOptions& options, TimePoint now,
                                         ChunkedMode mode, uint64_t decoded_length,
                                         const std::vector<std::string>& trailer_names = {});

// Appends the presigned-URL query parameters (X-Amz-Algorithm ... X-Amz-Signature) to the
// request target, signing only the Host header.
void PresignRequest(http::Request& request, const SigningCredentials& credentials,
                    const SignOptions& options, TimePoint now, int64_t expires_seconds);

}  // namespace sagetrail::aws::sigv4
