#include "fuzz_support.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace sagetrail::fuzz {
namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line of `text` from `*pos` (without its LF and a CR before it); false at the end.
bool NextLine(std::string_view text, size_t* pos, std::string_view* line) {
  if (*pos >= text.size()) return false;
  size_t lf = text.find('\n', *pos);
  size_t end = lf == std::string_view::npos ? text.size() : lf;
  *line = text.substr(*pos, end - *pos);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  *pos = lf == std::string_view::npos ? text.size() : lf + 1;
  return true;
}

}  // namespace

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

http::Request ParseRequestText(std::string_view text) {
  http::Request r;
  r.remote_ip = "127.0.0.1";
  size_t pos = 0;
  std::string_view line;
  if (!NextLine(text, &pos, &line)) {
    r.method = "GET";
    r.target = "/";
    return r;
  }
  size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  while (NextLine(text, &pos, &line)) {
    if (line.empty()) break;
    size_t colon = line.find(':');
    http::Header h;
    h.name = std::string(line.substr(0, colon));
    if (colon != std::string_view::npos) h.value = std::string(TrimBlanks(line.substr(colon + 1)));
    r.headers.push_back(std::move(h));
  }
  if (pos < text.size()) r.body = std::string(text.substr(pos));
  return r;
}

std::string RequestText(const http::Request& request) {
  std::string out = request.method + " " + request.target + "\n";
  for (const http::Header& h : request.headers) out += h.name + ": " + h.value + "\n";
  out += "\n";
  out += request.body;
  return out;
}

FuzzCredentialStore::FuzzCredentialStore() {
  auto add = [this](std::string key, std::string secret, std::string token, bool active,
                    std::optional<TimePoint> expiration) {
    auto c = std::make_shared<aws::Credential>();
    c->access_key_id = key;
    c->secret_access_key = std::move(secret);
    c->session_token = std::move(token);
    c->active = active;
    c->expiration = expiration;
    c->created = Now() - std::chrono::hours(24);
    c->identity.account_id = "123456789012";
    c->identity.access_key_id = key;
    credentials_[key] = std::move(c);
  };
  add(kAccessKeyId, kSecretKey, "", true, std::nullopt);
  add(kTempAccessKeyId, kTempSecretKey, kSessionToken, true, Now() + std::chrono::hours(1));
  add(kExpiredAccessKeyId, kTempSecretKey, kSessionToken, true, Now() - std::chrono::hours(1));
  add(kInactiveAccessKeyId, kSecretKey, "", false, std::nullopt);
}

std::shared_ptr<const aws::Credential> FuzzCredentialStore::Find(std::string_view access_key_id,
                                                                 std::string_view) const {
  auto it = credentials_.find(std::string(access_key_id));
  return it == credentials_.end() ? nullptr : it->second;
}

std::unique_ptr<aws::ModelRegistry> LoadModels(const std::vector<std::string>& services) {
  auto dir = aws::ModelRegistry::LocateDataDir("");
  if (!dir.ok()) {
    std::fprintf(stderr, "fuzz: botocore models not found: %s\n", dir.error().message().c_str());
    std::abort();
  }
  auto registry = aws::ModelRegistry::Load(*dir, services);
  if (!registry.ok()) {
    std::fprintf(stderr, "fuzz: cannot load models: %s\n", registry.error().message().c_str());
    std::abort();
  }
  return std::move(registry).value();
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace sagetrail::fuzz
