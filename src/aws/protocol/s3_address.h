// S3Address: which bucket and key an S3 request names, path-style ("/bucket/key") or
// virtual-hosted ("bucket.s3.amazonaws.com/key"). The rest-xml codec routes by it, and the S3
// service can read the same answer from a request head. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/http_message.h"

namespace sagetrail::aws {

struct S3Address {
  std::string bucket;   // decoded; empty for the service itself (ListBuckets)
  std::string raw_key;  // the object key as sent, still percent-encoded; empty for a bucket
  bool virtual_hosted = false;

  // The key with its percent-encoding decoded ('+' stays a plus: it is a path).
  std::string Key() const;
};

// The bucket a virtual-hosted Host names: "<bucket>.localhost", "<bucket>.s3.amazonaws.com",
// "<bucket>.s3.<region>.amazonaws.com" or "<bucket>.s3-<region>.amazonaws.com" (any port, any
// case); empty when `host` is none of these (path-style).
std::string VirtualHostedBucket(std::string_view host);

// The bucket and key `request` addresses. In path-style requests the bucket is the first path
// segment and the key everything after the slash that ends it; in virtual-hosted ones the key is
// the whole path after its first slash. Keys are opaque: "a/./b", "..x" and "/abs" (from
// "//abs") come through as sent.
S3Address ParseS3Address(const http::Request& request);

}  // namespace sagetrail::aws
