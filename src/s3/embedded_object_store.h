// EmbeddedObjectStore: the ObjectStore of the embedded S3, reached through the internal entry
// (aws::InternalInvoker) so that every read and write is authorized (a service principal by the
// bucket's policy) and recorded like a call from the network, in the same commit as its change.
// Bodies of files are spooled in pieces, never held whole in memory.
//
// Blocking: call from background threads only (never from an HTTP worker or the commit writer,
// which the call waits for). Thread-safe.
#pragma once

#include <filesystem>
#include <functional>

#include "aws/internal_invoker.h"
#include "common/random.h"
#include "s3/object_store.h"

namespace sagetrail::s3 {

class EmbeddedObjectStore final : public ObjectStore {
 public:
  // `make_call(operation, input)`: the internal call to make (who calls, in which account and
  // region, recorded how), e.g. InternalCall::AsService("cloudtrail.amazonaws.com", "s3", ...).
  // `spool_dir`: where file bodies are spooled (the embedded S3's temporary directory).
  using CallFactory =
      std::function<aws::InternalCall(std::string operation, boost::json::value input)>;
  EmbeddedObjectStore(aws::InternalInvoker& invoker, CallFactory make_call,
                      std::filesystem::path spool_dir, Random& random);

  Result<std::string, aws::AwsError> PutObject(std::string_view bucket, std::string_view key,
                                               std::string_view body,
                                               const PutOptions& options) override;
  Result<std::string, aws::AwsError> PutObjectFromFile(std::string_view bucket,
                                                       std::string_view key,
                                                       const std::filesystem::path& file,
                                                       const PutOptions& options) override;
  Result<std::string, aws::AwsError> GetObject(std::string_view bucket,
                                               std::string_view key) override;
  Result<ObjectInfo, aws::AwsError> GetObjectToFile(std::string_view bucket, std::string_view key,
                                                    const std::filesystem::path& file) override;
  Result<ObjectInfo, aws::AwsError> HeadObject(std::string_view bucket,
                                               std::string_view key) override;
  Result<ListPage, aws::AwsError> ListObjects(std::string_view bucket,
                                              const ListOptions& options) override;
  Result<bool, aws::AwsError> DeleteObject(std::string_view bucket, std::string_view key) override;

 private:
  aws::InternalResult Call(aws::InternalCall call);
  Result<std::string, aws::AwsError> Put(std::string_view bucket, std::string_view key,
                                         const PutOptions& options, std::string body,
                                         std::shared_ptr<http::BodySink> streamed);

  aws::InternalInvoker& invoker_;
  CallFactory make_call_;
  std::filesystem::path spool_dir_;
  Random& random_;
};

}  // namespace sagetrail::s3
