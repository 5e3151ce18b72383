// S3's flexible checksums: published check values, the names on the wire, and that the streaming
// Checksummer gives the one-shot result however its input is split.
#include "common/checksum.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/crypto.h"

namespace sagetrail {
namespace {

// Bit-at-a-time reflected CRC: the definition, against which the table-driven code is checked.
uint64_t ReferenceCrc(std::string_view data, uint64_t poly, int width) {
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t crc = mask;
  for (unsigned char b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
  }
  return crc ^ mask;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

TEST(ChecksumTest, CheckValuesOf123456789) {
  // The "check" values of the CRC catalogue (CRC-32/ISO-HDLC, CRC-32/ISCSI, CRC-64/NVME).
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc64Nvme("123456789"), 0xae8b14860a799888ull);
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32, "123456789"),
            Base64Encode(std::string("\xcb\xf4\x39\x26", 4)));
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, "123456789"),
            Base64Encode(std::string("\xe3\x06\x92\x83", 4)));
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, "123456789"),
            Base64Encode(std::string("\xae\x8b\x14\x86\x0a\x79\x98\x88", 8)));
}

TEST(ChecksumTest, Crc32cVectorsOfRfc3720) {
  // RFC 3720 (iSCSI), B.4.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending(32, '\0'), descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32c(descending), 0x113fdb5cu);
}

TEST(ChecksumTest, ShaVectors) {
  // FIPS 180 examples, base64 of the digest as S3 prints it.
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kSha1, "abc"),
            Base64Encode(*HexDecode("a9993e364706816aba3e25717850c26c9cd0d89d")));
  EXPECT_EQ(
      ComputeChecksum(ChecksumAlgorithm::kSha256, "abc"),
      Base64Encode(*HexDecode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")));
}

TEST(ChecksumTest, EmptyInputAsS3PrintsIt) {
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32, ""), "AAAAAA==");
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, ""), "AAAAAA==");
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, ""), "AAAAAAAAAAA=");
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kSha1, ""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kSha256, ""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(ChecksumTest, AwsChunkedTrailerExampleCrc32c) {
  // AWS's trailing-header example sends 66560 bytes of 'a' with x-amz-checksum-crc32c:sOO8/Q==.
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc32c, std::string(66560, 'a')), "sOO8/Q==");
}

TEST(ChecksumTest, TablesAgreeWithTheBitwiseDefinition) {
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099}) {
    std::string data = RandomBytes(n, static_cast<uint32_t>(n));
    EXPECT_EQ(Crc32c(data), ReferenceCrc(data, 0x82f63b78u, 32)) << n;
    EXPECT_EQ(Crc64Nvme(data), ReferenceCrc(data, 0x9a6c9329ac4bc9b5ull, 64)) << n;
    // Misaligned starts take the byte-wise prologue.
    for (size_t off = 1; off < 8 && off <= n; ++off) {
      std::string_view tail = std::string_view(data).substr(off);
      EXPECT_EQ(Crc32c(tail), ReferenceCrc(tail, 0x82f63b78u, 32)) << n << "+" << off;
      EXPECT_EQ(Crc64Nvme(tail), ReferenceCrc(tail, 0x9a6c9329ac4bc9b5ull, 64)) << n << "+" << off;
    }
  }
}

TEST(ChecksumTest, SplittingAtEveryOffsetGivesTheSameResult) {
  const std::string data = RandomBytes(300, 42);
  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    const std::string whole = ComputeChecksum(algorithm, data);
    for (size_t cut = 0; cut <= data.size(); ++cut) {
      Checksummer c(algorithm);
      c.Update(std::string_view(data).substr(0, cut));
      c.Update(std::string_view(data).substr(cut));
      ASSERT_EQ(c.Finish(), whole) << ChecksumAlgorithmName(algorithm) << " cut " << cut;
    }
    // Three pieces, and byte by byte.
    for (size_t a = 0; a <= data.size(); a += 37) {
      for (size_t b = a; b <= data.size(); b += 41) {
        Checksummer c(algorithm);
        c.Update(std::string_view(data).substr(0, a));
        c.Update(std::string_view(data).substr(a, b - a));
        c.Update(std::string_view(data).substr(b));
        ASSERT_EQ(c.Finish(), whole) << ChecksumAlgorithmName(algorithm) << " " << a << "," << b;
      }
    }
    Checksummer bytewise(algorithm);
    for (char ch : data) bytewise.Update(std::string_view(&ch, 1));
    EXPECT_EQ(bytewise.Finish(), whole) << ChecksumAlgorithmName(algorithm);
  }
}

