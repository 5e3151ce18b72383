#include "s3/http_object_store.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "aws/sigv4/signer.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "http/http_message.h"
#include "s3/s3_wire.h"
#include "s3/s3_xml.h"

namespace sagetrail::s3 {

struct HttpObjectStore::Call {
  std::string method;
  std::string path;   // percent-encoded, from '/'
  std::string query;  // percent-encoded, without '?'
  std::vector<http::Header> headers;
  // The request body: `body` in memory, or `body_length` bytes of `body_fd` from `body_offset`.
  std::string_view body;
  int body_fd = -1;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  std::string source_name;     // the file `body_fd` reads, for messages
  std::string payload_sha256;  // hex; empty: computed from `body`
  // A 2xx answer's body goes to `sink_fd` (written from offset 0) when set, else into Reply::body.
  int sink_fd = -1;
  std::string sink_name;
  bool error_in_ok_body = false;  // a 200 may carry an <Error> (CompleteMultipartUpload)
};

struct HttpObjectStore::Reply {
  int status = 0;
  std::vector<http::Header> headers;
  std::string body;
  uint64_t sunk = 0;  // bytes written to the call's sink

  const std::string* Find(std::string_view name) const {
    for (const http::Header& h : headers) {
      if (EqualsIgnoreCase(h.name, name)) return &h.value;
    }
    return nullptr;
  }
};

namespace {

using aws::AwsError;
using Reply = HttpObjectStore::Reply;
using Call = HttpObjectStore::Call;

constexpr size_t kMaxIdleHandles = 8;
constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr uint64_t kMaxParts = 10'000;
constexpr size_t kHashBuffer = 1024 * 1024;

AwsError OurError(std::string_view code, std::string message) {
  AwsError e;
  e.code = std::string(code);
  e.message = std::move(message);
  e.http_status = 0;
  e.sender_fault = false;
  return e;
}

AwsError InvalidArgument(std::string message) {
  AwsError e = OurError("InvalidArgument", std::move(message));
  e.sender_fault = true;
  return e;
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now, reporting close's error (a delayed write failure on some file systems).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool SafeHeaderValue(std::string_view v) {
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool HeaderToken(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::optional<AwsError> CheckTarget(std::string_view bucket, std::string_view key) {
  if (bucket.empty() || bucket.find('/') != std::string_view::npos) {
    return InvalidArgument("invalid bucket name \"" + std::string(bucket) + "\"");
  }
  if (key.empty()) return InvalidArgument("an object key must not be empty");
  return std::nullopt;
}

Result<std::vector<http::Header>, AwsError> PutHeaders(const PutOptions& o) {
  std::vector<http::Header> headers;
  auto add = [&headers](std::string name, std::string_view value) -> bool {
    if (!SafeHeaderValue(value)) return false;
    headers.push_back({std::move(name), std::string(value)});
    return true;
  };
  if (!add("Content-Type", o.content_type.empty() ? "binary/octet-stream" : o.content_type) ||
      (!o.content_encoding.empty() && !add("Content-Encoding", o.content_encoding)) ||
      (!o.acl.empty() && !add("x-amz-acl", o.acl))) {
    return InvalidArgument("a content type, content encoding or ACL holds a control character");
  }
  for (const auto& [name, value] : o.metadata) {
    if (!HeaderToken(name)) return InvalidArgument("invalid metadata name \"" + name + "\"");
    if (!add("x-amz-meta-" + AsciiLower(name), value)) {
      return InvalidArgument("the value of metadata \"" + name + "\" holds a control character");
    }
  }
  return headers;
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

ObjectInfo InfoFromHeaders(std::string_view key, const Reply& reply) {
  ObjectInfo info;
  info.key = std::string(key);
  for (const http::Header& h : reply.headers) {
    std::string name = AsciiLower(h.name);
    if (name == "content-length") {
      info.size = ParseUint(h.value).value_or(0);
    } else if (name == "etag") {
      info.etag = h.value;
    } else if (name == "last-modified") {
      if (std::optional<TimePoint> t = ParseHttpDate(h.value)) info.last_modified = *t;
    } else if (name == "content-type") {
      info.content_type = h.value;
    } else if (name == "content-encoding") {
      info.content_encoding = h.value;
    } else if (name.starts_with("x-amz-meta-")) {
      info.metadata[name.substr(11)] = h.value;
    }
  }
  return info;
}

// The hex SHA-256 of `length` bytes of `fd` from `offset`.
Result<std::string, AwsError> HashRange(int fd, uint64_t offset, uint64_t length,
                                        const std::string& name) {
  Sha256Hasher hasher;
  std::string buffer(static_cast<size_t>(std::min<uint64_t>(kHashBuffer, length)), '\0');
  uint64_t done = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), length - done));
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OurError(kLocalFailureCode, "reading " + name + ": " + ErrnoText(errno));
    if (n == 0) {
      return OurError(kLocalFailureCode, "reading " + name + ": the file shrank while uploaded");
    }
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  return HexEncode(hasher.Finish());
}

std::string Query(const std::vector<std::pair<std::string_view, std::string_view>>& params) {
  std::string q;
  for (const auto& [name, value] : params) {
    if (!q.empty()) q.push_back('&');
    q += UriEncode(name, false);
    q.push_back('=');
    q += UriEncode(value, false);
  }
  return q;
}

// ---- curl callbacks ------------------------------------------------------------------------

struct Transfer {
  const Call* call = nullptr;
  Reply reply;
  uint64_t sent = 0;
  int sink_errno = 0;
  bool source_failed = false;
  int source_errno = 0;

