#include "aws/protocol/s3_address.h"

#include "common/strings.h"

namespace sagetrail::aws {

namespace {

// The host without its port: "[::1]:80" -> "[::1]", "a.localhost:4566" -> "a.localhost".
std::string_view StripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A region label: lower-case letters, digits and dashes, not empty.
bool IsRegionLabel(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string S3Address::Key() const { return UriDecode(raw_key, false); }

std::string VirtualHostedBucket(std::string_view host_header) {
  std::string host = AsciiLower(Trim(StripPort(Trim(host_header))));
  if (!host.empty() && host.back() == '.') host.pop_back();  // a fully qualified name
  std::string_view h = host;
  auto before = [&](std::string_view suffix) -> std::string {
    return EndsWith(h, suffix) ? std::string(h.substr(0, h.size() - suffix.size())) : "";
  };
  if (EndsWith(h, ".localhost")) return before(".localhost");
  if (EndsWith(h, ".s3.amazonaws.com")) return before(".s3.amazonaws.com");
  constexpr std::string_view kAws = ".amazonaws.com";
  if (!EndsWith(h, kAws)) return {};
  std::string_view rest = h.substr(0, h.size() - kAws.size());  // "<bucket>.s3.<region>"
  size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string_view last = rest.substr(dot + 1);  // "s3-<region>", or "<region>"
  std::string_view bucket_part = rest.substr(0, dot);
  if (last.rfind("s3-", 0) == 0 && IsRegionLabel(last.substr(3))) return std::string(bucket_part);
  if (!IsRegionLabel(last)) return {};
  if (EndsWith(bucket_part, ".s3"))
    return std::string(bucket_part.substr(0, bucket_part.size() - 3));
  return {};
}

S3Address ParseS3Address(const http::Request& request) {
  S3Address a;
  std::string_view path = request.path();
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string host_bucket = VirtualHostedBucket(request.HeaderOr("host"));
  if (!host_bucket.empty()) {
    a.bucket = std::move(host_bucket);
    a.raw_key = std::string(path);
    a.virtual_hosted = true;
    return a;
  }
  size_t slash = path.find('/');
  a.bucket = UriDecode(path.substr(0, slash), false);
  if (slash != std::string_view::npos && !a.bucket.empty()) {
    a.raw_key = std::string(path.substr(slash + 1));
  }
  return a;
}

}  // namespace sagetrail::aws
