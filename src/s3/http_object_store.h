// HttpObjectStore: an ObjectStore on an external S3-compatible endpoint (AWS S3, MinIO, moto, ...),
// spoken to over libcurl with path-style URLs (<endpoint>/<bucket>/<key>), every request signed
// by our own SigV4 signer with a signed payload hash (a file's is computed in a first read of it,
// then the file is streamed; nothing is loaded whole into memory but GetObject's answer).
//
// Failures that may pass (connection failures, timeouts, 5xx but 501, 429, SlowDown/Throttling)
// are retried up to `max_retries` times with exponentially growing, fully jittered waits; no other
// 4xx is. Errors are S3's own (see s3_wire.h for the ones of ours, which have http_status 0).
//
// Thread-safe: each call takes a curl handle of its own from a small pool (handles keep their
// connections open for the next call).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "http/http_message.h"
#include "s3/object_store.h"

namespace sagetrail::s3 {

struct HttpObjectStoreOptions {
  // "http://host:port" or "https://host[:port]", optionally with a path the bucket paths go
  // under ("https://host/s3"). No query, no user info.
  std::string endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials; empty for long-term ones
  std::string region = "us-east-1";

  // PutObjectFromFile uploads files larger than this in parts of `part_size` (the last one
  // shorter); the part size grows when the file would need more than 10,000 parts. S3 refuses
  // parts below 5 MiB but the last.
  uint64_t multipart_threshold = 16 * 1024 * 1024;
  uint64_t part_size = 8 * 1024 * 1024;

  int max_retries = 4;  // attempts after the first
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_max{20'000};

  std::chrono::milliseconds connect_timeout{10'000};
  // A transfer during which no byte moved for this long fails (RequestTimeout); whole seconds.
  std::chrono::milliseconds idle_timeout{60'000};
  // A bound on each attempt as a whole; 0 for none (transfers of large objects take long).
  std::chrono::milliseconds request_timeout{0};
  std::string ca_file;  // PEM bundle to verify an https endpoint against; empty: the system's
  // (No proxy: the environment's http_proxy/https_proxy variables are not followed.)

  // Seams for tests. Each must be thread-safe and outlive the store; null/empty: the real ones.
  std::function<void(std::chrono::milliseconds)> sleeper;  // waits between attempts
  Random* random = nullptr;                                // jitter, temporary file names
  const Clock* clock = nullptr;                            // the signing time
};

class HttpObjectStore final : public ObjectStore {
 public:
  // Refuses an endpoint that is not an http(s) URL, an empty access key, a part size of 0.
  static Result<std::unique_ptr<HttpObjectStore>> Create(HttpObjectStoreOptions options);
  ~HttpObjectStore() override;
  HttpObjectStore(const HttpObjectStore&) = delete;
  HttpObjectStore& operator=(const HttpObjectStore&) = delete;

  Result<std::string, aws::AwsError> PutObject(std::string_view bucket, std::string_view key,
                                               std::string_view body,
                                               const PutOptions& options) override;
  Result<std::string, aws::AwsError> PutObjectFromFile(std::string_view bucket,
                                                       std::string_view key,
                                                       const std::filesystem::path& file,
                                                       const PutOptions& options) override;
  Result<std::string, aws::AwsError> GetObject(std::string_view bucket,
                                               std::string_view key) override;
  // Written to a temporary file next to `file` (".<name>.part-<random>"), renamed over `file`
  // once whole; on failure `file` is left as it was.
  Result<ObjectInfo, aws::AwsError> GetObjectToFile(std::string_view bucket, std::string_view key,
                                                    const std::filesystem::path& file) override;
  // A 404 is NoSuchKey (a HEAD answer has no body to say NoSuchBucket).
  Result<ObjectInfo, aws::AwsError> HeadObject(std::string_view bucket,
                                               std::string_view key) override;
  // ListObjectsV2 (encoding-type=url, keys decoded).
  Result<ListPage, aws::AwsError> ListObjects(std::string_view bucket,
                                              const ListOptions& options) override;
  // True once the endpoint accepted the delete (S3 does not say whether the key existed).
  Result<bool, aws::AwsError> DeleteObject(std::string_view bucket, std::string_view key) override;

  // Internal (defined in the .cc): one S3 request (method, path, headers, body source and sink)
  // and its answer.
  struct Call;
  struct Reply;

 private:
  struct Endpoint {
    std::string scheme;     // "http" or "https"
    std::string authority;  // host[:port] as given, sent as Host
    std::string path;       // without a trailing slash; usually empty
  };
  HttpObjectStore(HttpObjectStoreOptions options, Endpoint endpoint);

  // Sends `call`, retrying what may pass; a non-2xx answer becomes its error.
  Result<Reply, aws::AwsError> Execute(Call& call);
  Result<Reply, aws::AwsError> Attempt(Call& call);
  // Uploads `size` bytes of `fd` in parts; `headers` go with CreateMultipartUpload.
  Result<std::string, aws::AwsError> PutMultipart(std::string_view bucket, std::string_view key,
                                                  int fd, uint64_t size,
                                                  std::vector<http::Header> headers,
                                                  const std::string& file_name);

  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  HttpObjectStoreOptions options_;
  Endpoint endpoint_;
  std::unique_ptr<Random> own_random_;
  std::unique_ptr<Clock> own_clock_;
  Random* random_;
  const Clock* clock_;

  std::mutex mu_;
  std::vector<void*> idle_handles_;  // CURL*, guarded by mu_
};

}  // namespace sagetrail::s3
