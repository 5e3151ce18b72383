// Fuzz target: the session-token codec. Three ways in, chosen by the flags byte (the input's
// last byte) modulo 3:
//   0  Open() on the rest of the input as a token: base64 in the token alphabet, the canonical
//      spelling check, AES-256-GCM authentication (a forged token must never open).
//   1  Claims built from the input are sealed and opened again: they must come back unchanged,
//      and the token with any one character changed must not open.
//   2  The rest of the input, sealed with the server key in the token format (as only a holder
//      of the key could), is opened: this reaches the claims parser behind the authentication.
// A token that opens is sealed again and must open to the same claims.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/crypto.h"
#include "common/random.h"
#include "fuzz_support.h"
#include "iam/session_token.h"

namespace sagetrail::fuzz {
namespace {

using iam::SessionClaims;

bool SameIdentity(const aws::Identity& a, const aws::Identity& b) {
  if (a.type != b.type || a.principal_id != b.principal_id || a.arn != b.arn ||
      a.account_id != b.account_id || a.user_name != b.user_name ||
      a.session_name != b.session_name || a.session.has_value() != b.session.has_value()) {
    return false;
  }
  if (!a.session) return true;
  const aws::SessionContext &x = *a.session, &y = *b.session;
  if (x.creation_date != y.creation_date || x.mfa_authenticated != y.mfa_authenticated ||
      x.source_identity != y.source_identity || x.issuer.has_value() != y.issuer.has_value()) {
    return false;
  }
  if (!x.issuer) return true;
  const aws::SessionIssuer &i = *x.issuer, &j = *y.issuer;
  return i.type == j.type && i.principal_id == j.principal_id && i.arn == j.arn &&
         i.account_id == j.account_id && i.user_name == j.user_name;
}

// The fields a token carries (the identity's access key id is the claims' own, set by the
// credential store; invoked_by belongs to service principals, which have no sessions).
bool SameClaims(const SessionClaims& a, const SessionClaims& b) {
  return a.access_key_id == b.access_key_id && a.secret_access_key == b.secret_access_key &&
         SameIdentity(a.identity, b.identity) && a.expires_at == b.expires_at &&
         a.session_policy == b.session_policy && a.session_policy_arns == b.session_policy_arns &&
         a.has_session_policy == b.has_session_policy;
}

bool AllUtf8(const SessionClaims& c) {
  const aws::Identity& id = c.identity;
  bool ok = IsValidUtf8(c.access_key_id) && IsValidUtf8(c.secret_access_key) &&
            IsValidUtf8(id.principal_id) && IsValidUtf8(id.arn) && IsValidUtf8(id.account_id) &&
            IsValidUtf8(id.user_name) && IsValidUtf8(id.session_name) &&
            IsValidUtf8(c.session_policy);
  for (const std::string& a : c.session_policy_arns) ok = ok && IsValidUtf8(a);
  if (id.session) {
    ok = ok && IsValidUtf8(id.session->source_identity);
    if (id.session->issuer) {
      const aws::SessionIssuer& i = *id.session->issuer;
      ok = ok && IsValidUtf8(i.type) && IsValidUtf8(i.principal_id) && IsValidUtf8(i.arn) &&
           IsValidUtf8(i.account_id) && IsValidUtf8(i.user_name);
    }
  }
  return ok;
}

SessionClaims ClaimsFrom(FuzzedDataProvider& fdp) {
  auto str = [&fdp] { return fdp.ConsumeRandomLengthString(256); };
  // Times a token can carry exactly: whole milliseconds within the clock's range.
  auto time = [&fdp] {
    return FromUnixMillis(
        fdp.ConsumeIntegralInRange<int64_t>(-kMaxUnixSeconds * 1000, kMaxUnixSeconds * 1000));
  };
  SessionClaims c;
  c.access_key_id = str();
  c.secret_access_key = str();
  c.identity.type = static_cast<aws::IdentityType>(fdp.ConsumeIntegralInRange<int>(0, 4));
  c.identity.principal_id = str();
  c.identity.arn = str();
  c.identity.account_id = str();
  c.identity.user_name = str();
  c.identity.session_name = str();
  if (fdp.ConsumeBool()) {
    aws::SessionContext s;
    s.creation_date = time();
    s.mfa_authenticated = fdp.ConsumeBool();
    s.source_identity = str();
    if (fdp.ConsumeBool()) s.issuer = aws::SessionIssuer{str(), str(), str(), str(), str()};
    c.identity.session = std::move(s);
  }
  c.expires_at = time();
  c.session_policy = fdp.ConsumeRandomLengthString(2048);
  for (int n = fdp.ConsumeIntegralInRange(0, 10); n > 0; --n)
    c.session_policy_arns.push_back(str());
  c.has_session_policy = fdp.ConsumeBool();
  return c;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// `plain` sealed in the token format (version 1, 12-byte nonce, AES-256-GCM with the version
// byte as associated data, base64 with '-' and '_'), under the server key.
std::string SealRaw(std::string_view plain) {
  std::string out(1 + 12 + plain.size() + 16, '\0');
  out[0] = 1;
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  for (int i = 0; i < 12; ++i) nonce[i] = static_cast<unsigned char>(i);
  auto* cipher = nonce + 12;
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  Check(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                           reinterpret_cast<const unsigned char*>(kTokenKey.data()), nonce) == 1,
        "EVP_EncryptInit_ex");
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(out.data()),
                    1);
  EVP_EncryptUpdate(ctx.get(), cipher, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, cipher + plain.size());
  std::string token = Base64Encode(out);
  for (char& ch : token) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return token;
}

// Whatever opened must survive another seal and open unchanged.
void CheckResealed(const iam::SessionTokenCodec& codec, const SessionClaims& claims,
                   uint64_t seed) {
  (void)aws::IdentityTypeName(claims.identity.type);
  SeededRandom random(seed);
  std::string token = codec.Seal(claims, random);
  if (token.size() > 16384) return;  // Open's limit; defaults added on the way may pass it
  std::optional<SessionClaims> again = codec.Open(token);
  Check(again.has_value(), "opened claims, sealed again, do not open");
  Check(SameClaims(claims, *again), "opened claims, sealed again, open to other claims");
}

}  // namespace
}  // namespace sagetrail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sagetrail;
  using namespace sagetrail::fuzz;

  static const iam::SessionTokenCodec codec{std::string(kTokenKey)};
  FuzzedDataProvider fdp(data, size);
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();

  switch (flags % 3) {
    case 0: {
      std::string token = fdp.ConsumeRemainingBytesAsString();
      if (auto claims = codec.Open(token)) CheckResealed(codec, *claims, size);
      break;
    }
    case 1: {
      const uint64_t seed = fdp.ConsumeIntegral<uint64_t>();
      const size_t tamper_at = fdp.ConsumeIntegral<uint16_t>();
      const uint8_t tamper_with = fdp.ConsumeIntegral<uint8_t>();
      SessionClaims claims = ClaimsFrom(fdp);
      SeededRandom random(seed);
      std::string token = codec.Seal(claims, random);
      std::optional<SessionClaims> opened = codec.Open(token);
      // Strings that are not UTF-8 cannot pass through the claims' JSON; such claims may fail to
      // open, but must never open as something else.
      if (AllUtf8(claims) && token.size() <= 16384) {
        Check(opened.has_value(), "sealed claims do not open");
      }
      if (opened) Check(SameClaims(claims, *opened), "sealed claims open to other claims");

      std::string altered = token;
      char& c = altered[tamper_at % altered.size()];
      char replacement = static_cast<char>(tamper_with);
      if (replacement == c) replacement = static_cast<char>(c ^ 1);
      c = replacement;
      Check(!codec.Open(altered).has_value(), "an altered token opened");
      break;
    }
    default: {
      std::string plain = fdp.ConsumeRemainingBytesAsString();
      if (auto claims = codec.Open(SealRaw(plain))) CheckResealed(codec, *claims, size);
      break;
    }
  }
  return 0;
}
