// AwsChunkedDecoder: AWS's documented body, every way of splitting a body into pieces, and each
// malformation it must refuse.
#include "aws/sigv4/aws_chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/sigv4/aws_chunked_encoder.h"
#include "aws/sigv4/canonical_request.h"
#include "common/crypto.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr char kSig1[] = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr char kSig2[] = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr char kSig3[] = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
const std::string kAnySig(64, 'a');

// The body of AWS's chunked-upload example: 66560 bytes of 'a' in chunks of 64 KiB and 1 KiB.
std::string AwsExampleBody() {
  return "10000;chunk-signature=" + std::string(kSig1) + "\r\n" + std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature=" + kSig2 + "\r\n" + std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=" + kSig3 + "\r\n\r\n";
}

struct Decoded {
  Status status;        // of the first failing call, Finish included
  std::string payload;  // what the callback received
  size_t calls = 0;
};

// Feeds `body` in pieces of `step` bytes (the whole body at once when 0), then finishes.
Decoded Decode(AwsChunkedDecoder& d, std::string_view body, size_t step = 0) {
  Decoded out;
  auto sink = [&out](std::string_view piece) {
    EXPECT_FALSE(piece.empty());
    out.payload.append(piece);
    ++out.calls;
  };
  if (step == 0) step = body.size() + 1;
  for (size_t off = 0; off < body.size(); off += step) {
    out.status = d.Feed(body.substr(off, step), sink);
    if (!out.status.ok()) return out;
  }
  out.status = d.Finish();
  return out;
}

Decoded Decode(ChunkedMode mode, std::string_view body, size_t step = 0) {
  AwsChunkedDecoder d(mode);
  return Decode(d, body, step);
}

// The failure message of decoding `body`, or "" if it decodes.
std::string ErrorOf(ChunkedMode mode, std::string_view body, ChunkedLimits limits = {}) {
  AwsChunkedDecoder d(mode, limits);
  Decoded r = Decode(d, body);
  return r.status.ok() ? "" : r.status.message();
}

TEST(AwsChunkedDecoderTest, ParsesModes) {
  EXPECT_EQ(ParseChunkedMode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ChunkedMode::kSignedPayload);
  EXPECT_EQ(ParseChunkedMode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
            ChunkedMode::kSignedPayloadTrailer);
  EXPECT_EQ(ParseChunkedMode("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            ChunkedMode::kUnsignedPayloadTrailer);
  EXPECT_FALSE(ParseChunkedMode("UNSIGNED-PAYLOAD").has_value());
  EXPECT_FALSE(ParseChunkedMode("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD").has_value());
  EXPECT_FALSE(ParseChunkedMode("streaming-aws4-hmac-sha256-payload").has_value());
  for (ChunkedMode m : {ChunkedMode::kSignedPayload, ChunkedMode::kSignedPayloadTrailer,
                        ChunkedMode::kUnsignedPayloadTrailer}) {
    EXPECT_EQ(ParseChunkedMode(ChunkedModeName(m)), m);
  }
}

TEST(AwsChunkedDecoderTest, DecodesAwsExample) {
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload);
  Decoded r = Decode(d, AwsExampleBody());
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(d.done());
  EXPECT_EQ(r.payload, std::string(66560, 'a'));
  EXPECT_EQ(d.decoded_size(), 66560u);
  ASSERT_EQ(d.chunks().size(), 3u);
  EXPECT_EQ(d.chunk_count(), 3u);
  EXPECT_EQ(d.chunks()[0].size, 65536u);
  EXPECT_EQ(d.chunks()[0].signature, kSig1);
  // The chunk hash AWS's example string to sign shows.
  EXPECT_EQ(HexEncode(d.chunks()[0].data_sha256),
            "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a");
  EXPECT_EQ(d.chunks()[1].size, 1024u);
  EXPECT_EQ(d.chunks()[1].signature, kSig2);
  EXPECT_EQ(d.chunks()[1].data_sha256, Sha256(std::string(1024, 'a')));
  EXPECT_EQ(d.chunks()[2].size, 0u);
  EXPECT_EQ(d.chunks()[2].signature, kSig3);
  EXPECT_EQ(d.chunks()[2].data_sha256, Sha256(""));
  EXPECT_TRUE(d.trailer().empty());
  EXPECT_TRUE(d.trailer_signature().empty());
}

TEST(AwsChunkedDecoderTest, DecodesWhatBotocoreSends) {
  // botocore's unsigned trailer form: CRC32 of "hello" is 0x3610a686.
  std::string body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  AwsChunkedDecoder d(ChunkedMode::kUnsignedPayloadTrailer);
  Decoded r = Decode(d, body);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.payload, "hello");
  ASSERT_EQ(d.trailer().size(), 1u);
  EXPECT_EQ(d.trailer()[0].name, "x-amz-checksum-crc32");
  EXPECT_EQ(d.trailer()[0].value, "NhCmhg==");
  ASSERT_NE(d.FindTrailer("X-Amz-Checksum-CRC32"), nullptr);
  EXPECT_EQ(*d.FindTrailer("x-amz-checksum-crc32"), "NhCmhg==");
  EXPECT_EQ(d.FindTrailer("x-amz-checksum-sha256"), nullptr);
  ASSERT_EQ(d.chunks().size(), 2u);
  EXPECT_TRUE(d.chunks()[0].signature.empty());
}

