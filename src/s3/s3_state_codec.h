// S3StateCodec: the durable form of the embedded S3's records, one JSON document per entity in
// the state family:
//   s3/bucket/<bucket>               a bucket (without its objects)
//   s3/object/<bucket>/<key>         an object (bucket names hold no '/', keys may)
//   s3/upload/<upload id>            a multipart upload in progress, with its parts
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "s3/s3_types.h"

namespace sagetrail::s3 {

class S3StateCodec {
 public:
  static constexpr std::string_view kBucketPrefix = "s3/bucket/";
  static constexpr std::string_view kObjectPrefix = "s3/object/";
  static constexpr std::string_view kUploadPrefix = "s3/upload/";

  static std::string BucketKey(std::string_view bucket);
  static std::string ObjectKey(std::string_view bucket, std::string_view key);
  static std::string UploadKey(std::string_view upload_id);

  static std::string EncodeBucket(const Bucket& b);
  static Result<Bucket> DecodeBucket(std::string_view text);
  // `bucket` is the bucket the object belongs to (from its state key).
  static std::string EncodeObject(const StoredObject& o);
  static Result<StoredObject> DecodeObject(std::string_view text);
  static std::string EncodeUpload(const MultipartUpload& u);
  static Result<MultipartUpload> DecodeUpload(std::string_view text);
};

}  // namespace sagetrail::s3