  uint64_t BodySize() const {
    return call->body_fd >= 0 ? call->body_length : static_cast<uint64_t>(call->body.size());
  }
};

size_t ReadBody(char* out, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const Call& c = *t->call;
  size_t want = static_cast<size_t>(std::min<uint64_t>(size * count, t->BodySize() - t->sent));
  if (want == 0) return 0;
  if (c.body_fd < 0) {
    std::memcpy(out, c.body.data() + t->sent, want);
    t->sent += want;
    return want;
  }
  ssize_t n;
  do {
    n = ::pread(c.body_fd, out, want, static_cast<off_t>(c.body_offset + t->sent));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    t->source_failed = true;
    t->source_errno = n < 0 ? errno : 0;
    return CURL_READFUNC_ABORT;
  }
  t->sent += static_cast<uint64_t>(n);
  return static_cast<size_t>(n);
}

// curl rewinds the body when it sends the request again on a fresh connection.
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->BodySize()) {
    return CURL_SEEKFUNC_FAIL;
  }
  t->sent = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new answer (after a 100 Continue, say): only the last one counts.
    t->reply.headers.clear();
    size_t sp = line.find(' ');
    t->reply.status = 0;
    if (sp != std::string_view::npos) {
      t->reply.status = static_cast<int>(ParseUint(line.substr(sp + 1, 3)).value_or(0));
    }
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->reply.headers.push_back(
        {std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1)))});
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  bool ok = t->reply.status >= 200 && t->reply.status < 300;
  if (t->call->sink_fd >= 0 && ok) {
    size_t done = 0;
    while (done < n) {
      ssize_t w = ::pwrite(t->call->sink_fd, data + done, n - done,
                           static_cast<off_t>(t->reply.sunk + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        t->sink_errno = w < 0 ? errno : EIO;
        return 0;  // anything but n fails the transfer
      }
      done += static_cast<size_t>(w);
    }
    t->reply.sunk += n;
    return n;
  }
  if (t->call->sink_fd >= 0 || !ok) {
    // An error body: enough of it to read the <Error>.
    size_t room = kMaxErrorBody > t->reply.body.size() ? kMaxErrorBody - t->reply.body.size() : 0;
    t->reply.body.append(data, std::min(n, room));
    return n;
  }
  t->reply.body.append(data, n);
  return n;
}

