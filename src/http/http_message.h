// Plain HTTP request/response values passed between the HTTP server and the AWS pipeline.
// Nothing here depends on Beast, so the rest of the server never sees it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagetrail::http {

struct Header {
  std::string name;  // as received / as to be sent
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target, e.g. "/path?x=1"
  std::vector<Header> headers;
  std::string body;
  std::string remote_ip;
  uint16_t remote_port = 0;

  // Path and query parts of `target`, still percent-encoded.
  std::string_view path() const;
  std::string_view query() const;
  // First header with this name (ASCII case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  std::string_view HeaderOr(std::string_view name, std::string_view fallback = {}) const;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  bool close = false;  // close the connection after sending

  void SetHeader(std::string name, std::string value);
  const std::string* FindHeader(std::string_view name) const;
};

}  // namespace sagetrail::http
