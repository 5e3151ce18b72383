#include "s3/s3_wire.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/strings.h"
#include "s3/s3_xml.h"

namespace sagetrail::s3 {
namespace {

std::string CodeForStatus(int status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 304:
      return "NotModified";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NoSuchKey";
    case 412:
      return "PreconditionFailed";
    case 429:
      return "SlowDown";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return std::to_string(status);
  }
}

std::optional<aws::AwsError> ErrorDocument(int status, std::string_view body) {
  std::optional<XmlElement> root = ParseXml(body);
  if (!root || root->name != "Error") return std::nullopt;
  aws::AwsError error;
  error.code = root->ChildText("Code");
  if (error.code.empty()) return std::nullopt;
  error.message = root->ChildText("Message");
  error.http_status = status;
  error.sender_fault = status >= 300 && status < 500;
  for (const XmlElement& child : root->children) {
    if (child.name == "Code" || child.name == "Message") continue;
    error.extra.emplace_back(child.name, child.text);
  }
  return error;
}

}  // namespace

std::string EncodeKey(std::string_view key) { return UriEncode(key, /*keep_slash=*/true); }

std::string ObjectPath(std::string_view prefix, std::string_view bucket, std::string_view key) {
  std::string path(prefix);
  path.push_back('/');
  path += UriEncode(bucket, /*keep_slash=*/false);
  if (!key.empty()) {
    path.push_back('/');
    path += EncodeKey(key);
  }
  return path;
}

aws::AwsError ErrorFromResponse(int status, std::string_view body) {
  if (std::optional<aws::AwsError> doc = ErrorDocument(status, body)) return std::move(*doc);
  aws::AwsError error;
  error.code = CodeForStatus(status);
  error.message = status == 404 ? "The specified key does not exist."
                                : "HTTP " + std::to_string(status) + " without an S3 error body";
  error.http_status = status;
  error.sender_fault = status < 500;
  return error;
}

std::optional<aws::AwsError> ErrorInOkBody(std::string_view body) {
  // Cheap test first: a successful answer is a large-ish document that is not an <Error>.
  if (body.find("Error") == std::string_view::npos) return std::nullopt;
  std::optional<aws::AwsError> error = ErrorDocument(200, body);
  if (error) {
    // Treated like the same code with a failing status, so the retry policy reads it the same.
    error->http_status = error->code == "InternalError" || error->code == "ServiceUnavailable" ||
                                 error->code == "SlowDown"
                             ? 500
                             : 400;
    error->sender_fault = error->http_status < 500;
  }
  return error;
}

bool IsRetryable(const aws::AwsError& error) {
  if (error.code == "SlowDown" || error.code == "Throttling" ||
      error.code == "ThrottlingException" || error.code == "RequestLimitExceeded") {
    return true;
  }
  if (error.http_status == 0)
    return error.code == kConnectionFailedCode || error.code == kTimeoutCode;
  if (error.http_status == 429) return true;
  return error.http_status >= 500 && error.http_status != 501;
}

std::chrono::milliseconds BackoffDelay(int retry, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max, Random& random) {
  constexpr uint64_t kLimit = 0xFFFFFFFEu;  // keeps cap + 1 below 2^32 for the product below
  uint64_t max_ms = static_cast<uint64_t>(std::max<int64_t>(max.count(), 0));
  uint64_t cap = static_cast<uint64_t>(std::max<int64_t>(base.count(), 0));
  for (int i = 0; i < retry && cap < max_ms; ++i) cap *= 2;
  cap = std::min({cap, max_ms, kLimit});
  uint8_t bytes[8];
  random.Fill(bytes, sizeof bytes);
  uint64_t r;
  std::memcpy(&r, bytes, sizeof r);
  // floor((cap + 1) * r / 2^64): uniform over [0, cap], with r's extremes giving 0 and cap.
  uint64_t n = cap + 1;
  uint64_t hi = r >> 32;
  uint64_t lo = r & 0xFFFFFFFFu;
  uint64_t scaled = (n * hi + ((n * lo) >> 32)) >> 32;
  return std::chrono::milliseconds(static_cast<int64_t>(scaled));
}

}  // namespace sagetrail::s3
