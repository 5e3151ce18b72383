// SessionTokenCodec: every claim survives Seal/Open; anything altered, truncated, foreign or
// oversized fails to open; the token never carries the secret in the clear.
#include "iam/session_token.h"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto.h"

namespace sagetrail::iam {
namespace {

constexpr char kAcct[] = "123456789012";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1";
constexpr std::string_view kTokenAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Key(char fill) { return std::string(32, fill); }

SessionClaims AssumedRoleClaims() {
  SessionClaims c;
  c.access_key_id = "ASIAROLESESSION00001";
  c.secret_access_key = kSecret;
  c.expires_at = FromUnixSeconds(1763809200);
  aws::Identity& id = c.identity;
  id.type = aws::IdentityType::kAssumedRole;
  id.principal_id = "AROAEXAMPLEROLEID0001:build";
  id.arn = "arn:aws:sts::123456789012:assumed-role/Builder/build";
  id.account_id = kAcct;
  id.session_name = "build";
  aws::SessionContext s;
  s.issuer = aws::SessionIssuer{"Role", "AROAEXAMPLEROLEID0001",
                                "arn:aws:iam::123456789012:role/ci/Builder", kAcct, "Builder"};
  s.creation_date = FromUnixSeconds(1763805600);
  s.mfa_authenticated = true;
  s.source_identity = "alice@example.com";
  id.session = s;
  c.session_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:List*","Resource":"*"}]})";
  c.session_policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess",
                           "arn:aws:iam::123456789012:policy/Narrow"};
  c.has_session_policy = true;
  return c;
}

SessionClaims FederatedClaims(bool by_root) {
  SessionClaims c;
  c.access_key_id = "ASIAFEDERATED0000001";
  c.secret_access_key = kSecret;
  c.expires_at = FromUnixSeconds(1763848800);
  aws::Identity& id = c.identity;
  id.type = aws::IdentityType::kFederatedUser;
  id.principal_id = "123456789012:fed-bob";
  id.arn = "arn:aws:sts::123456789012:federated-user/fed-bob";
  id.account_id = kAcct;
  id.session_name = "fed-bob";
  aws::SessionContext s;
  s.issuer = by_root
                 ? aws::SessionIssuer{"Root", kAcct, "arn:aws:iam::123456789012:root", kAcct, ""}
                 : aws::SessionIssuer{"IAMUser", "AIDAEXAMPLEUSERID0001",
                                      "arn:aws:iam::123456789012:user/alice", kAcct, "alice"};
  s.creation_date = FromUnixSeconds(1763805600);
  id.session = s;
  c.has_session_policy = true;  // federated sessions always intersect, even with no policy
  return c;
}

SessionClaims UserSessionClaims() {
  SessionClaims c;
  c.access_key_id = "ASIAUSERSESSION00001";
  c.secret_access_key = kSecret;
  c.expires_at = FromUnixSeconds(1763848800);
  aws::Identity& id = c.identity;
  id.type = aws::IdentityType::kIAMUser;
  id.principal_id = "AIDAEXAMPLEUSERID0001";
  id.arn = "arn:aws:iam::123456789012:user/alice";
  id.account_id = kAcct;
  id.user_name = "alice";
  id.session.emplace();
  id.session->creation_date = FromUnixSeconds(1763805600);
  return c;
}

void ExpectSameClaims(const SessionClaims& a, const SessionClaims& b) {
  EXPECT_EQ(a.access_key_id, b.access_key_id);
  EXPECT_EQ(a.secret_access_key, b.secret_access_key);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.session_policy, b.session_policy);
  EXPECT_EQ(a.session_policy_arns, b.session_policy_arns);
  EXPECT_EQ(a.has_session_policy, b.has_session_policy);
  const aws::Identity &x = a.identity, &y = b.identity;
  EXPECT_EQ(x.type, y.type);
  EXPECT_EQ(x.principal_id, y.principal_id);
  EXPECT_EQ(x.arn, y.arn);
  EXPECT_EQ(x.account_id, y.account_id);
  EXPECT_EQ(x.user_name, y.user_name);
  EXPECT_EQ(x.session_name, y.session_name);
  ASSERT_EQ(x.session.has_value(), y.session.has_value());
  if (!x.session) return;
  EXPECT_EQ(x.session->creation_date, y.session->creation_date);
  EXPECT_EQ(x.session->mfa_authenticated, y.session->mfa_authenticated);
  EXPECT_EQ(x.session->source_identity, y.session->source_identity);
  ASSERT_EQ(x.session->issuer.has_value(), y.session->issuer.has_value());
  if (!x.session->issuer) return;
  EXPECT_EQ(x.session->issuer->type, y.session->issuer->type);
  EXPECT_EQ(x.session->issuer->principal_id, y.session->issuer->principal_id);
  EXPECT_EQ(x.session->issuer->arn, y.session->issuer->arn);
  EXPECT_EQ(x.session->issuer->account_id, y.session->issuer->account_id);
  EXPECT_EQ(x.session->issuer->user_name, y.session->issuer->user_name);
}

