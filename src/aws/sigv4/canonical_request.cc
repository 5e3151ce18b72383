#include "aws/sigv4/canonical_request.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace sagetrail::aws::sigv4 {
namespace {

// RFC 3986 remove_dot_segments, also dropping empty segments as AWS does.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  for (std::string_view seg : Split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string result = "/";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) result.push_back('/');
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result.push_back('/');
  return result;
}

void AppendCollapsed(std::string_view value, std::string* out) {
  value = Trim(value);
  // Runs without blanks are copied whole; each run of blanks (obsolete line folding included)
  // becomes one space.
  size_t i = 0;
  while (i < value.size()) {
    size_t blank = value.find_first_of(" \t\r\n", i);
    if (blank == std::string_view::npos) {
      out->append(value.substr(i));
      return;
    }
    out->append(value.substr(i, blank - i));
    out->push_back(' ');
    i = value.find_first_not_of(" \t\r\n", blank);
    if (i == std::string_view::npos) return;
  }
}

}  // namespace

std::string CanonicalUri(std::string_view raw_path, bool s3) {
  if (raw_path.empty()) return "/";
  if (s3) return std::string(raw_path);
  return UriEncode(NormalizePath(raw_path), /*keep_slash=*/true);
}

std::string CanonicalQueryString(std::string_view raw_query, std::string_view skip) {
  if (raw_query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view part : Split(raw_query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::string key = UriEncode(UriDecode(k, false), false);
    if (!skip.empty() && UriDecode(k, false) == skip) continue;
    params.emplace_back(std::move(key), UriEncode(UriDecode(v, false), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out.push_back('&');
    out += params[i].first;
    out.push_back('=');
    out += params[i].second;
  }
  return out;
}

bool CanonicalHeaders(const std::vector<http::Header>& headers,
                      const std::vector<std::string_view>& signed_headers, std::string* out) {
  for (std::string_view name : signed_headers) {
    out->append(name);
    out->push_back(':');
    bool found = false;
    for (const http::Header& h : headers) {
      if (!EqualsIgnoreCase(h.name, name)) continue;
      if (found) out->push_back(',');
      AppendCollapsed(h.value, out);
      found = true;
    }
    if (!found) return false;
    out->push_back('\n');
  }
  return true;
}

std::string CanonicalRequest(const CanonicalRequestParts& p) {
  std::string out;
  out.reserve(512);
  out.append(p.method);
  out.push_back('\n');
  out += CanonicalUri(p.raw_path, p.s3);
  out.push_back('\n');
  out += CanonicalQueryString(p.raw_query, p.skip_query_param);
  out.push_back('\n');
  if (!CanonicalHeaders(*p.headers, p.signed_headers, &out)) return {};
  out.push_back('\n');
  for (size_t i = 0; i < p.signed_headers.size(); ++i) {
    if (i) out.push_back(';');
    out.append(p.signed_headers[i]);
  }
  out.push_back('\n');
  out.append(p.payload_hash);
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string s;
  s.reserve(date.size() + region.size() + service.size() + 16);
  s.append(date).append("/").append(region).append("/").append(service).append("/aws4_request");
  return s;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string s;
  s.reserve(160);
  s.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
  s += Sha256Hex(canonical_request);
  return s;
}

Sha256Digest SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k = "AWS4";
  k.append(secret);
  auto as_view = [](const Sha256Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  Sha256Digest k_date = HmacSha256(k, date);
  Sha256Digest k_region = HmacSha256(as_view(k_date), region);
  Sha256Digest k_service = HmacSha256(as_view(k_region), service);
  return HmacSha256(as_view(k_service), "aws4_request");
}

std::string Signature(const Sha256Digest& signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(
      std::string_view(reinterpret_cast<const char*>(signing_key.data()), signing_key.size()),
      string_to_sign));
}

}  // namespace sagetrail::aws::sigv4