AwsError TransportError(CURLcode rc, const char* curl_message, const Transfer& t,
                        const std::string& what) {
  const Call& c = *t.call;
  if (t.sink_errno != 0) {
    return OurError(kLocalFailureCode, "writing " + c.sink_name + ": " + ErrnoText(t.sink_errno));
  }
  if (t.source_failed) {
    return OurError(kLocalFailureCode,
                    "reading " + c.source_name + ": " +
                        (t.source_errno ? ErrnoText(t.source_errno)
                                        : std::string("the file shrank while uploaded")));
  }
  std::string_view code = kLocalFailureCode;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      code = kTimeoutCode;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      code = kConnectionFailedCode;
      break;
    default:
      break;
  }
  std::string detail = curl_message[0] ? curl_message : curl_easy_strerror(rc);
  return OurError(
      code, what + ": " + detail + " (curl error " + std::to_string(static_cast<int>(rc)) + ")");
}

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::once_flag curl_init_once;

}  // namespace

// ---- construction ------------------------------------------------------------------------------

Result<std::unique_ptr<HttpObjectStore>> HttpObjectStore::Create(HttpObjectStoreOptions options) {
  std::string_view url = options.endpoint;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Status::InvalidArgument("S3 endpoint \"" + options.endpoint + "\" is not a URL");
  }
  Endpoint endpoint;
  endpoint.scheme = AsciiLower(url.substr(0, sep));
  if (endpoint.scheme != "http" && endpoint.scheme != "https") {
    return Status::InvalidArgument("S3 endpoint \"" + options.endpoint +
                                   "\" is neither http:// nor https://");
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("S3 endpoint \"" + options.endpoint +
                                   "\" has a query or fragment");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      !SafeHeaderValue(authority) || authority.find(' ') != std::string_view::npos) {
    return Status::InvalidArgument("S3 endpoint \"" + options.endpoint + "\" has no usable host");
  }
  endpoint.authority = std::string(authority);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.path = std::string(path);
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return Status::InvalidArgument("S3 credentials need an access key id and a secret");
  }
  if (!SafeHeaderValue(options.access_key_id) || !SafeHeaderValue(options.session_token) ||
      !SafeHeaderValue(options.region) || options.region.empty()) {
    return Status::InvalidArgument("S3 access key id, session token or region is not usable");
  }
  if (options.part_size == 0) return Status::InvalidArgument("S3 part size must not be 0");
  if (options.max_retries < 0) options.max_retries = 0;

  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::unique_ptr<HttpObjectStore>(
      new HttpObjectStore(std::move(options), std::move(endpoint)));
}

