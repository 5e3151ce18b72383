// DecideRequestFraming, rule by rule (RFC 9112 §6).
#include "http/request_framing.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace sagetrail::http {
namespace {

FramingDecision Decide(std::initializer_list<FieldView> fields, int version = 11) {
  std::vector<FieldView> v(fields);
  return DecideRequestFraming(version, v);
}

FramingDecision TransferEncoding(std::string_view value) {
  return Decide({{"Host", "x"}, {"Transfer-Encoding", value}});
}

FramingDecision ContentLength(std::string_view value) {
  return Decide({{"Host", "x"}, {"Content-Length", value}});
}

TEST(RequestFramingTest, NoFramingFieldMeansNoBody) {
  FramingDecision d = Decide({{"Host", "x"}, {"X-Amz-Target", "SageMaker.ListModels"}});
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.framing, BodyFraming::kNone);
  EXPECT_TRUE(Decide({}, 10).ok());
}

TEST(RequestFramingTest, PlainContentLength) {
  for (auto [value, n] : std::vector<std::pair<std::string_view, uint64_t>>{
           {"0", 0}, {"5", 5}, {"005", 5}, {" 12\t", 12}, {"18446744073709551615", UINT64_MAX}}) {
    FramingDecision d = ContentLength(value);
    ASSERT_TRUE(d.ok()) << value << ": " << d.reason;
    EXPECT_EQ(d.framing, BodyFraming::kContentLength) << value;
    EXPECT_EQ(d.content_length, n) << value;
  }
  // HTTP/1.0 and any case of the field name.
  FramingDecision d = Decide({{"content-LENGTH", "3"}}, 10);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.content_length, 3u);
}

TEST(RequestFramingTest, MalformedContentLengthIs400) {
  for (std::string_view value :
       {"", " ", "+5", "-5", "5 5", "0x5", "5a", "a", "5.0", "5,5", "5, 5", "5,6", ",5", "5,",
        "18446744073709551616", "99999999999999999999999", "\xd9\xa5"}) {
    FramingDecision d = ContentLength(value);
    EXPECT_FALSE(d.ok()) << "accepted Content-Length '" << value << "'";
    EXPECT_EQ(d.status, 400) << value;
    EXPECT_FALSE(d.reason.empty());
  }
}

TEST(RequestFramingTest, RepeatedContentLengthIs400EvenWhenIdentical) {
  FramingDecision same = Decide({{"Content-Length", "5"}, {"Content-Length", "5"}});
  EXPECT_EQ(same.status, 400);
  EXPECT_NE(same.reason.find("more than once"), std::string::npos) << same.reason;
  EXPECT_EQ(Decide({{"Content-Length", "5"}, {"content-length", "6"}}).status, 400);
}

TEST(RequestFramingTest, ChunkedIsAcceptedInAnyCase) {
  for (std::string_view value : {"chunked", "Chunked", "CHUNKED", " chunked "}) {
    FramingDecision d = TransferEncoding(value);
    ASSERT_TRUE(d.ok()) << value << ": " << d.reason;
    EXPECT_EQ(d.framing, BodyFraming::kChunked);
  }
}

TEST(RequestFramingTest, TransferEncodingWhoseFinalCodingIsNotChunkedIs400) {
  for (std::string_view value :
       {"identity", "gzip", "foo", "xchunked", "chunkedx", "chunked, identity", "chunked,gzip",
        "chunked;x=1", "\"chunked\""}) {
    FramingDecision d = TransferEncoding(value);
    EXPECT_EQ(d.status, 400) << "Transfer-Encoding '" << value << "': " << d.reason;
    EXPECT_EQ(d.framing, BodyFraming::kNone);
  }
}

TEST(RequestFramingTest, ChunkedTwiceIs400) {
  EXPECT_EQ(TransferEncoding("chunked, chunked").status, 400);
  EXPECT_EQ(TransferEncoding("chunked, gzip, Chunked").status, 400);
  EXPECT_EQ(Decide({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}).status,
            400);
}

TEST(RequestFramingTest, UnknownCodingBeforeChunkedIs501) {
  for (std::string_view value : {"gzip, chunked", "identity,chunked", "foo;q=1 , chunked"}) {
    FramingDecision d = TransferEncoding(value);
    EXPECT_EQ(d.status, 501) << value << ": " << d.reason;
    EXPECT_NE(d.reason.find("not implemented"), std::string::npos) << d.reason;
  }
}

TEST(RequestFramingTest, SeveralTransferEncodingLinesFormOneList) {
  FramingDecision d = Decide({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}});
  EXPECT_EQ(d.status, 501) << d.reason;  // "gzip, chunked"
  d = Decide({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}});
  EXPECT_EQ(d.status, 400) << d.reason;  // "chunked, gzip"
}

TEST(RequestFramingTest, EmptyOrMalformedCodingIs400) {
  for (std::string_view value : {"", " ", ",", "chunked,", ", chunked", "gzip,,chunked",
                                 "gzip chunked", "chunk ed", "chunked\x01", ";x=1, chunked"}) {
    EXPECT_EQ(TransferEncoding(value).status, 400) << "Transfer-Encoding '" << value << "'";
  }
}

TEST(RequestFramingTest, TransferEncodingWithContentLengthIs400InEitherOrder) {
  FramingDecision d = Decide({{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}});
  EXPECT_EQ(d.status, 400);
  EXPECT_NE(d.reason.find("both"), std::string::npos) << d.reason;
  EXPECT_EQ(Decide({{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}}).status, 400);
  // The reported attack: an unknown coding before a Content-Length.
  EXPECT_EQ(Decide({{"Transfer-Encoding", "xchunked"}, {"Content-Length", "3"}}).status, 400);
}

TEST(RequestFramingTest, TransferEncodingInHttp10Is400) {
  FramingDecision d = Decide({{"Transfer-Encoding", "chunked"}}, 10);
  EXPECT_EQ(d.status, 400);
  EXPECT_NE(d.reason.find("HTTP/1.0"), std::string::npos) << d.reason;
}

TEST(RequestFramingTest, OtherFieldsAreIgnored) {
  FramingDecision d =
      Decide({{"Transfer-Encodings", "gzip"}, {"Content-Length-X", "zz"}, {"TE", "trailers"}});
  EXPECT_TRUE(d.ok()) << d.reason;
  EXPECT_EQ(d.framing, BodyFraming::kNone);
}

}  // namespace
}  // namespace sagetrail::http
