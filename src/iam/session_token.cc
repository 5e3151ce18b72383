#include "iam/session_token.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <memory>

#include "common/crypto.h"

namespace sagetrail::iam {
namespace json = boost::json;

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// The token's characters are base64 with '+' '/' replaced, so it survives query strings.
std::string ToTokenAlphabet(std::string s) {
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::string FromTokenAlphabet(std::string_view t) {
  std::string s(t);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  return s;
}

json::value IdentityToJson(const aws::Identity& id) {
  json::object o{{"type", static_cast<int>(id.type)},
                 {"principal_id", id.principal_id},
                 {"arn", id.arn},
                 {"account_id", id.account_id},
                 {"user_name", id.user_name},
                 {"session_name", id.session_name}};
  if (id.session) {
    json::object s{{"created", ToUnixMillis(id.session->creation_date)},
                   {"mfa", id.session->mfa_authenticated},
                   {"source_identity", id.session->source_identity}};
    if (id.session->issuer) {
      const aws::SessionIssuer& i = *id.session->issuer;
      s["issuer"] = json::object{{"type", i.type},
                                 {"principal_id", i.principal_id},
                                 {"arn", i.arn},
                                 {"account_id", i.account_id},
                                 {"user_name", i.user_name}};
    }
    o["session"] = std::move(s);
  }
  return o;
}

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

std::optional<aws::Identity> IdentityFromJson(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  aws::Identity id;
  auto type = o->find("type");
  if (type == o->end() || !type->value().is_int64()) return std::nullopt;
  id.type = static_cast<aws::IdentityType>(type->value().get_int64());
  id.principal_id = Str(*o, "principal_id");
  id.arn = Str(*o, "arn");
  id.account_id = Str(*o, "account_id");
  id.user_name = Str(*o, "user_name");
  id.session_name = Str(*o, "session_name");
  if (auto s = o->find("session"); s != o->end() && s->value().is_object()) {
    const json::object& so = s->value().get_object();
    aws::SessionContext ctx;
    if (auto c = so.find("created"); c != so.end() && c->value().is_int64()) {
      ctx.creation_date = FromUnixMillis(c->value().get_int64());
    }
    if (auto m = so.find("mfa"); m != so.end() && m->value().is_bool()) {
      ctx.mfa_authenticated = m->value().get_bool();
    }
    ctx.source_identity = Str(so, "source_identity");
    if (auto i = so.find("issuer"); i != so.end() && i->value().is_object()) {
      const json::object& io = i->value().get_object();
      ctx.issuer = aws::SessionIssuer{Str(io, "type"), Str(io, "principal_id"), Str(io, "arn"),
                                      Str(io, "account_id"), Str(io, "user_name")};
    }
    id.session = std::move(ctx);
  }
  return id;
}

}  // namespace

std::string SessionTokenCodec::Seal(const SessionClaims& c, Random& random) const {
  json::array arns;
  for (const auto& a : c.session_policy_arns) arns.push_back(json::value(a));
  json::object claims{{"ak", c.access_key_id},
                      {"sk", c.secret_access_key},
                      {"id", IdentityToJson(c.identity)},
                      {"exp", ToUnixMillis(c.expires_at)},
                      {"sp", c.session_policy},
                      {"spa", std::move(arns)},
                      {"hsp", c.has_session_policy}};
  std::string plain = json::serialize(claims);

  std::string out(1 + kNonceBytes + plain.size() + kTagBytes, '\0');
  out[0] = static_cast<char>(kVersion);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  random.Fill(nonce, kNonceBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + 1 + kNonceBytes);
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key_.data()), nonce);
  // The version byte is authenticated too.
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(out.data()),
                    1);
  EVP_EncryptUpdate(ctx.get(), cipher, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plain.size());
  return ToTokenAlphabet(Base64Encode(out));
}

std::optional<SessionClaims> SessionTokenCodec::Open(std::string_view token) const {
  if (token.size() > 16384) return std::nullopt;
  auto raw = Base64Decode(FromTokenAlphabet(token));
  if (!raw || raw->size() < 1 + kNonceBytes + kTagBytes || (*raw)[0] != kVersion) {
    return std::nullopt;
  }
  // Only the exact spelling Seal produced: base64 decoding ignores the unused low bits of the
  // last character and '+' '/' would stand in for '-' '_', so other strings decode to the same
  // bytes and would open as the same session.
  if (ToTokenAlphabet(Base64Encode(*raw)) != token) return std::nullopt;
  size_t n = raw->size() - 1 - kNonceBytes - kTagBytes;
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data() + 1);
  const auto* cipher = nonce + kNonceBytes;
  std::string tag(raw->data() + 1 + kNonceBytes + n, kTagBytes);
  std::string plain(n, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key_.data()), nonce);
  EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(raw->data()),
                    1);
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, cipher,
                    static_cast<int>(n));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data());
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) <=
      0) {
    return std::nullopt;  // altered or not ours
  }
  boost::system::error_code ec;
  json::value v = json::parse(plain, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  SessionClaims c;
  c.access_key_id = Str(o, "ak");
  c.secret_access_key = Str(o, "sk");
  auto id = o.find("id");
  if (id == o.end()) return std::nullopt;
  auto identity = IdentityFromJson(id->value());
  if (!identity) return std::nullopt;
  c.identity = std::move(*identity);
  if (auto e = o.find("exp"); e != o.end() && e->value().is_int64()) {
    c.expires_at = FromUnixMillis(e->value().get_int64());
  }
  c.session_policy = Str(o, "sp");
  if (auto a = o.find("spa"); a != o.end() && a->value().is_array()) {
    for (const auto& x : a->value().get_array()) {
      if (x.is_string()) c.session_policy_arns.emplace_back(x.get_string());
    }
  }
  if (auto h = o.find("hsp"); h != o.end() && h->value().is_bool()) {
    c.has_session_policy = h->value().get_bool();
  }
  return c;
}

}  // namespace sagetrail::iam
