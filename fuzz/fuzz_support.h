// Helpers shared by the libFuzzer targets in this folder: a plain-text request format the seed
// corpora are written in, a fixed clock and an in-memory credential store, the botocore models,
// and a check that aborts (so libFuzzer reports the input) when an invariant breaks.
//
// Nothing here keeps state between inputs except the models, which are immutable once loaded:
// every target gets the same result for the same input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aws/credential_store.h"
#include "aws/model/model_registry.h"
#include "common/clock.h"
#include "http/http_message.h"

namespace sagetrail::fuzz {

// 2026-11-22T10:00:00Z: "now" for every target, and the time the seed requests were signed at.
inline constexpr int64_t kNowUnixSeconds = 1795341600;
inline TimePoint Now() { return FromUnixSeconds(kNowUnixSeconds); }

// The credentials the sigv4 target knows (the seed tool signs with the same ones).
inline constexpr char kAccessKeyId[] = "AKIAFUZZFUZZFUZZFUZZ";
inline constexpr char kSecretKey[] = "fuzzSecretKey/0123456789/abcdefghijklmnop";
inline constexpr char kTempAccessKeyId[] = "ASIAFUZZFUZZFUZZFUZZ";
inline constexpr char kTempSecretKey[] = "fuzzTempSecret/0123456789/abcdefghijklmno";
inline constexpr char kSessionToken[] = "FuzzSessionToken0123456789abcdefghijklmnopqrstuvwxyz";
inline constexpr char kExpiredAccessKeyId[] = "ASIAFUZZEXPIREDFUZZZ";
inline constexpr char kInactiveAccessKeyId[] = "AKIAFUZZINACTIVEFUZZ";

// The session-token target's server key (32 bytes).
inline constexpr std::string_view kTokenKey = "fuzz-session-token-key-32-bytes!";

// Reports `what` and aborts when `ok` is false: a broken invariant is a finding like a crash.
void Check(bool ok, const char* what);

// A request written as text, the way the seed corpora hold them:
//   METHOD SP TARGET LF          (no space: the whole line is the method, the target is "/")
//   Name: value LF               (zero or more; blanks around the value are dropped, as the
//   ...                           HTTP layer does; a line without ':' is a header with no value)
//   LF
//   body                         (the rest, byte for byte)
// A CR before each LF is dropped. Parsing never fails: any bytes make some request.
http::Request ParseRequestText(std::string_view text);

// The inverse, for the seed tool: ParseRequestText(RequestText(r)) == r for requests whose
// method has no space and whose header names and values hold no LF.
std::string RequestText(const http::Request& request);

class FixedClock final : public Clock {
 public:
  TimePoint Now() const override { return fuzz::Now(); }
};

// The credentials above: a long-term key, a temporary key with its session token, an expired
// temporary key and an inactive key.
class FuzzCredentialStore final : public aws::CredentialStore {
 public:
  FuzzCredentialStore();
  std::shared_ptr<const aws::Credential> Find(std::string_view access_key_id,
                                              std::string_view session_token) const override;

 private:
  std::unordered_map<std::string, std::shared_ptr<const aws::Credential>> credentials_;
};

// The botocore models of `services`, located as the server locates them; aborts if they cannot
// be loaded (a fuzz run without its models would test nothing).
std::unique_ptr<aws::ModelRegistry> LoadModels(const std::vector<std::string>& services);

bool IsValidUtf8(std::string_view s);

}  // namespace sagetrail::fuzz