HttpObjectStore::HttpObjectStore(HttpObjectStoreOptions options, Endpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {
  if (!options_.sleeper) {
    options_.sleeper = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (options_.random) {
    random_ = options_.random;
  } else {
    own_random_ = std::make_unique<SystemRandom>();
    random_ = own_random_.get();
  }
  if (options_.clock) {
    clock_ = options_.clock;
  } else {
    own_clock_ = std::make_unique<SystemClock>();
    clock_ = own_clock_.get();
  }
}

HttpObjectStore::~HttpObjectStore() {
  for (void* h : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpObjectStore::AcquireHandle() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!idle_handles_.empty()) {
      void* h = idle_handles_.back();
      idle_handles_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpObjectStore::ReleaseHandle(void* handle) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (idle_handles_.size() < kMaxIdleHandles) {
      idle_handles_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

// ---- one request -------------------------------------------------------------------------------

Result<HttpObjectStore::Reply, AwsError> HttpObjectStore::Execute(Call& call) {
  if (call.payload_sha256.empty()) call.payload_sha256 = Sha256Hex(call.body);
  for (int retry = 0;; ++retry) {
    Result<Reply, AwsError> r = Attempt(call);
    if (r.ok() || retry >= options_.max_retries || !IsRetryable(r.error())) return r;
    std::chrono::milliseconds wait =
        BackoffDelay(retry, options_.backoff_base, options_.backoff_max, *random_);
    spdlog::debug("S3 {} {}: {} ({}), attempt {} of {} in {} ms", call.method, call.path,
                  r.error().code, r.error().message, retry + 2, options_.max_retries + 1,
                  wait.count());
    options_.sleeper(wait);
  }
}

Result<HttpObjectStore::Reply, AwsError> HttpObjectStore::Attempt(Call& call) {
  http::Request request;
  request.method = call.method;
  request.target = call.query.empty() ? call.path : call.path + "?" + call.query;
  request.headers.push_back({"Host", endpoint_.authority});
  for (const http::Header& h : call.headers) request.headers.push_back(h);
  request.headers.push_back({"x-amz-content-sha256", call.payload_sha256});
  aws::sigv4::SigningCredentials credentials{options_.access_key_id, options_.secret_access_key,
                                             options_.session_token};
  aws::sigv4::SignOptions sign_options{options_.region, "s3", /*s3=*/true};
  aws::sigv4::SignRequest(request, credentials, sign_options, clock_->Now());

  std::unique_ptr<curl_slist, SlistFree> header_list;
  auto append = [&header_list](const std::string& line) {
    curl_slist* l = curl_slist_append(header_list.get(), line.c_str());
    if (l) {
      (void)header_list.release();
      header_list.reset(l);
    }
    return l != nullptr;
  };
  bool listed = true;
  for (const http::Header& h : request.headers) {
    // "Name;" is curl's way to send a header with an empty value ("Name:" would drop it).
    listed = listed && append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  listed = listed && append("Expect:");  // no 100-continue round trip
  if (!listed) return OurError(kLocalFailureCode, "out of memory building the request");

  if (call.sink_fd >= 0 && ::ftruncate(call.sink_fd, 0) != 0) {
    return OurError(kLocalFailureCode, "truncating " + call.sink_name + ": " + ErrnoText(errno));
  }

  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (!curl) return OurError(kLocalFailureCode, "curl_easy_init failed");
  struct Release {
    HttpObjectStore* store;
    CURL* curl;
    ~Release() { store->ReleaseHandle(curl); }
  } release{this, curl};
  curl_easy_reset(curl);

  Transfer t;
  t.call = &call;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  std::string url = endpoint_.scheme + "://" + endpoint_.authority + request.target;
  static const std::string user_agent = std::string("sagetrail/") + SAGETRAIL_VERSION;

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // keys may hold "/../" and "//"
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // the environment's proxy variables do not apply
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(options_.connect_timeout.count(), 1)));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(options_.idle_timeout.count() / 1000, 1)));
  if (options_.request_timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);

  auto curl_size = static_cast<curl_off_t>(t.BodySize());
  if (call.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_size);
  } else if (call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_size);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (call.method == "PUT" || call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
  }

  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    return TransportError(rc, error_buffer, t,
                          call.method + " " + endpoint_.scheme + "://" + endpoint_.authority);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  t.reply.status = static_cast<int>(status);
  if (status < 200 || status >= 300) return ErrorFromResponse(t.reply.status, t.reply.body);
  if (call.error_in_ok_body) {
    if (std::optional<AwsError> e = ErrorInOkBody(t.reply.body)) return std::move(*e);
  }
  return std::move(t.reply);
}

// ---- operations --------------------------------------------------------------------------------

Result<std::string, AwsError> HttpObjectStore::PutObject(std::string_view bucket,
                                                         std::string_view key,
                                                         std::string_view body,
                                                         const PutOptions& options) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  Result<std::vector<http::Header>, AwsError> headers = PutHeaders(options);
  if (!headers.ok()) return std::move(headers).error();
  Call call;
  call.method = "PUT";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  call.headers = std::move(headers).value();
  call.body = body;
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();
  const std::string* etag = r->Find("ETag");
  return etag ? *etag : std::string();
}

Result<std::string, AwsError> HttpObjectStore::PutObjectFromFile(std::string_view bucket,
                                                                 std::string_view key,
                                                                 const std::filesystem::path& file,
                                                                 const PutOptions& options) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  Result<std::vector<http::Header>, AwsError> headers = PutHeaders(options);
  if (!headers.ok()) return std::move(headers).error();
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return OurError(kLocalFailureCode, "opening " + file.string() + ": " + ErrnoText(errno));
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return OurError(kLocalFailureCode, "reading " + file.string() + ": " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return OurError(kLocalFailureCode, file.string() + " is not a regular file");
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (size > options_.multipart_threshold) {
    return PutMultipart(bucket, key, fd, size, std::move(headers).value(), file.string());
  }
  Result<std::string, AwsError> hash = HashRange(fd, 0, size, file.string());
  if (!hash.ok()) return std::move(hash).error();
  Call call;
  call.method = "PUT";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  call.headers = std::move(headers).value();
  call.body_fd = fd;
  call.body_length = size;
  call.source_name = file.string();
  call.payload_sha256 = std::move(hash).value();
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();
  const std::string* etag = r->Find("ETag");
  return etag ? *etag : std::string();
}

