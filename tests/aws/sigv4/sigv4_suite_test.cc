// Runs AWS's SigV4 test suite (tests/aws/sigv4/testdata/aws_sigv4_suite.txt) through our canonical
// request, string to sign and signature code, and through the Verifier end to end.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/verifier.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "fakes/test_support.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kAmzDate[] = "20150830T123600Z";
constexpr char kDate[] = "20150830";
constexpr char kRegion[] = "us-east-1";
constexpr char kService[] = "service";

// get-vanilla-with-session-token signs this token (it is not in the .req file).
constexpr char kVanillaToken[] = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
// post-sts-header-after: this token is added after signing, unsigned.
constexpr char kStsToken[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfI"
    "eoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0"
    "wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDry"
    "pNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct SuiteCase {
  std::string name;
  std::map<std::string, std::string> sections;  // "req", "creq", "sts", "authz"
};

// The file format: "=== <name>" starts a case, "--- <section>" a section; a section's content is
// every line up to the next marker, joined with "\n" (no final newline). Comment lines ("#")
// come before the first case.
std::vector<SuiteCase> LoadSuite() {
  std::ifstream in(testing::TestDataPath("aws/sigv4/testdata/aws_sigv4_suite.txt"),
                   std::ios::binary);
  std::vector<SuiteCase> cases;
  std::string line, section;
  std::vector<std::string> lines;
  auto flush = [&] {
    if (!cases.empty() && !section.empty()) {
      std::string content;
      for (size_t i = 0; i < lines.size(); ++i) {
        if (i) content.push_back('\n');
        content += lines[i];
      }
      cases.back().sections[section] = content;
    }
    lines.clear();
    section.clear();
  };
  bool started = false;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      flush();
      started = true;
      std::string name = line.substr(4);
      if (name == "END") break;
      cases.push_back({name, {}});
    } else if (started && line.rfind("--- ", 0) == 0) {
      flush();
      section = line.substr(4);
    } else if (started) {
      lines.push_back(line);
    }
  }
  return cases;
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const SuiteCase& c, std::ostream* os) { *os << c.name; }

const std::vector<SuiteCase>& Suite() {
  static const std::vector<SuiteCase> cases = LoadSuite();
  return cases;
}

// An HTTP/1.1 request in the suite's text form: request line, headers (obs-fold continuation
// lines kept with their line break, as the raw bytes were), an empty line, the body.
http::Request ParseRequest(const std::string& text) {
  http::Request r;
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  if (!text.empty() && text.back() == '\n') lines.push_back("");
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return r;
  // The target may contain spaces (normalize-path/get-space): it runs from the first space to
  // the last.
  const std::string& rl = lines[0];
  size_t first = rl.find(' '), last = rl.rfind(' ');
  r.method = rl.substr(0, first);
  r.target = rl.substr(first + 1, last - first - 1);
  EXPECT_EQ(rl.substr(last + 1), "HTTP/1.1");
  size_t i = 1;
  for (; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) {
      ++i;
      break;
    }
    if (l[0] == ' ' || l[0] == '\t') {
      EXPECT_FALSE(r.headers.empty());
      r.headers.back().value += "\n" + l;
      continue;
    }
    size_t colon = l.find(':');
    EXPECT_NE(colon, std::string::npos) << l;
    r.headers.push_back({l.substr(0, colon), l.substr(colon + 1)});
  }
  for (size_t j = i; j < lines.size(); ++j) {
    if (j > i) r.body.push_back('\n');
    r.body += lines[j];
  }
  return r;
}

