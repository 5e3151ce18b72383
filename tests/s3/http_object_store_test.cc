#include "s3/http_object_store.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "aws/sigv4/signing_key_cache.h"
#include "aws/sigv4/verifier.h"
#include "common/crypto.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"
#include "s3/moto_server.h"
#include "s3/s3_wire.h"
#include "s3/s3_xml.h"
#include "s3/scripted_http_server.h"

namespace sagetrail::s3 {
namespace {

using std::chrono::milliseconds;
using testing::ScriptedHttpServer;
using testing::ScriptedReply;
using testing::TempDir;

constexpr char kAccessKey[] = "AKIDEXAMPLE00000001";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Draws the largest value every time, so each backoff is exactly its cap.
class TopRandom final : public Random {
 public:
  void Fill(uint8_t* out, size_t n) override { std::memset(out, 0xFF, n); }
};

// Records the waits instead of waiting.
struct SleepLog {
  std::mutex mu;
  std::vector<int64_t> waits;
  std::function<void(milliseconds)> Sleeper() {
    return [this](milliseconds d) {
      std::lock_guard<std::mutex> l(mu);
      waits.push_back(d.count());
    };
  }
};

std::string Md5Hex(std::string_view data) { return HexEncode(Md5(data)); }

// `size` bytes that differ from one call to the next (splitmix64 of `seed`).
std::string Bytes(size_t size, uint64_t seed) {
  std::string out(size, '\0');
  SeededRandom random(seed);
  random.Fill(reinterpret_cast<uint8_t*>(out.data()), size);
  return out;
}

void WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> DirNames(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

HttpObjectStoreOptions Options(const std::string& endpoint, SleepLog* sleeps, Random* random) {
  HttpObjectStoreOptions o;
  o.endpoint = endpoint;
  o.access_key_id = kAccessKey;
  o.secret_access_key = kSecret;
  o.connect_timeout = milliseconds(2000);
  o.idle_timeout = milliseconds(10000);
  o.request_timeout = milliseconds(60000);
  if (sleeps) o.sleeper = sleeps->Sleeper();
  o.random = random;
  return o;
}

std::unique_ptr<HttpObjectStore> MustCreate(HttpObjectStoreOptions options) {
  Result<std::unique_ptr<HttpObjectStore>> store = HttpObjectStore::Create(std::move(options));
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

ScriptedReply XmlError(int status, std::string code, std::string message) {
  ScriptedReply r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/xml"});
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" +
           message + "</Message><RequestId>REQ123</RequestId></Error>";
  return r;
}

ScriptedReply Ok(std::string etag = "\"0123\"") {
  ScriptedReply r;
  r.headers.push_back({"ETag", std::move(etag)});
  return r;
}

// ---- construction -----------------------------------------------------------------------------

TEST(HttpObjectStoreTest, RefusesUnusableOptions) {
  HttpObjectStoreOptions o = Options("ftp://127.0.0.1:1", nullptr, nullptr);
  EXPECT_FALSE(HttpObjectStore::Create(o).ok());
  o.endpoint = "127.0.0.1:9000";
  EXPECT_FALSE(HttpObjectStore::Create(o).ok());
  o.endpoint = "http://user:pw@127.0.0.1:9000";
  EXPECT_FALSE(HttpObjectStore::Create(o).ok());
  o.endpoint = "http://127.0.0.1:9000/?x=1";
  EXPECT_FALSE(HttpObjectStore::Create(o).ok());
  o.endpoint = "https://s3.example.com/prefix/";
  EXPECT_TRUE(HttpObjectStore::Create(o).ok());
  o.access_key_id.clear();
  EXPECT_FALSE(HttpObjectStore::Create(o).ok());
}

TEST(HttpObjectStoreTest, RefusesTargetsAndHeadersItCannotSendWithoutSending) {
  ScriptedHttpServer server([](const http::Request&, int) { return Ok(); });
  ASSERT_TRUE(server.ok());
  auto store = MustCreate(Options(server.endpoint(), nullptr, nullptr));
  ASSERT_TRUE(store);
  // An empty key would address the bucket itself (PUT creates it, DELETE deletes it).
  Result<bool, aws::AwsError> d = store->DeleteObject("bucket", "");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "InvalidArgument");
  EXPECT_EQ(d.error().http_status, 0);
  EXPECT_FALSE(store->PutObject("a/b", "k", "x", {}).ok());
  PutOptions injected;
  injected.metadata["note"] = "x\r\nx-amz-acl: public-read";
  EXPECT_EQ(store->PutObject("bucket", "k", "x", injected).error().code, "InvalidArgument");
  PutOptions bad_name;
  bad_name.metadata["a b"] = "x";
  EXPECT_EQ(store->PutObject("bucket", "k", "x", bad_name).error().code, "InvalidArgument");
  EXPECT_TRUE(server.requests().empty());
}

// ---- against a scripted server: what is sent, retries, failures ------------------------------

// Every request the store sends verifies under our own SigV4 verifier, with the payload hash it
// claims, whatever the body: in memory, a file streamed whole, a file streamed in parts.
TEST(HttpObjectStoreTest, SignsEveryRequestWithItsPayloadHash) {
  testing::FakeCredentialStore credentials;
  aws::Credential credential;
  credential.access_key_id = kAccessKey;
  credential.secret_access_key = kSecret;
  credential.session_token = "session+token/=";
  credentials.Add(credential);
  SystemClock clock;
  aws::sigv4::SigningKeyCache cache;
  aws::sigv4::Verifier verifier(credentials, clock, cache);
  std::set<std::string> refused;
  std::mutex mu;

  ScriptedHttpServer server([&](const http::Request& request, int) {
    Result<aws::sigv4::VerifiedRequest, aws::sigv4::AuthFailure> v =
        verifier.Verify(request, {"s3", /*s3=*/true});
    if (!v.ok()) {
      std::lock_guard<std::mutex> l(mu);
      refused.insert(request.method + " " + request.target);
      return XmlError(403, "SignatureDoesNotMatch", "refused");
    }
    std::string_view target = request.target;
    if (request.method == "POST" && target.ends_with("?uploads")) {
      ScriptedReply r;
      r.body =
          "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>up/1+=</UploadId>"
          "</InitiateMultipartUploadResult>";
      return r;
    }
    if (request.method == "PUT" && target.find("partNumber=") != std::string_view::npos) {
      return Ok("\"" + Md5Hex(request.body) + "\"");
    }
    if (request.method == "POST") {
      ScriptedReply r;
      r.body =
          "<CompleteMultipartUploadResult><ETag>&quot;done-3&quot;</ETag>"
          "</CompleteMultipartUploadResult>";
      return r;
    }
    if (request.method == "GET" && target.find("list-type=2") != std::string_view::npos) {
      ScriptedReply r;
      r.body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
      return r;
    }
    return Ok();
  });
  ASSERT_TRUE(server.ok());
  HttpObjectStoreOptions o = Options(server.endpoint(), nullptr, nullptr);
  o.session_token = "session+token/=";
  o.multipart_threshold = 100 * 1024;
  o.part_size = 40 * 1024;
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  TempDir dir;
  std::string small = Bytes(30 * 1024, 1);
  std::string large = Bytes(100 * 1024 + 1, 2);  // 3 parts: 40 + 40 + 20 KiB + 1
  WriteFile(dir.Sub("small"), small);
  WriteFile(dir.Sub("large"), large);

  const std::string key = "dir/a b+c%\xC3\xBC/../x";
  PutOptions put;
  put.content_type = "text/plain";
  put.metadata["origin"] = "test";
  put.metadata["empty"] = "";
  ASSERT_TRUE(store->PutObject("bucket", key, "in memory", put).ok());
  ASSERT_TRUE(store->PutObjectFromFile("bucket", key, dir.Sub("small"), put).ok());
  Result<std::string, aws::AwsError> multi =
      store->PutObjectFromFile("bucket", key, dir.Sub("large"), put);
  ASSERT_TRUE(multi.ok()) << multi.error().code << ": " << multi.error().message;
  EXPECT_EQ(*multi, "\"done-3\"");
  ASSERT_TRUE(store->GetObject("bucket", key).ok());
  ASSERT_TRUE(store->HeadObject("bucket", key).ok());
  ListOptions list;
  list.prefix = "dir/a b";
  list.delimiter = "/";
  list.after = "dir/+";
  ASSERT_TRUE(store->ListObjects("bucket", list).ok());
  ASSERT_TRUE(store->DeleteObject("bucket", key).ok());
  EXPECT_TRUE(refused.empty()) << *refused.begin();

  std::vector<http::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 11u);
  const std::string path = "/bucket/dir/a%20b%2Bc%25%C3%BC/../x";
  EXPECT_EQ(seen[0].target, path);  // the key as S3 encodes it, dot segments kept
  EXPECT_EQ(seen[0].body, "in memory");
  EXPECT_EQ(seen[0].HeaderOr("Content-Type"), "text/plain");
  EXPECT_EQ(seen[0].HeaderOr("x-amz-meta-origin"), "test");
  ASSERT_NE(seen[0].FindHeader("x-amz-meta-empty"), nullptr);
  EXPECT_EQ(seen[0].HeaderOr("X-Amz-Security-Token"), "session+token/=");
  EXPECT_EQ(seen[1].body, small);
  EXPECT_EQ(seen[1].HeaderOr("x-amz-content-sha256"), Sha256Hex(small));
  // Multipart: the object's headers go with CreateMultipartUpload, the parts in order.
  EXPECT_EQ(seen[2].method + " " + seen[2].target, "POST " + path + "?uploads");
  EXPECT_EQ(seen[2].HeaderOr("x-amz-meta-origin"), "test");
  EXPECT_EQ(seen[3].target, path + "?partNumber=1&uploadId=up%2F1%2B%3D");
  EXPECT_EQ(seen[4].target, path + "?partNumber=2&uploadId=up%2F1%2B%3D");
  EXPECT_EQ(seen[5].target, path + "?partNumber=3&uploadId=up%2F1%2B%3D");
  EXPECT_EQ(seen[3].body.size() + seen[4].body.size() + seen[5].body.size(), large.size());
  EXPECT_EQ(seen[3].body + seen[4].body + seen[5].body, large);
  EXPECT_EQ(seen[6].method + " " + seen[6].target, "POST " + path + "?uploadId=up%2F1%2B%3D");
  std::optional<XmlElement> complete = ParseXml(seen[6].body);
  ASSERT_TRUE(complete);
  std::vector<const XmlElement*> parts = complete->Children("Part");
  ASSERT_EQ(parts.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(parts[i]->ChildText("PartNumber"), std::to_string(i + 1));
    EXPECT_EQ(parts[i]->ChildText("ETag"), "\"" + Md5Hex(seen[3 + i].body) + "\"");
  }
  EXPECT_EQ(seen[9].method, "GET");
  EXPECT_EQ(seen[9].target,
            "/bucket?delimiter=%2F&encoding-type=url&list-type=2&max-keys=1000&prefix=dir%2Fa%"
            "20b&start-after=dir%2F%2B");
  EXPECT_EQ(seen[10].method, "DELETE");
}

TEST(HttpObjectStoreTest, RetriesSlowDownWithBackoffThenSucceeds) {
  ScriptedHttpServer server([](const http::Request&, int n) {
    if (n < 2) return XmlError(503, "SlowDown", "Please reduce your request rate.");
    return Ok("\"abc\"");
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  TopRandom top;
  auto store = MustCreate(Options(server.endpoint(), &sleeps, &top));
  ASSERT_TRUE(store);
  Result<std::string, aws::AwsError> r = store->PutObject("bucket", "key", "body", {});
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(*r, "\"abc\"");
  EXPECT_EQ(sleeps.waits, (std::vector<int64_t>{100, 200}));
  std::vector<http::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const http::Request& req : seen) EXPECT_EQ(req.body, "body");
  // Each attempt is signed anew.
  EXPECT_NE(seen[0].FindHeader("Authorization"), nullptr);
}

TEST(HttpObjectStoreTest, GivesUpAfterMaxRetriesWithTheLastError) {
  ScriptedHttpServer server([](const http::Request&, int) {
    return XmlError(500, "InternalError", "We encountered an internal error. Please try again.");
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  TopRandom top;
  HttpObjectStoreOptions o = Options(server.endpoint(), &sleeps, &top);
  o.backoff_max = milliseconds(300);
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  Result<std::string, aws::AwsError> r = store->GetObject("bucket", "key");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_EQ(r.error().message, "We encountered an internal error. Please try again.");
  EXPECT_EQ(r.error().http_status, 500);
  EXPECT_EQ(server.requests().size(), 5u);  // the first attempt and max_retries (4) more
  EXPECT_EQ(sleeps.waits, (std::vector<int64_t>{100, 200, 300, 300}));
}

TEST(HttpObjectStoreTest, DoesNotRetryClientErrors) {
  ScriptedHttpServer server(
      [](const http::Request&, int) { return XmlError(403, "AccessDenied", "Access Denied"); });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  auto store = MustCreate(Options(server.endpoint(), &sleeps, nullptr));
  ASSERT_TRUE(store);
  Result<ObjectInfo, aws::AwsError> r = store->HeadObject("bucket", "key");
  ASSERT_FALSE(r.ok());
  // A HEAD answer has no body: the status names the error.
  EXPECT_EQ(r.error().code, "AccessDenied");
  EXPECT_EQ(r.error().http_status, 403);
  Result<std::string, aws::AwsError> g = store->GetObject("bucket", "key");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "AccessDenied");
  EXPECT_EQ(g.error().message, "Access Denied");
  ASSERT_EQ(g.error().extra.size(), 1u);
  EXPECT_EQ(g.error().extra[0].second, "REQ123");
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST(HttpObjectStoreTest, ConnectionRefusedIsServiceUnavailableAfterRetries) {
  uint16_t port = testing::FreeLoopbackPort();
  ASSERT_NE(port, 0);
  SleepLog sleeps;
  TopRandom top;
  HttpObjectStoreOptions o = Options("http://127.0.0.1:" + std::to_string(port), &sleeps, &top);
  o.max_retries = 2;
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  Result<std::string, aws::AwsError> r = store->GetObject("bucket", "key");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ServiceUnavailable");
  EXPECT_EQ(r.error().http_status, 0);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("curl error 7"), std::string::npos) << r.error().message;
  EXPECT_EQ(sleeps.waits, (std::vector<int64_t>{100, 200}));
}

TEST(HttpObjectStoreTest, AStalledAnswerTimesOut) {
  // The server never answers within the bound: a request timeout, retried like a failed
  // connection.
  std::atomic<bool> release{false};
  ScriptedHttpServer server([&](const http::Request&, int) {
    for (int i = 0; i < 100 && !release; ++i) std::this_thread::sleep_for(milliseconds(20));
    return Ok();
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  HttpObjectStoreOptions o = Options(server.endpoint(), &sleeps, nullptr);
  o.request_timeout = milliseconds(200);
  o.max_retries = 1;
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  Result<std::string, aws::AwsError> r = store->GetObject("bucket", "key");
  release = true;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RequestTimeout");
  EXPECT_EQ(r.error().http_status, 0);
  EXPECT_EQ(sleeps.waits.size(), 1u);
}

TEST(HttpObjectStoreTest, ADownloadCutShortIsRetriedIntoAFreshFile) {
  std::string body = Bytes(200 * 1024, 3);
  ScriptedHttpServer server([&](const http::Request&, int n) {
    ScriptedReply r = Ok("\"e\"");
    r.headers.push_back({"Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT"});
    r.headers.push_back({"x-amz-meta-kind", "digest"});
    r.body = body;
    if (n == 0) {
      // A larger object (replaced between attempts) cut after more bytes than the retry brings:
      // the retry must not leave any of them behind.
      r.body = Bytes(300 * 1024, 4);
      r.cut_body_at = 250 * 1024;
    }
    return r;
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  auto store = MustCreate(Options(server.endpoint(), &sleeps, nullptr));
  ASSERT_TRUE(store);
  TempDir dir;
  Result<ObjectInfo, aws::AwsError> r = store->GetObjectToFile("bucket", "k", dir.Sub("out"));
  ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(ReadFile(dir.Sub("out")), body);
  EXPECT_EQ(r->size, body.size());
  EXPECT_EQ(r->etag, "\"e\"");
  EXPECT_EQ(r->metadata.at("kind"), "digest");
  EXPECT_EQ(ToUnixSeconds(r->last_modified), 1796205600);
  EXPECT_EQ(DirNames(dir.path()), (std::vector<std::string>{"out"}));
}

TEST(HttpObjectStoreTest, AFailedPartAbortsTheMultipartUpload) {
  ScriptedHttpServer server([](const http::Request& request, int) {
    std::string_view target = request.target;
    if (request.method == "POST") {
      ScriptedReply r;
      r.body =
          "<InitiateMultipartUploadResult><UploadId>U1</UploadId>"
          "</InitiateMultipartUploadResult>";
      return r;
    }
    if (target.find("partNumber=2") != std::string_view::npos) {
      return XmlError(400, "InvalidRequest", "part refused");
    }
    if (request.method == "DELETE") {
      ScriptedReply r;
      r.status = 204;
      return r;
    }
    return Ok("\"p\"");
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  HttpObjectStoreOptions o = Options(server.endpoint(), &sleeps, nullptr);
  o.multipart_threshold = 10;
  o.part_size = 10;
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  TempDir dir;
  WriteFile(dir.Sub("f"), "0123456789abcdefghijKLMNO");
  Result<std::string, aws::AwsError> r = store->PutObjectFromFile("b", "k", dir.Sub("f"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidRequest");
  EXPECT_EQ(r.error().message, "part refused");
  std::vector<std::string> calls;
  for (const http::Request& req : server.requests()) calls.push_back(req.method + " " + req.target);
  EXPECT_EQ(calls, (std::vector<std::string>{
                       "POST /b/k?uploads", "PUT /b/k?partNumber=1&uploadId=U1",
                       "PUT /b/k?partNumber=2&uploadId=U1", "DELETE /b/k?uploadId=U1"}));
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST(HttpObjectStoreTest, AnErrorInACompleteAnswerIsRetried) {
  ScriptedHttpServer server([](const http::Request& request, int) {
    std::string_view target = request.target;
    ScriptedReply r;
    if (target.ends_with("?uploads")) {
      r.body =
          "<InitiateMultipartUploadResult><UploadId>U1</UploadId>"
          "</InitiateMultipartUploadResult>";
    } else if (request.method == "PUT") {
      r = Ok("\"p\"");
    } else {
      static int completes = 0;
      // S3 may answer CompleteMultipartUpload 200 and fail it in the body.
      r.body = completes++ == 0 ? "<Error><Code>InternalError</Code><Message>m</Message></Error>"
                                : "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag>"
                                  "</CompleteMultipartUploadResult>";
    }
    return r;
  });
  ASSERT_TRUE(server.ok());
  SleepLog sleeps;
  HttpObjectStoreOptions o = Options(server.endpoint(), &sleeps, nullptr);
  o.multipart_threshold = 10;
  o.part_size = 10;
  auto store = MustCreate(o);
  ASSERT_TRUE(store);
  TempDir dir;
  WriteFile(dir.Sub("f"), "0123456789abcde");
  Result<std::string, aws::AwsError> r = store->PutObjectFromFile("b", "k", dir.Sub("f"), {});
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(*r, "\"x-2\"");
  EXPECT_EQ(sleeps.waits.size(), 1u);
  EXPECT_EQ(server.requests().size(), 5u);
}

TEST(HttpObjectStoreTest, CallsFromManyThreadsEachGetTheirOwnAnswer) {
  ScriptedHttpServer server([](const http::Request& request, int) {
    ScriptedReply r;
    r.body = "answer to " + request.target;
    return r;
  });
  ASSERT_TRUE(server.ok());
  auto store = MustCreate(Options(server.endpoint(), nullptr, nullptr));
  ASSERT_TRUE(store);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        std::string key = "t" + std::to_string(t) + "/k" + std::to_string(i);
        Result<std::string, aws::AwsError> r = store->GetObject("bucket", key);
        if (r.ok() && *r == "answer to /bucket/" + key) ++right;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(right.load(), 60);
  EXPECT_EQ(server.requests().size(), 60u);
}

// ---- against moto_server ------------------------------------------------------------------------

class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { moto_ = testing::MotoServer::Start(&why_).release(); }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }

  void SetUp() override {
    if (!moto_) GTEST_SKIP() << "moto_server unavailable: " << why_;
    HttpObjectStoreOptions o = Options(moto_->endpoint(), &sleeps_, nullptr);
    o.multipart_threshold = 10 * 1024 * 1024;
    o.part_size = 8 * 1024 * 1024;
    store_ = MustCreate(o);
    ASSERT_TRUE(store_);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    bucket_ = "bucket-" + AsciiLower(info->name());
    ASSERT_TRUE(CreateBucket(bucket_));
  }

  // moto does not check signatures: a plain PUT creates the bucket.
  static bool CreateBucket(const std::string& name) {
    CURL* curl = curl_easy_init();
    std::string url = moto_->endpoint() + "/" + name;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK && status == 200;
  }

  static testing::MotoServer* moto_;
  static std::string why_;
  SleepLog sleeps_;
  std::unique_ptr<HttpObjectStore> store_;
  std::string bucket_;
};

testing::MotoServer* MotoTest::moto_ = nullptr;
std::string MotoTest::why_;

TEST_F(MotoTest, PutHeadGetDeleteAndErrorsMappedExactly) {
  const std::string key = "dir/a b+c%\xC3\xBC~(1).txt";
  PutOptions put;
  put.content_type = "text/plain; charset=utf-8";
  put.content_encoding = "gzip";
  put.metadata = {{"trail", "t1"}, {"origin", "sagetrail"}};
  put.acl = "bucket-owner-full-control";
  std::string body = "hello, objects";
  Result<std::string, aws::AwsError> etag = store_->PutObject(bucket_, key, body, put);
  ASSERT_TRUE(etag.ok()) << etag.error().code << ": " << etag.error().message;
  EXPECT_EQ(*etag, "\"" + Md5Hex(body) + "\"");

  Result<ObjectInfo, aws::AwsError> head = store_->HeadObject(bucket_, key);
  ASSERT_TRUE(head.ok()) << head.error().code;
  EXPECT_EQ(head->key, key);
  EXPECT_EQ(head->size, body.size());
  EXPECT_EQ(head->etag, *etag);
  EXPECT_EQ(head->content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(head->content_encoding, "gzip");
  EXPECT_EQ(head->metadata, put.metadata);
  EXPECT_GT(ToUnixSeconds(head->last_modified), 1700000000);

  Result<std::string, aws::AwsError> got = store_->GetObject(bucket_, key);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, body);  // stored bytes, not decoded although marked gzip

  // An empty object, and the default content type.
  ASSERT_TRUE(store_->PutObject(bucket_, "empty", "", {}).ok());
  EXPECT_EQ(store_->GetObject(bucket_, "empty").value(), "");
  EXPECT_EQ(store_->HeadObject(bucket_, "empty")->content_type, "binary/octet-stream");

  Result<bool, aws::AwsError> deleted = store_->DeleteObject(bucket_, key);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_TRUE(store_->DeleteObject(bucket_, key).ok());  // again: S3 does not mind

  Result<ObjectInfo, aws::AwsError> gone = store_->HeadObject(bucket_, key);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "NoSuchKey");
  EXPECT_EQ(gone.error().http_status, 404);
  Result<std::string, aws::AwsError> missing = store_->GetObject(bucket_, key);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NoSuchKey");
  EXPECT_EQ(missing.error().message, "The specified key does not exist.");
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_TRUE(missing.error().sender_fault);

  Result<std::string, aws::AwsError> no_bucket = store_->PutObject("no-such-bucket", "k", "x", {});
  ASSERT_FALSE(no_bucket.ok());
  EXPECT_EQ(no_bucket.error().code, "NoSuchBucket");
  EXPECT_EQ(no_bucket.error().message, "The specified bucket does not exist");
  EXPECT_EQ(no_bucket.error().http_status, 404);
  Result<ListPage, aws::AwsError> no_list = store_->ListObjects("no-such-bucket", {});
  ASSERT_FALSE(no_list.ok());
  EXPECT_EQ(no_list.error().code, "NoSuchBucket");
  EXPECT_TRUE(sleeps_.waits.empty());
}

TEST_F(MotoTest, ListsWithPrefixDelimiterAndPages) {
  std::vector<std::string> keys;
  for (const char* sub : {"a", "b", "c"}) {
    for (int i = 0; i < 7; ++i)
      keys.push_back(std::string("logs/") + sub + "/" + std::to_string(i));
  }
  keys.push_back("logs/file 1+2&<3>.json");
  keys.push_back("other/x");
  keys.push_back("top");
  for (const std::string& k : keys) ASSERT_TRUE(store_->PutObject(bucket_, k, k, {}).ok()) << k;

  ListOptions folders;
  folders.prefix = "logs/";
  folders.delimiter = "/";
  Result<ListPage, aws::AwsError> top = store_->ListObjects(bucket_, folders);
  ASSERT_TRUE(top.ok()) << top.error().code << ": " << top.error().message;
  EXPECT_EQ(top->prefixes, (std::vector<std::string>{"logs/a/", "logs/b/", "logs/c/"}));
  ASSERT_EQ(top->objects.size(), 1u);
  EXPECT_EQ(top->objects[0].key, "logs/file 1+2&<3>.json");
  EXPECT_EQ(top->objects[0].size, keys[21].size());
  EXPECT_EQ(top->objects[0].etag, "\"" + Md5Hex(keys[21]) + "\"");
  EXPECT_GT(ToUnixSeconds(top->objects[0].last_modified), 1700000000);
  EXPECT_FALSE(top->next);

  // Pages of 10 under "logs/": 22 keys in order, then no continuation.
  ListOptions paged;
  paged.prefix = "logs/";
  paged.max_keys = 10;
  std::vector<std::string> listed;
  std::vector<size_t> page_sizes;
  for (int guard = 0; guard < 10; ++guard) {
    Result<ListPage, aws::AwsError> page = store_->ListObjects(bucket_, paged);
    ASSERT_TRUE(page.ok()) << page.error().code;
    page_sizes.push_back(page->objects.size());
    for (const ObjectInfo& o : page->objects) listed.push_back(o.key);
    if (!page->next) break;
    paged.continuation = *page->next;
  }
  std::vector<std::string> expected(keys.begin(), keys.begin() + 22);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(page_sizes, (std::vector<size_t>{10, 10, 2}));

  ListOptions after;
  after.after = "logs/b/6";
  after.max_keys = 2;
  Result<ListPage, aws::AwsError> rest = store_->ListObjects(bucket_, after);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->objects.size(), 2u);
  EXPECT_EQ(rest->objects[0].key, "logs/c/0");
  EXPECT_EQ(rest->objects[1].key, "logs/c/1");
  EXPECT_TRUE(rest->next);
}

TEST_F(MotoTest, StreamsFilesSingleAndMultipart) {
  TempDir dir;
  std::string small = Bytes(3 * 1024 * 1024 + 7, 11);
  WriteFile(dir.Sub("small.bin"), small);
  Result<std::string, aws::AwsError> single =
      store_->PutObjectFromFile(bucket_, "files/small.bin", dir.Sub("small.bin"), {});
  ASSERT_TRUE(single.ok()) << single.error().code << ": " << single.error().message;
  EXPECT_EQ(*single, "\"" + Md5Hex(small) + "\"");

  // 20 MiB over a 10 MiB threshold in 8 MiB parts: 8 + 8 + 4, ETag md5(md5(p1)md5(p2)md5(p3))-3.
  const size_t mib = 1024 * 1024;
  std::string large = Bytes(20 * mib, 12);
  WriteFile(dir.Sub("large.bin"), large);
  PutOptions put;
  put.content_type = "application/x-tar";
  put.metadata["parts"] = "three";
  Result<std::string, aws::AwsError> multi =
      store_->PutObjectFromFile(bucket_, "files/large.bin", dir.Sub("large.bin"), put);
  ASSERT_TRUE(multi.ok()) << multi.error().code << ": " << multi.error().message;
  std::string digests;
  for (size_t off = 0; off < large.size(); off += 8 * mib) {
    auto d = Md5(std::string_view(large).substr(off, 8 * mib));
    digests.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  EXPECT_EQ(*multi, "\"" + Md5Hex(digests) + "-3\"");

  Result<ObjectInfo, aws::AwsError> head = store_->HeadObject(bucket_, "files/large.bin");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, large.size());
  EXPECT_EQ(head->etag, *multi);
  EXPECT_EQ(head->content_type, "application/x-tar");
  EXPECT_EQ(head->metadata.at("parts"), "three");

  std::filesystem::create_directory(dir.path() / "down");
  Result<ObjectInfo, aws::AwsError> got =
      store_->GetObjectToFile(bucket_, "files/large.bin", dir.path() / "down" / "large.bin");
  ASSERT_TRUE(got.ok()) << got.error().code;
  EXPECT_EQ(got->size, large.size());
  EXPECT_EQ(got->etag, *multi);
  EXPECT_TRUE(ReadFile(dir.path() / "down" / "large.bin") == large);
  ASSERT_TRUE(
      store_->GetObjectToFile(bucket_, "files/small.bin", dir.path() / "down" / "small.bin").ok());
  EXPECT_TRUE(ReadFile(dir.path() / "down" / "small.bin") == small);

  // A failed download leaves the file it would have replaced as it was, and no temporary file.
  WriteFile(dir.path() / "down" / "keep", "previous");
  Result<ObjectInfo, aws::AwsError> missing =
      store_->GetObjectToFile(bucket_, "files/none", dir.path() / "down" / "keep");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NoSuchKey");
  EXPECT_EQ(ReadFile(dir.path() / "down" / "keep"), "previous");
  EXPECT_EQ(DirNames(dir.path() / "down"),
            (std::vector<std::string>{"keep", "large.bin", "small.bin"}));

  // A missing source file fails before anything is sent.
  Result<std::string, aws::AwsError> no_file =
      store_->PutObjectFromFile(bucket_, "files/x", dir.Sub("absent"), {});
  ASSERT_FALSE(no_file.ok());
  EXPECT_EQ(no_file.error().code, "InternalFailure");
  EXPECT_EQ(no_file.error().http_status, 0);
  EXPECT_TRUE(sleeps_.waits.empty());
}

}  // namespace
}  // namespace sagetrail::s3