Result<std::string, AwsError> HttpObjectStore::PutMultipart(std::string_view bucket,
                                                            std::string_view key, int fd,
                                                            uint64_t size,
                                                            std::vector<http::Header> headers,
                                                            const std::string& file_name) {
  std::string path = ObjectPath(endpoint_.path, bucket, key);

  Call create;
  create.method = "POST";
  create.path = path;
  create.query = "uploads";
  create.headers = std::move(headers);
  Result<Reply, AwsError> created = Execute(create);
  if (!created.ok()) return std::move(created).error();
  std::optional<XmlElement> doc = ParseXml(created->body);
  std::string upload_id = doc ? doc->ChildText("UploadId") : std::string();
  if (upload_id.empty()) {
    return OurError(kMalformedResponseCode, "CreateMultipartUpload answered without an UploadId");
  }
  std::string upload_query = Query({{"uploadId", upload_id}});

  auto abort = [&](AwsError error) -> AwsError {
    Call call;
    call.method = "DELETE";
    call.path = path;
    call.query = upload_query;
    Result<Reply, AwsError> aborted = Execute(call);
    if (!aborted.ok()) {
      spdlog::warn(
          "S3 AbortMultipartUpload of {} failed: {} ({}); its parts stay until a "
          "lifecycle rule removes them",
          path, aborted.error().code, aborted.error().message);
    }
    return error;
  };

  uint64_t part_size = std::max(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
  std::string complete =
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int part_number = 0;
  for (uint64_t offset = 0; offset < size; offset += part_size) {
    ++part_number;
    uint64_t length = std::min(part_size, size - offset);
    Result<std::string, AwsError> hash = HashRange(fd, offset, length, file_name);
    if (!hash.ok()) return abort(std::move(hash).error());
    std::string number = std::to_string(part_number);
    Call call;
    call.method = "PUT";
    call.path = path;
    call.query = Query({{"partNumber", number}, {"uploadId", upload_id}});
    call.body_fd = fd;
    call.body_offset = offset;
    call.body_length = length;
    call.source_name = file_name;
    call.payload_sha256 = std::move(hash).value();
    Result<Reply, AwsError> uploaded = Execute(call);
    if (!uploaded.ok()) return abort(std::move(uploaded).error());
    const std::string* etag = uploaded->Find("ETag");
    if (!etag || etag->empty()) {
      return abort(OurError(kMalformedResponseCode, "UploadPart answered without an ETag"));
    }
    complete +=
        "<Part><PartNumber>" + number + "</PartNumber><ETag>" + XmlEscape(*etag) + "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";

  Call call;
  call.method = "POST";
  call.path = path;
  call.query = upload_query;
  call.headers.push_back({"Content-Type", "application/xml"});
  call.body = complete;
  call.error_in_ok_body = true;
  Result<Reply, AwsError> completed = Execute(call);
  if (!completed.ok()) return abort(std::move(completed).error());
  std::optional<XmlElement> result = ParseXml(completed->body);
  std::string etag = result ? result->ChildText("ETag") : std::string();
  if (etag.empty()) {
    return OurError(kMalformedResponseCode, "CompleteMultipartUpload answered without an ETag");
  }
  return etag;
}

Result<std::string, AwsError> HttpObjectStore::GetObject(std::string_view bucket,
                                                         std::string_view key) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  Call call;
  call.method = "GET";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();
  return std::move(r->body);
}

Result<ObjectInfo, AwsError> HttpObjectStore::GetObjectToFile(std::string_view bucket,
                                                              std::string_view key,
                                                              const std::filesystem::path& file) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  if (!file.has_filename()) {
    return InvalidArgument("\"" + file.string() + "\" does not name a file");
  }
  uint8_t suffix[6];
  random_->Fill(suffix, sizeof suffix);
  std::filesystem::path temp = file;
  temp.replace_filename("." + file.filename().string() + ".part-" +
                        HexEncode(suffix, sizeof suffix));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    return OurError(kLocalFailureCode, "creating " + temp.string() + ": " + ErrnoText(errno));
  }
  FdCloser closer(fd);
  auto discard = [&temp](AwsError error) -> AwsError {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    return error;
  };

  Call call;
  call.method = "GET";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  call.sink_fd = fd;
  call.sink_name = temp.string();
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return discard(std::move(r).error());
  if (closer.Close() != 0) {
    return discard(
        OurError(kLocalFailureCode, "writing " + temp.string() + ": " + ErrnoText(errno)));
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    return discard(OurError(kLocalFailureCode, "renaming " + temp.string() + " to " +
                                                   file.string() + ": " + ErrnoText(errno)));
  }
  ObjectInfo info = InfoFromHeaders(key, *r);
  info.size = r->sunk;
  return info;
}

