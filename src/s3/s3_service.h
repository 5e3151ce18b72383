// S3Service: the embedded S3 (buckets, objects, multipart uploads, bucket policies, tags) as an
// aws::Service behind the rest-xml codec. Its state is one global bucket namespace (bucket names
// are unique across accounts, as in S3) kept in memory under one mutex and made durable through
// the call's mutations (S3StateCodec); object bytes are blobs (BlobFiles) that a call moves into
// place before its metadata is committed, so a crash leaves an object either whole or absent.
//
// Traits: bucket-level calls are management events, object-level calls data events (never in
// Event history); records carry S3's requestParameters (bucketName, Host, key, the query's
// subresources) and additionalEventData, and list the bucket and object they touch.
//
// Thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aws/service.h"
#include "common/clock.h"
#include "common/random.h"
#include "s3/blob_files.h"
#include "s3/s3_types.h"
#include "store/state_reader.h"

namespace sagetrail::s3 {

class S3Service final : public aws::Service {
 public:
  S3Service(const Clock& clock, Random& random, BlobFiles& blobs);

  // Loads every stored bucket, object and upload, then removes blobs no metadata names and
  // every temporary left by an interrupted request.
  Status Load(const store::StateReader& state);

  std::string_view name() const override { return "s3"; }
  bool Implements(std::string_view operation) const override;

  // Traits.
  bool IsReadOnly(std::string_view operation) const override;
  bool IsDataEvent(std::string_view operation) const override;
  bool LogsResponse(std::string_view) const override { return false; }
  bool ListsResources(std::string_view) const override { return true; }
  std::optional<std::string> RequestParametersText(const aws::RequestContext& ctx) const override;
  std::optional<std::string> AdditionalEventDataText(const aws::RequestContext& ctx) const override;

  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  // Checks a bucket policy when it is saved: nullopt and the unique ids of the IAM principals it
  // names (ARN -> id), or S3's MalformedPolicy message. Given by the server (IAM's validator);
  // without one, any JSON object is accepted.
  using PolicyChecker = std::function<Result<std::map<std::string, std::string>, std::string>(
      std::string_view text, std::string_view bucket)>;
  void SetPolicyChecker(PolicyChecker checker) { policy_checker_ = std::move(checker); }

  // The region of a bucket, if it exists (for other services' checks, e.g. a trail's bucket).
  std::optional<std::string> BucketRegion(std::string_view bucket) const;

 private:
  using Handler = Result<boost::json::value, aws::AwsError> (S3Service::*)(aws::RequestContext&);
  static const std::unordered_map<std::string_view, Handler>& Handlers();

  // Buckets.
  Result<boost::json::value, aws::AwsError> CreateBucket(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> HeadBucket(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteBucket(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> ListBuckets(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetBucketLocation(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutBucketPolicy(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetBucketPolicy(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteBucketPolicy(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetBucketAcl(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutBucketAcl(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetBucketVersioning(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutBucketVersioning(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutBucketTagging(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetBucketTagging(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteBucketTagging(aws::RequestContext& ctx);
  // Objects.
  Result<boost::json::value, aws::AwsError> PutObject(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetObject(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> HeadObject(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteObject(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteObjects(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> CopyObject(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> ListObjects(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> ListObjectsV2(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutObjectTagging(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetObjectTagging(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> DeleteObjectTagging(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetObjectAcl(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> PutObjectAcl(aws::RequestContext& ctx);
  // Multipart uploads.
  Result<boost::json::value, aws::AwsError> CreateMultipartUpload(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> UploadPart(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> UploadPartCopy(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> CompleteMultipartUpload(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> AbortMultipartUpload(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> ListParts(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> ListMultipartUploads(aws::RequestContext& ctx);

  // Under mu_: the bucket a call names, or NoSuchBucket.
  Result<Bucket*, aws::AwsError> FindBucket(std::string_view name);
  // Under mu_: records the bucket's new state (or its deletion) in the call's mutations.
  void SaveBucket(aws::RequestContext& ctx, const Bucket& b) const;
  void SaveObject(aws::RequestContext& ctx, const Bucket& b, const StoredObject& o) const;
  void DropObject(aws::RequestContext& ctx, const Bucket& b, std::string_view key) const;
  void SaveUpload(aws::RequestContext& ctx, const MultipartUpload& u) const;
  void DropUpload(aws::RequestContext& ctx, std::string_view id) const;
  // Once the call is durable, the blobs it no longer names are removed.
  void RemoveBlobsAfterCommit(aws::RequestContext& ctx, std::vector<std::string> blobs) const;
  // The object listing shared by ListObjects and ListObjectsV2.
  struct Listing;
  Listing List(const Bucket& b, std::string_view prefix, std::string_view delimiter,
               std::string_view after, int max_keys) const;

  const Clock& clock_;
  Random& random_;
  PolicyChecker policy_checker_;
  BlobFiles& blobs_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;                     // guarded by mu_
  std::unordered_map<std::string, MultipartUpload> uploads_;  // guarded by mu_
};

}  // namespace sagetrail::s3
