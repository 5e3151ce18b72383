#include "aws/sigv4/signing_key_cache.h"

#include "aws/sigv4/canonical_request.h"

namespace sagetrail::aws::sigv4 {

Sha256Digest SigningKeyCache::Get(std::string_view access_key_id, std::string_view secret,
                                  std::string_view date, std::string_view region,
                                  std::string_view service) {
  std::string cache_key;
  cache_key.reserve(access_key_id.size() + date.size() + region.size() + service.size() + 3);
  cache_key.append(access_key_id)
      .append("/")
      .append(date)
      .append("/")
      .append(region)
      .append("/")
      .append(service);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(cache_key);
    if (it != entries_.end() && it->second.secret == secret) return it->second.key;
  }
  Sha256Digest key = SigningKey(secret, date, region, service);
  std::lock_guard<std::mutex> lock(mu_);
  // Keys are valid for a day; a full cache is simply emptied (cheap to refill, never unbounded).
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[cache_key] = Entry{std::string(secret), key};
  return key;
}

size_t SigningKeyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace sagetrail::aws::sigv4