// The token's bytes: its alphabet mapped back to standard base64, then decoded.
std::string RawBytes(const std::string& token) {
  std::string b64 = token;
  for (char& c : b64) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  auto raw = Base64Decode(b64);
  EXPECT_TRUE(raw.has_value()) << token;
  return raw.value_or("");
}

// Raw bytes as a token: base64 in the token's alphabet.
std::string ToToken(std::string_view raw) {
  std::string t = Base64Encode(raw);
  for (char& c : t) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return t;
}

class SessionTokenTest : public ::testing::Test {
 protected:
  SeededRandom random_{7};
  SessionTokenCodec codec_{Key('k')};
};

TEST_F(SessionTokenTest, AssumedRoleClaimsRoundTrip) {
  SessionClaims in = AssumedRoleClaims();
  auto out = codec_.Open(codec_.Seal(in, random_));
  ASSERT_TRUE(out.has_value());
  ExpectSameClaims(in, *out);
}

TEST_F(SessionTokenTest, FederatedUserClaimsRoundTripForBothIssuers) {
  for (bool by_root : {false, true}) {
    SCOPED_TRACE(by_root ? "issued by root" : "issued by an IAM user");
    SessionClaims in = FederatedClaims(by_root);
    auto out = codec_.Open(codec_.Seal(in, random_));
    ASSERT_TRUE(out.has_value());
    ExpectSameClaims(in, *out);
    EXPECT_TRUE(out->has_session_policy);
    EXPECT_TRUE(out->session_policy.empty());
    EXPECT_EQ(out->identity.session->issuer->type, by_root ? "Root" : "IAMUser");
  }
}

TEST_F(SessionTokenTest, UserSessionWithoutIssuerRoundTrips) {
  SessionClaims in = UserSessionClaims();
  auto out = codec_.Open(codec_.Seal(in, random_));
  ASSERT_TRUE(out.has_value());
  ExpectSameClaims(in, *out);
  ASSERT_TRUE(out->identity.session.has_value());
  EXPECT_FALSE(out->identity.session->issuer.has_value());
  EXPECT_FALSE(out->has_session_policy);
  EXPECT_TRUE(out->session_policy_arns.empty());
}

TEST_F(SessionTokenTest, SealingTwiceGivesDifferentTokensThatBothOpen) {
  SessionClaims in = AssumedRoleClaims();
  std::string a = codec_.Seal(in, random_), b = codec_.Seal(in, random_);
  EXPECT_NE(a, b);  // a fresh nonce each time
  EXPECT_TRUE(codec_.Open(a).has_value());
  EXPECT_TRUE(codec_.Open(b).has_value());
}

TEST_F(SessionTokenTest, TokenUsesOnlyItsQuerySafeAlphabet) {
  std::string token = codec_.Seal(AssumedRoleClaims(), random_);
  for (char c : token) {
    EXPECT_TRUE(kTokenAlphabet.find(c) != std::string_view::npos || c == '=') << c;
  }
}

TEST_F(SessionTokenTest, AnotherKeyCannotOpenIt) {
  std::string token = codec_.Seal(AssumedRoleClaims(), random_);
  SessionTokenCodec other(Key('x'));
  EXPECT_FALSE(other.Open(token).has_value());
  // A key differing in its last byte only.
  std::string near = Key('k');
  near.back() = 'j';
  EXPECT_FALSE(SessionTokenCodec(near).Open(token).has_value());
  EXPECT_TRUE(codec_.Open(token).has_value());
}