TEST(AwsChunkedDecoderTest, EmptyPayloadAndUpperCaseHex) {
  Decoded r = Decode(ChunkedMode::kUnsignedPayloadTrailer, "0\r\n\r\n");
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.calls, 0u);
  r = Decode(ChunkedMode::kUnsignedPayloadTrailer, "0A\r\n0123456789\r\n00\r\n\r\n");
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.payload, "0123456789");
}

// Bodies of each mode, encoded by our encoder, decode the same whatever the pieces they arrive in.
TEST(AwsChunkedDecoderTest, SplittingAtEveryOffsetGivesTheSameResult) {
  std::string payload;
  for (int i = 0; i < 100; ++i) payload.push_back(static_cast<char>('A' + i % 26));
  ChunkSigningContext ctx{SigningKey("secret", "20130524", "us-east-1", "s3"), "20130524T000000Z",
                          "20130524/us-east-1/s3/aws4_request", kSig1};
  for (ChunkedMode mode : {ChunkedMode::kSignedPayload, ChunkedMode::kSignedPayloadTrailer,
                           ChunkedMode::kUnsignedPayloadTrailer}) {
    AwsChunkedEncoder enc(mode, ctx);
    std::string body = enc.EncodeChunk(std::string_view(payload).substr(0, 40));
    body += enc.EncodeChunk(std::string_view(payload).substr(40, 33));
    body += enc.EncodeChunk(std::string_view(payload).substr(73));
    body += enc.Finish({{"x-amz-checksum-crc32c", "AAAAAA=="}});
    AwsChunkedDecoder whole(mode);
    Decoded expected = Decode(whole, body);
    ASSERT_TRUE(expected.status.ok()) << ChunkedModeName(mode) << ": " << expected.status.message();
    ASSERT_EQ(expected.payload, payload);
    ASSERT_EQ(whole.chunks().size(), 4u);
    for (size_t cut = 0; cut <= body.size(); ++cut) {
      AwsChunkedDecoder d(mode);
      std::string got;
      auto sink = [&got](std::string_view p) { got.append(p); };
      ASSERT_TRUE(d.Feed(std::string_view(body).substr(0, cut), sink).ok()) << cut;
      ASSERT_TRUE(d.Feed(std::string_view(body).substr(cut), sink).ok()) << cut;
      ASSERT_TRUE(d.Finish().ok()) << cut;
      ASSERT_EQ(got, payload) << cut;
      ASSERT_EQ(d.chunks().size(), whole.chunks().size()) << cut;
      for (size_t i = 0; i < d.chunks().size(); ++i) {
        EXPECT_EQ(d.chunks()[i].size, whole.chunks()[i].size);
        EXPECT_EQ(d.chunks()[i].signature, whole.chunks()[i].signature);
        EXPECT_EQ(d.chunks()[i].data_sha256, whole.chunks()[i].data_sha256);
      }
      EXPECT_EQ(d.trailer_signature(), whole.trailer_signature());
      EXPECT_EQ(d.trailer().size(), whole.trailer().size());
    }
    Decoded bytewise = Decode(mode, body, 1);
    EXPECT_TRUE(bytewise.status.ok()) << bytewise.status.message();
    EXPECT_EQ(bytewise.payload, payload);
  }
}