Result<ObjectInfo, AwsError> HttpObjectStore::HeadObject(std::string_view bucket,
                                                         std::string_view key) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  Call call;
  call.method = "HEAD";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();
  return InfoFromHeaders(key, *r);
}

Result<ListPage, AwsError> HttpObjectStore::ListObjects(std::string_view bucket,
                                                        const ListOptions& options) {
  if (bucket.empty() || bucket.find('/') != std::string_view::npos) {
    return InvalidArgument("invalid bucket name \"" + std::string(bucket) + "\"");
  }
  std::string max_keys = std::to_string(options.max_keys);
  std::vector<std::pair<std::string_view, std::string_view>> params;
  if (!options.continuation.empty())
    params.emplace_back("continuation-token", options.continuation);
  if (!options.delimiter.empty()) params.emplace_back("delimiter", options.delimiter);
  params.emplace_back("encoding-type", "url");
  params.emplace_back("list-type", "2");
  if (options.max_keys > 0) params.emplace_back("max-keys", max_keys);
  if (!options.prefix.empty()) params.emplace_back("prefix", options.prefix);
  if (!options.after.empty()) params.emplace_back("start-after", options.after);

  Call call;
  call.method = "GET";
  call.path = ObjectPath(endpoint_.path, bucket, {});
  call.query = Query(params);
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();

  std::optional<XmlElement> doc = ParseXml(r->body);
  if (!doc || doc->name != "ListBucketResult") {
    return OurError(kMalformedResponseCode, "ListObjectsV2 answered without a ListBucketResult");
  }
  bool url_encoded = doc->ChildText("EncodingType") == "url";
  auto decode = [url_encoded](const std::string& s) {
    return url_encoded ? UriDecode(s, /*plus_is_space=*/true) : s;
  };
  ListPage page;
  for (const XmlElement* c : doc->Children("Contents")) {
    ObjectInfo info;
    info.key = decode(c->ChildText("Key"));
    info.size = ParseUint(c->ChildText("Size")).value_or(0);
    info.etag = c->ChildText("ETag");
    if (std::optional<TimePoint> t = ParseIso8601(c->ChildText("LastModified"))) {
      info.last_modified = *t;
    }
    page.objects.push_back(std::move(info));
  }
  for (const XmlElement* p : doc->Children("CommonPrefixes")) {
    page.prefixes.push_back(decode(p->ChildText("Prefix")));
  }
  if (doc->ChildText("IsTruncated") == "true") {
    std::string token = doc->ChildText("NextContinuationToken");
    if (token.empty()) {
      return OurError(kMalformedResponseCode,
                      "ListObjectsV2 answered a truncated page without a NextContinuationToken");
    }
    page.next = std::move(token);
  }
  return page;
}

Result<bool, AwsError> HttpObjectStore::DeleteObject(std::string_view bucket,
                                                     std::string_view key) {
  if (std::optional<AwsError> e = CheckTarget(bucket, key)) return std::move(*e);
  Call call;
  call.method = "DELETE";
  call.path = ObjectPath(endpoint_.path, bucket, key);
  Result<Reply, AwsError> r = Execute(call);
  if (!r.ok()) return std::move(r).error();
  return true;
}

}  // namespace sagetrail::s3
