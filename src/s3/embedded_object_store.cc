#include "s3/embedded_object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

#include "aws/protocol/generic_value.h"
#include "aws/upload_spool.h"

namespace sagetrail::s3 {
namespace json = boost::json;
using aws::AwsError;

namespace {

AwsError LocalError(std::string message) {
  return AwsError{"InternalError", std::move(message), 500, false};
}

ObjectInfo InfoFrom(std::string_view key, const json::value& out) {
  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<uint64_t>(aws::IntField(out, "ContentLength").value_or(0));
  info.etag = std::string(aws::StringField(out, "ETag").value_or(""));
  if (const json::value* t = aws::Field(out, "LastModified")) {
    info.last_modified = aws::ToTimePoint(*t).value_or(TimePoint{});
  }
  info.content_type = std::string(aws::StringField(out, "ContentType").value_or(""));
  info.content_encoding = std::string(aws::StringField(out, "ContentEncoding").value_or(""));
  if (const json::value* m = aws::Field(out, "Metadata"); m && m->is_object()) {
    for (const auto& [k, v] : m->as_object()) {
      if (v.is_string()) info.metadata[std::string(k)] = std::string(v.as_string());
    }
  }
  return info;
}

}  // namespace

EmbeddedObjectStore::EmbeddedObjectStore(aws::InternalInvoker& invoker, CallFactory make_call,
                                         std::filesystem::path spool_dir, Random& random)
    : invoker_(invoker),
      make_call_(std::move(make_call)),
      spool_dir_(std::move(spool_dir)),
      random_(random) {}

aws::InternalResult EmbeddedObjectStore::Call(aws::InternalCall call) {
  std::promise<aws::InternalResult> promise;
  auto future = promise.get_future();
  invoker_.Invoke(std::move(call),
                  [&promise](aws::InternalResult r) { promise.set_value(std::move(r)); });
  return future.get();
}

Result<std::string, AwsError> EmbeddedObjectStore::Put(std::string_view bucket,
                                                       std::string_view key,
                                                       const PutOptions& options, std::string body,
                                                       std::shared_ptr<http::BodySink> streamed) {
  json::object input{{"Bucket", bucket}, {"Key", key}};
  if (!options.content_type.empty()) input["ContentType"] = options.content_type;
  if (!options.content_encoding.empty()) input["ContentEncoding"] = options.content_encoding;
  if (!options.acl.empty()) input["ACL"] = options.acl;
  if (!options.metadata.empty()) {
    json::object m;
    for (const auto& [k, v] : options.metadata) m[k] = v;
    input["Metadata"] = std::move(m);
  }
  aws::InternalCall call = make_call_("PutObject", std::move(input));
  call.body = std::move(body);
  call.streamed_body = std::move(streamed);
  aws::InternalResult r = Call(std::move(call));
  if (r.error) return *r.error;
  return std::string(aws::StringField(r.output, "ETag").value_or(""));
}

Result<std::string, AwsError> EmbeddedObjectStore::PutObject(std::string_view bucket,
                                                             std::string_view key,
                                                             std::string_view body,
                                                             const PutOptions& options) {
  return Put(bucket, key, options, std::string(body), nullptr);
}

Result<std::string, AwsError> EmbeddedObjectStore::PutObjectFromFile(
    std::string_view bucket, std::string_view key, const std::filesystem::path& file,
    const PutOptions& options) {
  http::Request head;
  head.headers.push_back({"x-amz-content-sha256", "UNSIGNED-PAYLOAD"});
  auto spool = std::make_shared<aws::UploadSpool>(spool_dir_, head, random_);
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return LocalError("cannot open " + file.string() + ": " + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return LocalError("cannot read " + file.string() + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    spool->Append(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  spool->Finish();
  return Put(bucket, key, options, "", std::move(spool));
}

Result<std::string, AwsError> EmbeddedObjectStore::GetObject(std::string_view bucket,
                                                             std::string_view key) {
  aws::InternalResult r =
      Call(make_call_("GetObject", json::object{{"Bucket", bucket}, {"Key", key}}));
  if (r.error) return *r.error;
  std::string out;
  if (r.output_body) {
    out.resize(r.output_body->size());
    size_t done = 0;
    while (done < out.size()) {
      size_t n = r.output_body->Read(out.data() + done, out.size() - done);
      if (n == 0) return LocalError("the object could not be read whole");
      done += n;
    }
  }
  return out;
}

Result<ObjectInfo, AwsError> EmbeddedObjectStore::GetObjectToFile(
    std::string_view bucket, std::string_view key, const std::filesystem::path& file) {
  aws::InternalResult r =
      Call(make_call_("GetObject", json::object{{"Bucket", bucket}, {"Key", key}}));
  if (r.error) return *r.error;
  std::filesystem::path temp = file;
  temp += ".part";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return LocalError("cannot create " + temp.string() + ": " + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  uint64_t left = r.output_body ? r.output_body->size() : 0;
  bool ok = true;
  while (ok && left > 0) {
    size_t n =
        r.output_body->Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(left, buf.size())));
    if (n == 0) ok = false;
    size_t done = 0;
    while (ok && done < n) {
      ssize_t w = ::write(fd, buf.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) ok = false;
      done += w > 0 ? static_cast<size_t>(w) : 0;
    }
    left -= n;
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    ::unlink(temp.c_str());
    return LocalError("cannot write " + file.string());
  }
  return InfoFrom(key, r.output);
}

Result<ObjectInfo, AwsError> EmbeddedObjectStore::HeadObject(std::string_view bucket,
                                                             std::string_view key) {
  aws::InternalResult r =
      Call(make_call_("HeadObject", json::object{{"Bucket", bucket}, {"Key", key}}));
  if (r.error) return *r.error;
  return InfoFrom(key, r.output);
}

Result<ListPage, AwsError> EmbeddedObjectStore::ListObjects(std::string_view bucket,
                                                            const ListOptions& options) {
  json::object input{{"Bucket", bucket}, {"MaxKeys", options.max_keys}};
  if (!options.prefix.empty()) input["Prefix"] = options.prefix;
  if (!options.delimiter.empty()) input["Delimiter"] = options.delimiter;
  if (!options.after.empty()) input["StartAfter"] = options.after;
  if (!options.continuation.empty()) input["ContinuationToken"] = options.continuation;
  aws::InternalResult r = Call(make_call_("ListObjectsV2", std::move(input)));
  if (r.error) return *r.error;
  ListPage page;
  if (const json::value* c = aws::Field(r.output, "Contents"); c && c->is_array()) {
    for (const auto& o : c->as_array()) {
      ObjectInfo info;
      info.key = std::string(aws::StringField(o, "Key").value_or(""));
      info.size = static_cast<uint64_t>(aws::IntField(o, "Size").value_or(0));
      info.etag = std::string(aws::StringField(o, "ETag").value_or(""));
      if (const json::value* t = aws::Field(o, "LastModified")) {
        info.last_modified = aws::ToTimePoint(*t).value_or(TimePoint{});
      }
      page.objects.push_back(std::move(info));
    }
  }
  if (const json::value* cp = aws::Field(r.output, "CommonPrefixes"); cp && cp->is_array()) {
    for (const auto& p : cp->as_array()) {
      std::string prefix(aws::StringField(p, "Prefix").value_or(""));
      page.prefixes.push_back(std::move(prefix));
    }
  }
  if (aws::BoolField(r.output, "IsTruncated").value_or(false)) {
    page.next = std::string(aws::StringField(r.output, "NextContinuationToken").value_or(""));
  }
  return page;
}

Result<bool, AwsError> EmbeddedObjectStore::DeleteObject(std::string_view bucket,
                                                         std::string_view key) {
  aws::InternalResult r =
      Call(make_call_("DeleteObject", json::object{{"Bucket", bucket}, {"Key", key}}));
  if (r.error) return *r.error;
  return true;
}

}  // namespace sagetrail::s3