// "Credential=..., SignedHeaders=a;b, Signature=..." -> the named field.
std::string AuthzField(const std::string& authz, const std::string& field) {
  size_t pos = authz.find(field + "=");
  if (pos == std::string::npos) return {};
  pos += field.size() + 1;
  size_t end = authz.find(',', pos);
  return authz.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

std::string CaseTestName(const ::testing::TestParamInfo<SuiteCase>& info) {
  std::string out;
  for (char c : info.param.name) {
    out.push_back((std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_');
  }
  return out;
}

class Sigv4SuiteTest : public ::testing::TestWithParam<SuiteCase> {
 protected:
  void SetUp() override {
    const SuiteCase& c = GetParam();
    for (const char* s : {"req", "creq", "sts", "authz"}) {
      ASSERT_TRUE(c.sections.count(s)) << c.name << " lacks section " << s;
    }
    request_ = ParseRequest(c.sections.at("req"));
    if (c.name == "get-vanilla-with-session-token") {
      request_.headers.push_back({"X-Amz-Security-Token", kVanillaToken});
    }
    authz_ = c.sections.at("authz");
    std::string list = AuthzField(authz_, "SignedHeaders");
    for (std::string_view h : Split(list, ';')) {
      signed_headers_.emplace_back(h);
    }
  }

  std::string PayloadHash() const {
    if (const std::string* h = request_.FindHeader("x-amz-content-sha256")) return *h;
    return Sha256Hex(request_.body);
  }

  std::string Canonical() const {
    std::string payload_hash = PayloadHash();
    CanonicalRequestParts parts;
    parts.method = request_.method;
    parts.raw_path = request_.path();
    parts.raw_query = request_.query();
    parts.headers = &request_.headers;
    parts.signed_headers.assign(signed_headers_.begin(), signed_headers_.end());
    parts.payload_hash = payload_hash;
    parts.s3 = false;
    return CanonicalRequest(parts);
  }

  http::Request request_;
  std::string authz_;
  std::vector<std::string> signed_headers_;
};

TEST_P(Sigv4SuiteTest, CanonicalRequestMatches) {
  EXPECT_EQ(Canonical(), GetParam().sections.at("creq"));
}

TEST_P(Sigv4SuiteTest, StringToSignMatches) {
  std::string scope = CredentialScope(kDate, kRegion, kService);
  EXPECT_EQ(StringToSign(kAmzDate, scope, GetParam().sections.at("creq")),
            GetParam().sections.at("sts"));
  EXPECT_EQ(StringToSign(kAmzDate, scope, Canonical()), GetParam().sections.at("sts"));
}

TEST_P(Sigv4SuiteTest, SignatureMatches) {
  std::string scope = CredentialScope(kDate, kRegion, kService);
  std::string sts = StringToSign(kAmzDate, scope, Canonical());
  std::string signature = Signature(SigningKey(kSecret, kDate, kRegion, kService), sts);
  EXPECT_EQ(signature, AuthzField(authz_, "Signature"));
  // The whole header value, as a client would write it.
  std::string signed_list;
  for (const std::string& h : signed_headers_) {
    if (!signed_list.empty()) signed_list.push_back(';');
    signed_list += h;
  }
  EXPECT_EQ(std::string(kAlgorithm) + " Credential=" + kAccessKey + "/" + scope +
                ", SignedHeaders=" + signed_list + ", Signature=" + signature,
            authz_);
}

// Every case verifies end to end. No case leaves Host unsigned (all sign "host"), so none is
// rejected for it; the session-token cases carry their token and their credential expects it.
TEST_P(Sigv4SuiteTest, VerifierAccepts) {
  const std::string& name = GetParam().name;
  http::Request req = request_;
  req.headers.push_back({"Authorization", authz_});
  if (name == "post-sts-token/post-sts-header-after") {
    // Signed without the token, which is then added (unsigned) to the request as sent.
    req.headers.push_back({"X-Amz-Security-Token", kStsToken});
  }
  Credential cred;
  cred.access_key_id = kAccessKey;
  cred.secret_access_key = kSecret;
  if (const std::string* token = req.FindHeader("x-amz-security-token")) {
    cred.session_token = *token;
  }
  testing::FakeCredentialStore store;
  store.Add(cred);
  testing::FakeClock clock(*ParseIso8601("2015-08-30T12:36:00Z"));
  SigningKeyCache cache;
  Verifier verifier(store, clock, cache);
  auto result = verifier.Verify(req, VerifyOptions{kService, false});
  ASSERT_TRUE(result.ok()) << name << ": " << result.error().message;
  EXPECT_EQ(result->credential->access_key_id, kAccessKey);
  EXPECT_EQ(result->region, kRegion);
  EXPECT_EQ(result->service, kService);
  EXPECT_EQ(FormatAmzDate(result->request_time), kAmzDate);
  EXPECT_FALSE(result->presigned);
}

// The same request fails once its signature is tampered with: the check above is not vacuous.
TEST_P(Sigv4SuiteTest, VerifierRejectsTamperedSignature) {
  http::Request req = request_;
  std::string authz = authz_;
  char& last = authz.back();
  last = last == '0' ? '1' : '0';
  req.headers.push_back({"Authorization", authz});
  Credential cred;
  cred.access_key_id = kAccessKey;
  cred.secret_access_key = kSecret;
  if (const std::string* token = req.FindHeader("x-amz-security-token")) {
    cred.session_token = *token;
  }
  testing::FakeCredentialStore store;
  store.Add(cred);
  testing::FakeClock clock(*ParseIso8601("2015-08-30T12:36:00Z"));
  SigningKeyCache cache;
  Verifier verifier(store, clock, cache);
  auto result = verifier.Verify(req, VerifyOptions{kService, false});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, AuthFailureKind::kSignatureMismatch);
  EXPECT_EQ(result.error().canonical_request, GetParam().sections.at("creq"));
  EXPECT_EQ(result.error().string_to_sign, GetParam().sections.at("sts"));
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, Sigv4SuiteTest, ::testing::ValuesIn(Suite()), CaseTestName);

TEST(Sigv4SuiteFileTest, HasEveryCase) {
  // 34 cases: the botocore copy of the suite, later additions included (see the file header).
  EXPECT_EQ(Suite().size(), 34u);
  bool multiline = false, special = false;
  for (const SuiteCase& c : Suite()) {
    multiline = multiline || c.name == "get-header-value-multiline";
    special = special || c.name == "normalize-path/get-special-character";
  }
  EXPECT_TRUE(multiline);
  EXPECT_TRUE(special);
}

// The suite's file-format notes: a .req that ends with a newline shows an empty last line and
// no body; bodies follow an empty line.
TEST(Sigv4SuiteFileTest, RequestParsingFollowsTheFormatNotes) {
  for (const SuiteCase& c : Suite()) {
    http::Request r = ParseRequest(c.sections.at("req"));
    if (c.name == "get-vanilla-query-order-encoded" ||
        c.name == "normalize-path/get-special-character") {
      EXPECT_EQ(r.body, "") << c.name;
    }
    if (c.name == "post-x-www-form-urlencoded") {
      EXPECT_EQ(r.body, "Param1=value1");
    }
    if (c.name == "normalize-path/get-space") {
      EXPECT_EQ(r.target, "/example space/");
    }
    if (c.name == "get-header-value-multiline") {
      ASSERT_NE(r.FindHeader("my-header1"), nullptr);
      EXPECT_EQ(*r.FindHeader("my-header1"), "value1\n  value2\n     value3");
    }
  }
}

// The obs-fold header canonicalizes the same whether the server keeps the line breaks or
// replaces each fold with one space.
TEST(Sigv4SuiteFileTest, MultilineHeaderFoldedWithSpaces) {
  std::vector<http::Header> headers = {{"Host", "example.amazonaws.com"},
                                       {"My-Header1", "value1   value2      value3"},
                                       {"X-Amz-Date", kAmzDate}};
  std::string out;
  ASSERT_TRUE(CanonicalHeaders(headers, {"host", "my-header1", "x-amz-date"}, &out));
  EXPECT_EQ(out,
            "host:example.amazonaws.com\nmy-header1:value1 value2 value3\n"
            "x-amz-date:20150830T123600Z\n");
}

}  // namespace
}  // namespace sagetrail::aws::sigv4
