// UploadSpool: the body of a streaming-blob operation (S3 PutObject, UploadPart), written to a
// temporary file as it arrives instead of being held in memory. The HTTP layer feeds it in
// bounded pieces (it is an http::BodySink); while they pass, it computes what the call needs
// without reading the file again: the SHA-256 of the body as sent (for the signature, unless
// the client left the payload unsigned), the MD5 of the payload (S3's ETag) and its size.
//
// An aws-chunked body (x-amz-content-sha256 STREAMING-...) is decoded on the way: the file holds
// the payload, and the decoder keeps each chunk's signature and data hash for the pipeline to
// verify once the request's own signature is known good (decoder()). A flexible checksum the
// client announced (x-amz-checksum-<alg> header, or a trailer named by x-amz-trailer) is computed
// over the payload and compared at Finish; S3's BadDigest when it differs.
//
// The pipeline reads its verdict (`error()`) and its hash; the service then takes the file
// (Release) and moves it into place. A spool whose file was not released removes it when
// destroyed. Not thread-safe: fed on one connection's thread, then handed to one request.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/sigv4/aws_chunked_decoder.h"
#include "common/checksum.h"
#include "common/crypto.h"
#include "common/random.h"
#include "http/http_message.h"

namespace sagetrail::aws {

class UploadSpool final : public http::BodySink {
 public:
  // A spool for the body of `head`, in a new file under `dir`.
  UploadSpool(const std::filesystem::path& dir, const http::Request& head, Random& random);
  ~UploadSpool() override;
  UploadSpool(const UploadSpool&) = delete;
  UploadSpool& operator=(const UploadSpool&) = delete;

  void Append(std::string_view bytes) override;
  void Finish() override;

  // Set when the body cannot be used: the file could not be written, the body ended early.
  const std::optional<AwsError>& error() const { return error_; }
  // The hex SHA-256 of the body as received; empty when the client did not sign the payload
  // (x-amz-content-sha256 UNSIGNED-PAYLOAD or STREAMING-...), which needs no hash.
  const std::string& sha256_hex() const { return sha256_hex_; }
  // Of the payload.
  uint64_t size() const { return size_; }
  const std::array<uint8_t, 16>& md5() const { return md5_; }
  const std::filesystem::path& path() const { return path_; }
  // The aws-chunked decoder, when the body was aws-chunked (its chunks and trailer).
  const sigv4::AwsChunkedDecoder* decoder() const { return decoder_.get(); }
  // The flexible checksum of the payload ("CRC32" -> base64), when the client announced one.
  const std::optional<std::pair<std::string, std::string>>& checksum() const { return checksum_; }

  // Hands the file over to the caller, who moves or deletes it.
  std::filesystem::path Release();

 private:
  void Consume(std::string_view payload);
  void Fail(AwsError error);

  std::filesystem::path path_;
  int fd_ = -1;
  bool released_ = false;
  bool finished_ = false;
  bool hash_body_ = true;
  std::unique_ptr<Sha256Hasher> sha256_;
  std::unique_ptr<Md5Hasher> md5_hasher_;
  std::unique_ptr<sigv4::AwsChunkedDecoder> decoder_;
  std::optional<ChecksumAlgorithm> checksum_algorithm_;
  std::string checksum_expected_;  // from the header; empty: from the trailer
  std::unique_ptr<Checksummer> checksummer_;
  std::optional<std::pair<std::string, std::string>> checksum_;
  uint64_t declared_decoded_size_ = 0;
  bool has_declared_decoded_size_ = false;
  std::string sha256_hex_;
  std::array<uint8_t, 16> md5_{};
  uint64_t size_ = 0;
  std::optional<AwsError> error_;
};

}  // namespace sagetrail::aws