TEST(AwsChunkedDecoderTest, HashesChunksOnlyInSignedModes) {
  AwsChunkedDecoder d(ChunkedMode::kUnsignedPayloadTrailer);
  ASSERT_TRUE(Decode(d, "3\r\nabc\r\n0\r\n\r\n").status.ok());
  EXPECT_EQ(d.chunks()[0].data_sha256, Sha256Digest{});
}

TEST(AwsChunkedDecoderTest, MalformedSizeLines) {
  const auto unsigned_mode = ChunkedMode::kUnsignedPayloadTrailer;
  for (std::string body : {"\r\n", "zz\r\n", " 5\r\nhello\r\n", "5 \r\nhello\r\n",
                           "+5\r\nhello\r\n", "0x5\r\nhello\r\n", "10000000000000000\r\n"}) {
    EXPECT_NE(ErrorOf(unsigned_mode, body).find("size line of chunk 1 is malformed"),
              std::string::npos)
        << body;
  }
  EXPECT_NE(ErrorOf(unsigned_mode, "3\r\nabc\r\nq\r\n").find("size line of chunk 2 is malformed"),
            std::string::npos);
}

TEST(AwsChunkedDecoderTest, LinesMustEndWithCrlf) {
  EXPECT_NE(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "3\nabc\r\n0\r\n\r\n")
                .find("does not end with CRLF"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "0\r\n\n").find("does not end with CRLF"),
            std::string::npos);
}

TEST(AwsChunkedDecoderTest, SignaturesMissingOrOdd) {
  const auto mode = ChunkedMode::kSignedPayload;
  EXPECT_EQ(ErrorOf(mode, "3\r\nabc\r\n"), "aws-chunked: chunk 1 has no chunk-signature");
  EXPECT_EQ(ErrorOf(mode, "3;chunk-sig=" + kAnySig + "\r\nabc\r\n"),
            "aws-chunked: chunk 1 has no chunk-signature");
  EXPECT_EQ(ErrorOf(mode, "3;chunk-signature=" + kAnySig.substr(1) + "\r\nabc\r\n"),
            "aws-chunked: the chunk-signature of chunk 1 is not 64 hex digits");
  EXPECT_EQ(ErrorOf(mode, "3;chunk-signature=" + kAnySig + "0\r\nabc\r\n"),
            "aws-chunked: the chunk-signature of chunk 1 is not 64 hex digits");
  EXPECT_EQ(ErrorOf(mode, "3;chunk-signature=" + std::string(64, 'g') + "\r\nabc\r\n"),
            "aws-chunked: the chunk-signature of chunk 1 is not 64 hex digits");
  // The final chunk needs one too.
  EXPECT_EQ(ErrorOf(mode, "3;chunk-signature=" + kAnySig + "\r\nabc\r\n0\r\n\r\n"),
            "aws-chunked: chunk 2 has no chunk-signature");
  // And the unsigned mode takes none.
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer,
                    "3;chunk-signature=" + kAnySig + "\r\nabc\r\n0\r\n\r\n"),
            "aws-chunked: chunk 1 has a chunk extension, which STREAMING-UNSIGNED-PAYLOAD-TRAILER "
            "does not allow");
}

TEST(AwsChunkedDecoderTest, ChunkLongerThanAnnounced) {
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "3\r\nabcd\r\n0\r\n\r\n"),
            "aws-chunked: chunk 1 is longer than its announced size of 3 bytes");
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "3\r\nabc\rx0\r\n\r\n"),
            "aws-chunked: the data of chunk 1 is not followed by CRLF");
}

