// AwsChunkedEncoder: the client side of the aws-chunked coding (AwsChunkedDecoder's inverse), for
// our own S3 client, tests, fuzz seeds and benchmarks. In the signed modes each chunk is signed as
// it is encoded, chaining from the request's signature (see SignStreamingRequest in signer.h).
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/chunk_signature.h"

namespace sagetrail::aws::sigv4 {

class AwsChunkedEncoder {
 public:
  // Unsigned mode only.
  explicit AwsChunkedEncoder(ChunkedMode mode);
  // Any mode; the context is used by the signed ones.
  AwsChunkedEncoder(ChunkedMode mode, ChunkSigningContext context);

  // One chunk carrying `data` (S3 wants at least 8 KiB in every chunk but the last). Empty data
  // is not a chunk: it encodes to nothing.
  std::string EncodeChunk(std::string_view data);
  // The final zero-size chunk, then the trailer (trailer modes; signed in the signed one) and
  // the closing CRLF.
  std::string Finish(const std::vector<TrailerField>& trailer = {});

  // The bytes EncodeChunk adds around `size` bytes of data, and the bytes Finish writes: what
  // Content-Length must count besides the payload.
  static uint64_t ChunkOverhead(ChunkedMode mode, uint64_t size);
  static uint64_t FinishSize(ChunkedMode mode, const std::vector<TrailerField>& trailer);
  // The whole encoded length of a `payload_size` payload sent in `chunk_size` chunks.
  static uint64_t EncodedLength(ChunkedMode mode, uint64_t payload_size, uint64_t chunk_size,
                                const std::vector<TrailerField>& trailer);

  const std::string& previous_signature() const { return previous_; }

 private:
  std::string Header(uint64_t size, const Sha256Digest& data_sha256);

  ChunkedMode mode_;
  ChunkSigningContext context_;
  std::string previous_;
};

}  // namespace sagetrail::aws::sigv4