TEST(ChecksumTest, RawCrcUpdatesChain) {
  const std::string a = RandomBytes(123, 1), b = RandomBytes(77, 2);
  EXPECT_EQ(Crc32cUpdate(Crc32cUpdate(0, a.data(), a.size()), b.data(), b.size()), Crc32c(a + b));
  EXPECT_EQ(Crc64NvmeUpdate(Crc64NvmeUpdate(0, a.data(), a.size()), b.data(), b.size()),
            Crc64Nvme(a + b));
}

TEST(ChecksumTest, FinishRawIsBigEndianOfTheDigestSize) {
  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    Checksummer c(algorithm);
    c.Update("123456789");
    std::string raw = c.FinishRaw();
    EXPECT_EQ(raw.size(), ChecksumDigestSize(algorithm));
  }
  Checksummer c(ChecksumAlgorithm::kCrc32c);
  c.Update("123456789");
  EXPECT_EQ(c.FinishRaw(), std::string("\xe3\x06\x92\x83", 4));
}

TEST(ChecksumTest, NamesRoundTrip) {
  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    EXPECT_EQ(ParseChecksumAlgorithm(ChecksumAlgorithmName(algorithm)), algorithm);
    EXPECT_EQ(ChecksumAlgorithmFromHeader(ChecksumHeaderName(algorithm)), algorithm);
  }
  EXPECT_EQ(ChecksumAlgorithmName(ChecksumAlgorithm::kCrc64Nvme), "CRC64NVME");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc32c), "x-amz-checksum-crc32c");
  EXPECT_EQ(ChecksumMemberName(ChecksumAlgorithm::kSha256), "ChecksumSHA256");
  EXPECT_EQ(ChecksumMemberName(ChecksumAlgorithm::kCrc64Nvme), "ChecksumCRC64NVME");
}

TEST(ChecksumTest, ParsingIsCaseInsensitiveAndExact) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("Sha256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ChecksumAlgorithmFromHeader("X-Amz-Checksum-CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_FALSE(ParseChecksumAlgorithm("").has_value());
  EXPECT_FALSE(ParseChecksumAlgorithm("CRC").has_value());
  EXPECT_FALSE(ParseChecksumAlgorithm("CRC32 ").has_value());
  EXPECT_FALSE(ParseChecksumAlgorithm("MD5").has_value());
  EXPECT_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-").has_value());
  EXPECT_FALSE(ChecksumAlgorithmFromHeader("x-amz-checksum-algorithm").has_value());
  EXPECT_FALSE(ChecksumAlgorithmFromHeader("CRC32").has_value());
}

TEST(ChecksumTest, MovedChecksummerKeepsItsState) {
  Checksummer a(ChecksumAlgorithm::kSha256);
  a.Update("ab");
  Checksummer b(std::move(a));
  b.Update("c");
  EXPECT_EQ(b.Finish(), ComputeChecksum(ChecksumAlgorithm::kSha256, "abc"));
  Checksummer c(ChecksumAlgorithm::kCrc32);
  c.Update("12345");
  Checksummer d(ChecksumAlgorithm::kSha1);
  d = std::move(c);
  d.Update("6789");
  EXPECT_EQ(d.algorithm(), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(d.Finish(), ComputeChecksum(ChecksumAlgorithm::kCrc32, "123456789"));
}

TEST(Md5HasherTest, MatchesOneShotAndResets) {
  const std::string data = RandomBytes(500, 7);
  Md5Hasher h;
  h.Update(std::string_view(data).substr(0, 3));
  h.Update(std::string_view(data).substr(3));
  EXPECT_EQ(h.Finish(), Md5(data));
  h.Reset();
  h.Update("abc");
  EXPECT_EQ(HexEncode(h.Finish()), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Sha256HasherTest, ResetStartsOver) {
  Sha256Hasher h;
  h.Update("something else");
  h.Reset();
  h.Update("abc");
  EXPECT_EQ(HexEncode(h.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace sagetrail
