// S3's errors, with the codes, HTTP statuses, texts and extra elements S3 answers with.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/aws_error.h"

namespace sagetrail::s3::errors {

inline aws::AwsError Make(std::string code, std::string message, int status) {
  return aws::AwsError{std::move(code), std::move(message), status, status < 500};
}

inline aws::AwsError NoSuchBucket(std::string_view bucket) {
  auto e = Make("NoSuchBucket", "The specified bucket does not exist", 404);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError NoSuchKey(std::string_view key) {
  auto e = Make("NoSuchKey", "The specified key does not exist.", 404);
  e.extra.push_back({"Key", std::string(key)});
  return e;
}
inline aws::AwsError NoSuchUpload(std::string_view upload_id) {
  auto e = Make("NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload "
                "may have been aborted or completed.",
                404);
  e.extra.push_back({"UploadId", std::string(upload_id)});
  return e;
}
inline aws::AwsError BucketAlreadyOwnedByYou(std::string_view bucket) {
  auto e = Make("BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own "
                "it.",
                409);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError BucketAlreadyExists(std::string_view bucket) {
  auto e = Make("BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all "
                "users of the system. Please select a different name and try again.",
                409);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError BucketNotEmpty(std::string_view bucket) {
  auto e = Make("BucketNotEmpty", "The bucket you tried to delete is not empty", 409);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError InvalidBucketName(std::string_view bucket) {
  auto e = Make("InvalidBucketName", "The specified bucket is not valid.", 400);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError NoSuchBucketPolicy(std::string_view bucket) {
  auto e = Make("NoSuchBucketPolicy", "The bucket policy does not exist", 404);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError NoSuchTagSet(std::string_view bucket) {
  auto e = Make("NoSuchTagSet", "The TagSet does not exist", 404);
  e.extra.push_back({"BucketName", std::string(bucket)});
  return e;
}
inline aws::AwsError MalformedXml() {
  return Make("MalformedXML",
              "The XML you provided was not well-formed or did not validate against our "
              "published schema",
              400);
}
inline aws::AwsError InvalidArgument(std::string message, std::string_view name,
                                     std::string_view value) {
  auto e = Make("InvalidArgument", std::move(message), 400);
  e.extra.push_back({"ArgumentName", std::string(name)});
  e.extra.push_back({"ArgumentValue", std::string(value)});
  return e;
}
inline aws::AwsError InvalidRequest(std::string message) {
  return Make("InvalidRequest", std::move(message), 400);
}
inline aws::AwsError InvalidRange(std::string_view requested, uint64_t size) {
  auto e = Make("InvalidRange", "The requested range is not satisfiable", 416);
  e.extra.push_back({"RangeRequested", std::string(requested)});
  e.extra.push_back({"ActualObjectSize", std::to_string(size)});
  return e;
}
inline aws::AwsError PreconditionFailed(std::string_view condition) {
  auto e = Make("PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold", 412);
  e.extra.push_back({"Condition", std::string(condition)});
  return e;
}
inline aws::AwsError NotModified() { return Make("NotModified", "Not Modified", 304); }
inline aws::AwsError BadDigest(std::string message) {
  return Make("BadDigest", std::move(message), 400);
}
inline aws::AwsError InvalidDigest() {
  return Make("InvalidDigest", "The Content-MD5 you specified was invalid.", 400);
}
inline aws::AwsError KeyTooLong(size_t size) {
  auto e = Make("KeyTooLongError", "Your key is too long", 400);
  e.extra.push_back({"Size", std::to_string(size)});
  e.extra.push_back({"MaxSizeAllowed", "1024"});
  return e;
}
inline aws::AwsError InternalError() {
  return Make("InternalError", "We encountered an internal error. Please try again.", 500);
}

}  // namespace sagetrail::s3::errors