TEST(AwsChunkedDecoderTest, DataAfterTheFinalChunk) {
  std::string body = AwsExampleBody();
  EXPECT_EQ(ErrorOf(ChunkedMode::kSignedPayload, body + "x"),
            "aws-chunked: data after the final chunk, at byte " + std::to_string(body.size()));
  // Trailer fields where the mode has no trailer.
  std::string trailer_body =
      body.substr(0, body.size() - 2) + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  EXPECT_NE(ErrorOf(ChunkedMode::kSignedPayload, trailer_body).find("data after the final chunk"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "0\r\n\r\n0\r\n\r\n")
                .find("data after the final chunk"),
            std::string::npos);
}

TEST(AwsChunkedDecoderTest, EndingEarlyIsAnError) {
  const auto mode = ChunkedMode::kUnsignedPayloadTrailer;
  EXPECT_EQ(ErrorOf(mode, ""), "aws-chunked: the body ended before the final chunk");
  EXPECT_EQ(ErrorOf(mode, "5\r\nhel"), "aws-chunked: the body ended inside chunk 1");
  EXPECT_EQ(ErrorOf(mode, "5\r\nhello"), "aws-chunked: the body ended inside chunk 1");
  EXPECT_EQ(ErrorOf(mode, "5\r\nhello\r\n0"), "aws-chunked: the body ended before the final chunk");
  EXPECT_EQ(ErrorOf(mode, "0\r\n"), "aws-chunked: the body ended before the end of the trailer");
  EXPECT_EQ(ErrorOf(mode, "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n"),
            "aws-chunked: the body ended before the end of the trailer");
}

TEST(AwsChunkedDecoderTest, EveryLineIsBounded) {
  ChunkedLimits limits;
  limits.max_line = 32;
  // A size line that never ends is refused once it passes the bound, not buffered.
  AwsChunkedDecoder d(ChunkedMode::kUnsignedPayloadTrailer, limits);
  auto sink = [](std::string_view) {};
  EXPECT_TRUE(d.Feed(std::string(32, '0'), sink).ok());
  Status s = d.Feed("0", sink);
  EXPECT_EQ(s.message(), "aws-chunked: a line at byte 0 is longer than 32 bytes");
  // A trailer line too.
  EXPECT_NE(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer,
                    "0\r\nx-amz-checksum-sha256:" + std::string(40, 'A') + "\r\n\r\n", limits)
                .find("is longer than 32 bytes"),
            std::string::npos);
  // The default bound still takes the longest legitimate lines.
  EXPECT_EQ(ErrorOf(ChunkedMode::kSignedPayload, "000000000000000A;chunk-signature=" + kAnySig +
                                                     "\r\n0123456789\r\n" +
                                                     "0;chunk-signature=" + kAnySig + "\r\n\r\n"),
            "");
}

TEST(AwsChunkedDecoderTest, ChunkSizeIsBounded) {
  ChunkedLimits limits;
  limits.max_chunk_size = 1024;
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "401\r\n", limits),
            "aws-chunked: chunk 1 announces 1025 bytes, more than 1024");
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer, "ffffffffffffffff\r\n"),
            "aws-chunked: chunk 1 announces 18446744073709551615 bytes, more than 5368709120");
}

