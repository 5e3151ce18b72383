// ObjectStore: how the server's own parts (trail delivery, training) read and write S3 objects,
// whatever holds them: the embedded store (through the internal entry, audited like any call) or
// an external S3-compatible endpoint (HttpObjectStore, over libcurl, signed by our own signer).
// Errors are S3's: `code` is the S3 error code ("NoSuchBucket", "AccessDenied", ...), which a
// trail reports as its LatestDeliveryError.
//
// Every call blocks until the store answered; call from background threads only (never from an
// HTTP worker or the commit writer). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_error.h"
#include "common/clock.h"
#include "common/result.h"

namespace sagetrail::s3 {

// What a PutObject stores besides the bytes.
struct PutOptions {
  std::string content_type;                     // empty: binary/octet-stream
  std::string content_encoding;                 // e.g. "gzip"; empty: none
  std::map<std::string, std::string> metadata;  // x-amz-meta-<name>, names lower case
  std::string acl;                              // x-amz-acl, e.g. "bucket-owner-full-control"
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // quoted, as S3 returns it
  TimePoint last_modified;
  std::string content_type;
  std::string content_encoding;
  std::map<std::string, std::string> metadata;
};

struct ListPage {
  std::vector<ObjectInfo> objects;    // key, size, etag, last_modified only
  std::vector<std::string> prefixes;  // common prefixes, when a delimiter was given
  // Set when the listing goes on: an opaque token, to pass as ListOptions::continuation for the
  // next page.
  std::optional<std::string> next;
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  std::string after;         // list keys after this one (S3's start-after)
  std::string continuation;  // a previous page's `next` (then `after` no longer matters)
  int max_keys = 1000;       // at most this many keys and prefixes in the page
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores `body` under bucket/key; returns the object's ETag.
  virtual Result<std::string, aws::AwsError> PutObject(std::string_view bucket,
                                                       std::string_view key, std::string_view body,
                                                       const PutOptions& options) = 0;
  // Stores the contents of `file`, streamed (multipart above the store's threshold); returns the
  // object's ETag.
  virtual Result<std::string, aws::AwsError> PutObjectFromFile(std::string_view bucket,
                                                               std::string_view key,
                                                               const std::filesystem::path& file,
                                                               const PutOptions& options) = 0;
  // The whole object in memory (for small objects: digests, manifests).
  virtual Result<std::string, aws::AwsError> GetObject(std::string_view bucket,
                                                       std::string_view key) = 0;
  // Streams the object into `file` (created or truncated).
  virtual Result<ObjectInfo, aws::AwsError> GetObjectToFile(std::string_view bucket,
                                                            std::string_view key,
                                                            const std::filesystem::path& file) = 0;
  virtual Result<ObjectInfo, aws::AwsError> HeadObject(std::string_view bucket,
                                                       std::string_view key) = 0;
  virtual Result<ListPage, aws::AwsError> ListObjects(std::string_view bucket,
                                                      const ListOptions& options) = 0;
  // True once the store accepted the delete; deleting a key that does not exist succeeds too.
  virtual Result<bool, aws::AwsError> DeleteObject(std::string_view bucket,
                                                   std::string_view key) = 0;
};

}  // namespace sagetrail::s3