// Every single-character change of a token, at every position, fails to open: the neighbour in
// the alphabet (which differs in the lowest bit only, the bit base64 may leave unused at the end)
// and one far away.
TEST_F(SessionTokenTest, EveryCharacterChangeIsRejected) {
  // Session names of three lengths give raw tokens of every length modulo 3, so padding of
  // none, one and two characters is covered.
  for (const char* name : {"s1", "s12", "s123"}) {
    SessionClaims claims = AssumedRoleClaims();
    claims.identity.session_name = name;
    std::string token = codec_.Seal(claims, random_);
    ASSERT_TRUE(codec_.Open(token).has_value());
    ASSERT_LE(token.size(), 4096u);  // keeps the loop bounded
    for (size_t i = 0; i < token.size(); ++i) {
      size_t at = kTokenAlphabet.find(token[i]);
      std::vector<char> replacements;
      if (at == std::string_view::npos) {  // '=' padding
        replacements = {'A', 'Q', 'g'};
      } else {
        replacements = {kTokenAlphabet[at ^ 1], kTokenAlphabet[at ^ 32], '='};
      }
      // The same sextet in standard base64 is another spelling, not the token.
      if (token[i] == '-') replacements.push_back('+');
      if (token[i] == '_') replacements.push_back('/');
      for (char r : replacements) {
        std::string altered = token;
        altered[i] = r;
        EXPECT_FALSE(codec_.Open(altered).has_value()) << "position " << i << " of " << token.size()
                                                       << ": '" << token[i] << "' -> '" << r << "'";
      }
    }
  }
}

TEST_F(SessionTokenTest, TruncatedTokensFail) {
  std::string token = codec_.Seal(UserSessionClaims(), random_);
  for (size_t n : {size_t{0}, size_t{1}, size_t{4}, size_t{16}, size_t{40}, token.size() / 2,
                   token.size() - 4, token.size() - 1}) {
    EXPECT_FALSE(codec_.Open(token.substr(0, n)).has_value()) << n;
  }
  // Whole base64 quanta dropped from the end: still well-formed base64, but the tag is gone.
  std::string raw = RawBytes(token);
  for (size_t cut : {size_t{1}, size_t{16}, raw.size() - 1}) {
    std::string shorter = ToToken(raw.substr(0, raw.size() - cut));
    EXPECT_FALSE(codec_.Open(shorter).has_value()) << cut;
  }
}

TEST_F(SessionTokenTest, GarbageAndEmptyTokensFail) {
  EXPECT_FALSE(codec_.Open("").has_value());
  EXPECT_FALSE(codec_.Open("not a token").has_value());
  EXPECT_FALSE(codec_.Open("FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE").has_value());
  EXPECT_FALSE(codec_.Open(std::string(64, 'A')).has_value());
  EXPECT_FALSE(codec_.Open("====").has_value());
  // Well-formed framing (version 1, nonce, tag) around bytes that were never sealed.
  std::string forged(1 + 12 + 40 + 16, '\x5a');
  forged[0] = '\x01';
  EXPECT_FALSE(codec_.Open(ToToken(forged)).has_value());
  // A sealed token with its version byte changed is refused too.
  std::string raw = RawBytes(codec_.Seal(UserSessionClaims(), random_));
  ASSERT_TRUE(codec_.Open(ToToken(raw)).has_value());
  raw[0] = '\x02';
  EXPECT_FALSE(codec_.Open(ToToken(raw)).has_value());
}

TEST_F(SessionTokenTest, OverlongTokensFailEvenWhenGenuine) {
  SessionClaims claims = UserSessionClaims();
  claims.session_policy = std::string(13000, 'p');
  std::string token = codec_.Seal(claims, random_);
  ASSERT_GT(token.size(), 16384u);
  EXPECT_FALSE(codec_.Open(token).has_value());
  EXPECT_FALSE(codec_.Open(std::string(20000, 'A')).has_value());
  // Just under the limit still opens.
  claims.session_policy = std::string(11000, 'p');
  token = codec_.Seal(claims, random_);
  ASSERT_LE(token.size(), 16384u);
  EXPECT_TRUE(codec_.Open(token).has_value());
}

TEST_F(SessionTokenTest, NoSecretInTheClear) {
  for (const SessionClaims& claims :
       {AssumedRoleClaims(), FederatedClaims(false), UserSessionClaims()}) {
    std::string token = codec_.Seal(claims, random_);
    std::string raw = RawBytes(token);
    EXPECT_EQ(token.find(kSecret), std::string::npos);
    EXPECT_EQ(raw.find(kSecret), std::string::npos);
    // Nothing else readable either: the claims are encrypted, not merely signed.
    EXPECT_EQ(raw.find(claims.identity.arn), std::string::npos);
    EXPECT_EQ(raw.find("\"sk\""), std::string::npos);
    EXPECT_EQ(token.find(Base64Encode(kSecret).substr(0, 20)), std::string::npos);
  }
}

}  // namespace
}  // namespace sagetrail::iam