TEST(AwsChunkedDecoderTest, SignedTrailer) {
  const auto mode = ChunkedMode::kSignedPayloadTrailer;
  std::string final_chunk = "0;chunk-signature=" + kAnySig + "\r\n";
  AwsChunkedDecoder d(mode);
  Decoded r = Decode(d, final_chunk + "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
                            "x-amz-trailer-signature:" + kSig3 + "\r\n\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(d.trailer().size(), 1u);
  EXPECT_EQ(d.trailer()[0].value, "sOO8/Q==");
  EXPECT_EQ(d.trailer_signature(), kSig3);

  EXPECT_EQ(ErrorOf(mode, final_chunk + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"),
            "aws-chunked: the trailer has no x-amz-trailer-signature");
  EXPECT_EQ(ErrorOf(mode, final_chunk + "x-amz-trailer-signature:" + kSig3 +
                              "\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"),
            "aws-chunked: a trailer field follows x-amz-trailer-signature");
  EXPECT_EQ(ErrorOf(mode, final_chunk + "x-amz-trailer-signature:abc\r\n\r\n"),
            "aws-chunked: x-amz-trailer-signature is not 64 hex digits");
  EXPECT_EQ(ErrorOf(ChunkedMode::kUnsignedPayloadTrailer,
                    "0\r\nx-amz-trailer-signature:" + std::string(kSig3) + "\r\n\r\n"),
            "aws-chunked: x-amz-trailer-signature in an unsigned trailer");
}

TEST(AwsChunkedDecoderTest, MalformedTrailerFields) {
  const auto mode = ChunkedMode::kUnsignedPayloadTrailer;
  EXPECT_EQ(ErrorOf(mode, "0\r\nno colon here\r\n\r\n"),
            "aws-chunked: a trailer line is not a field");
  EXPECT_EQ(ErrorOf(mode, "0\r\n:value\r\n\r\n"), "aws-chunked: a trailer line is not a field");
  EXPECT_EQ(ErrorOf(mode, "0\r\nbad name:value\r\n\r\n"),
            "aws-chunked: a trailer line is not a field");
  EXPECT_EQ(ErrorOf(mode, "0\r\nx-a:va\rlue\r\n\r\n"),
            "aws-chunked: the trailer field x-a has a control character in its value");
  EXPECT_EQ(ErrorOf(mode, "0\r\nx-a:1\r\nX-A:2\r\n\r\n"),
            "aws-chunked: the trailer field X-A is sent twice");
  std::string many = "0\r\n";
  for (int i = 0; i < 17; ++i) many += "x-f" + std::to_string(i) + ":v\r\n";
  EXPECT_EQ(ErrorOf(mode, many + "\r\n"), "aws-chunked: more than 16 trailer fields");
  // Blanks around a value are not part of it.
  AwsChunkedDecoder d(mode);
  ASSERT_TRUE(Decode(d, "0\r\nx-amz-checksum-crc32:  AAAAAA== \r\n\r\n").status.ok());
  EXPECT_EQ(d.trailer()[0].value, "AAAAAA==");
}

TEST(AwsChunkedDecoderTest, FailureSticksAndStopsOutput) {
  AwsChunkedDecoder d(ChunkedMode::kUnsignedPayloadTrailer);
  std::string out;
  auto sink = [&out](std::string_view p) { out.append(p); };
  Status s = d.Feed("3\r\nabcX", sink);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(out, "abc");
  Status again = d.Feed("3\r\nxyz\r\n", sink);
  EXPECT_EQ(again.message(), s.message());
  EXPECT_EQ(d.Finish().message(), s.message());
  EXPECT_EQ(out, "abc");
  EXPECT_FALSE(d.done());
}

TEST(AwsChunkedDecoderTest, ChunkCallbackSeesEachChunkAndCanStopDecoding) {
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload);
  std::vector<uint64_t> sizes;
  d.set_chunk_callback([&sizes](const ChunkInfo& c) {
    sizes.push_back(c.size);
    return Status::Ok();
  });
  ASSERT_TRUE(Decode(d, AwsExampleBody()).status.ok());
  EXPECT_EQ(sizes, (std::vector<uint64_t>{65536, 1024, 0}));

  AwsChunkedDecoder stop(ChunkedMode::kSignedPayload);
  stop.set_chunk_callback([](const ChunkInfo& c) {
    return c.size == 1024 ? Status::InvalidArgument("bad chunk") : Status::Ok();
  });
  Decoded r = Decode(stop, AwsExampleBody());
  EXPECT_EQ(r.status.message(), "bad chunk");
  EXPECT_EQ(r.payload.size(), 66560u);  // the chunk's data went out before its end was seen
  EXPECT_EQ(stop.Finish().message(), "bad chunk");
}

TEST(AwsChunkedDecoderTest, ChunksNeedNotBeKept) {
  ChunkedLimits limits;
  limits.keep_chunks = false;
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload, limits);
  ASSERT_TRUE(Decode(d, AwsExampleBody()).status.ok());
  EXPECT_TRUE(d.chunks().empty());
  EXPECT_EQ(d.chunk_count(), 3u);
  EXPECT_EQ(d.decoded_size(), 66560u);
}

}  // namespace
}  // namespace sagetrail::aws::sigv4
