// The records of the embedded S3: buckets, objects and multipart uploads as the server keeps
// them (in memory for the request path; durable as JSON documents through S3StateCodec).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace sagetrail::s3 {

using Tags = std::vector<std::pair<std::string, std::string>>;

// A run of an object's bytes: the whole blob `blob` (BlobFiles), `size` bytes.
struct Extent {
  std::string blob;
  uint64_t size = 0;
};

// What S3 stores and returns with an object's bytes (PutObject's headers).
struct ObjectHeaders {
  std::string content_type;
  std::string content_encoding;
  std::string content_disposition;
  std::string content_language;
  std::string cache_control;
  std::string expires;                          // as given
  std::map<std::string, std::string> metadata;  // x-amz-meta-<name>: names lower case
  // Flexible checksums of the whole object: algorithm ("CRC32", ...) -> base64 value.
  std::map<std::string, std::string> checksums;
};

struct StoredObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // quoted: "\"<md5 hex>\"" or "\"<md5 of md5s>-<parts>\""
  TimePoint last_modified;
  std::vector<Extent> extents;  // one per part; empty for an empty object
  ObjectHeaders headers;
  Tags tags;
  std::string owner;    // account id of the uploader
  int parts_count = 0;  // parts of a multipart upload; 0 for a single PUT
  // Sizes of the parts, for GetObject/HeadObject partNumber (multipart only).
};

struct Bucket {
  std::string name;
  std::string region;
  std::string owner;  // account id
  TimePoint created;
  std::string policy;  // the bucket policy's text; empty when none
  // The unique ids the IAM users and roles the policy names had when it was saved (ARN -> id).
  std::map<std::string, std::string> policy_principal_ids;
  std::string acl = "private";  // the canned ACL it was created or last set with
  Tags tags;
  bool has_tags = false;  // GetBucketTagging answers NoSuchTagSet until tags are put
  std::map<std::string, StoredObject> objects;  // by key, in the order of its UTF-8 bytes
};

struct UploadedPart {
  int number = 0;
  uint64_t size = 0;
  std::string etag;  // quoted md5 hex
  std::string blob;
  TimePoint last_modified;
  std::map<std::string, std::string> checksums;
};

struct MultipartUpload {
  std::string id;
  std::string bucket;
  std::string key;
  TimePoint initiated;
  std::string owner;  // account id of the initiator
  std::string initiator_arn;
  ObjectHeaders headers;  // what the completed object will carry
  Tags tags;
  std::string checksum_algorithm;  // requested at creation ("CRC32", ...), or empty
  std::map<int, UploadedPart> parts;
};

}  // namespace sagetrail::s3
