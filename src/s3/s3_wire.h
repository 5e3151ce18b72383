// The pure pieces of talking to an S3 endpoint, apart from the transport: path-style object paths,
// S3's error bodies read into AwsError, which failures are worth another attempt, and the backoff
// between attempts. Thread-safe (BackoffDelay as far as its Random is).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "common/random.h"

namespace sagetrail::s3 {

// Codes of our own for failures that got no HTTP answer. AwsError::http_status is 0 for these.
inline constexpr std::string_view kConnectionFailedCode = "ServiceUnavailable";  // curl's message
inline constexpr std::string_view kTimeoutCode = "RequestTimeout";               // curl's message
inline constexpr std::string_view kLocalFailureCode = "InternalFailure";  // local file, curl itself
inline constexpr std::string_view kMalformedResponseCode = "MalformedResponse";
// A bucket or key that cannot be sent (empty, a '/' in a bucket name), a metadata name that is not
// an HTTP token, a header value with a control character: "InvalidArgument", http_status 0.

// An object key percent-encoded for an S3 request path: every byte but the unreserved characters
// (A-Z a-z 0-9 - _ . ~) and '/' becomes %XX (upper-case hex), so the path is also its own SigV4
// canonical URI.
std::string EncodeKey(std::string_view key);

// "<prefix>/<bucket>/<encoded key>"; `prefix` is the endpoint's own path without a trailing slash
// (usually empty). An empty key gives the bucket's path "<prefix>/<bucket>".
std::string ObjectPath(std::string_view prefix, std::string_view bucket, std::string_view key);

// The error an S3 endpoint answered with `status` (not 2xx) and `body`. An <Error> body gives
// its Code and Message, and its other children (RequestId, Resource, BucketName, ...) as `extra`.
// A body without one (HEAD answers have none; a proxy's HTML page) is named after the status:
// 404 is NoSuchKey (S3's HEAD on a missing object; also a missing bucket, which a HEAD cannot tell
// apart), 403 AccessDenied, 400 BadRequest, 301 PermanentRedirect, 304 NotModified,
// 412 PreconditionFailed, 429 SlowDown, 500 InternalError, 503 ServiceUnavailable, and any other
// status its number ("502").
aws::AwsError ErrorFromResponse(int status, std::string_view body);

// An <Error> document in a 200 answer (CompleteMultipartUpload may fail that way), or nullopt.
std::optional<aws::AwsError> ErrorInOkBody(std::string_view body);

// Whether another attempt may succeed: connection failures and timeouts (http_status 0 with
// kConnectionFailedCode or kTimeoutCode), 5xx but 501 NotImplemented, 429, and the throttling
// codes SlowDown, Throttling, ThrottlingException, RequestLimitExceeded whatever their status.
// Never another 4xx.
bool IsRetryable(const aws::AwsError& error);

// How long to wait before retry number `retry` (0 for the first retry): "full jitter", uniform in
// [0, min(max, base * 2^retry)], drawn from `random`.
std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, Random& random);

}  // namespace sagetrail::s3
