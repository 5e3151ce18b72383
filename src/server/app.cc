#include "server/app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/audit_sink.h"
#include "aws/model/model_registry.h"
#include "aws/pipeline.h"
#include "aws/service_router.h"
#include "aws/sigv4/signing_key_cache.h"
#include "aws/sigv4/verifier.h"
#include "http/http_server.h"
#include "iam/identity_store.h"
#include "sagemaker/sagemaker_service.h"

namespace sagetrail::server {
namespace fs = std::filesystem;

std::string VersionString(const std::string& botocore_version) {
  return std::string("sagetrail ") + SAGETRAIL_VERSION + " (botocore models " + botocore_version +
         ")";
}

// Everything the server is made of, in construction order (destroyed in reverse).
struct App::Parts {
  std::unique_ptr<Clock> owned_clock;
  std::unique_ptr<Random> owned_random;
  Clock* clock = nullptr;
  Random* random = nullptr;
  std::unique_ptr<aws::ModelRegistry> models;
  std::unique_ptr<iam::IdentityStore> identities;
  std::unique_ptr<aws::sigv4::SigningKeyCache> key_cache;
  std::unique_ptr<aws::sigv4::Verifier> verifier;
  std::unique_ptr<aws::ServiceRouter> router;
  std::unique_ptr<sagemaker::SageMakerService> sagemaker;
  // The HTTP server outlives the audit sink and pipeline: responders that are still pending
  // when the sink drains post onto its (stopped) executor.
  std::unique_ptr<http::Server> http;
  std::unique_ptr<aws::AuditSink> audit;
  std::unique_ptr<aws::Pipeline> pipeline;
  bool started = false;
};

namespace {

// The first start of a data directory: an account with root credentials and an IAM user "admin"
// with an access key.
Status Bootstrap(iam::IdentityStore& ids, const ServeOptions& options,
                 const std::string& credentials_path) {
  if (!ids.Accounts().empty()) return Status::Ok();
  Status s = ids.CreateAccount(options.account_id, "");
  if (!s.ok()) return s;
  auto root = ids.CreateAccessKey(options.account_id, "");
  if (!root.ok()) return root.error();
  auto user = ids.CreateUser(options.account_id, "admin");
  if (!user.ok()) return user.error();
  auto admin = ids.CreateAccessKey(options.account_id, "admin");
  if (!admin.ok()) return admin.error();

  std::ostringstream text;
  text << "# sagetrail credentials for account " << options.account_id << "\n"
       << "[root]\naws_access_key_id = " << root->access_key_id
       << "\naws_secret_access_key = " << root->secret_access_key << "\n\n"
       << "[admin]\naws_access_key_id = " << admin->access_key_id
       << "\naws_secret_access_key = " << admin->secret_access_key << "\n";
  // Written with mode 0600 from the start: secrets never sit in a world-readable file.
  std::string tmp = credentials_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IOError("cannot write " + tmp);
    ::chmod(tmp.c_str(), 0600);
    out << text.str();
    if (!out.flush()) return Status::IOError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, credentials_path, ec);
  if (ec) return Status::IOError("cannot write " + credentials_path + ": " + ec.message());
  spdlog::info("created account {} with users root and admin; credentials in {}",
               options.account_id, credentials_path);
  return Status::Ok();
}

}  // namespace

App::App(const ServeOptions& options) : options_(options), parts_(std::make_unique<Parts>()) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(const ServeOptions& options, Clock* clock,
                                         Random* random) {
  auto app = std::unique_ptr<App>(new App(options));
  Parts& p = *app->parts_;
  if (clock == nullptr) {
    p.owned_clock = std::make_unique<SystemClock>();
    clock = p.owned_clock.get();
  }
  if (random == nullptr) {
    p.owned_random = std::make_unique<SystemRandom>();
    random = p.owned_random.get();
  }
  p.clock = clock;
  p.random = random;

  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) return Status::IOError("cannot create " + options.data_dir + ": " + ec.message());
  fs::path data_dir = fs::absolute(options.data_dir, ec);
  app->credentials_path_ = (data_dir / "credentials").string();

  auto models_dir = aws::ModelRegistry::LocateDataDir(options.models_dir);
  if (!models_dir.ok()) return models_dir.error();
  auto models = aws::ModelRegistry::Load(*models_dir, aws::ModelRegistry::DefaultServices());
  if (!models.ok()) return models.error();
  p.models = std::move(models).value();

  auto ids = iam::IdentityStore::Open((data_dir / "state.db").string(), *random, *clock);
  if (!ids.ok()) return ids.error();
  p.identities = std::move(ids).value();
  Status s = Bootstrap(*p.identities, options, app->credentials_path_);
  if (!s.ok()) return s;

  p.key_cache = std::make_unique<aws::sigv4::SigningKeyCache>();
  p.verifier = std::make_unique<aws::sigv4::Verifier>(*p.identities, *clock, *p.key_cache);
  p.router = std::make_unique<aws::ServiceRouter>(*p.models);
  p.sagemaker = std::make_unique<sagemaker::SageMakerService>();
  p.router->Attach(p.sagemaker.get());
  p.audit = std::make_unique<aws::NullAuditSink>();
  p.pipeline = std::make_unique<aws::Pipeline>(*p.router, *p.verifier, *clock, *random, *p.audit,
                                               VersionString(p.models->botocore_version()));

  http::ServerOptions http_options;
  http_options.threads = options.threads;
  http_options.body_limit = options.max_body_bytes;
  aws::Pipeline* pipeline = p.pipeline.get();
  p.http = std::make_unique<http::Server>(
      http_options,
      [pipeline](http::Request req, http::Responder respond) {
        pipeline->Handle(std::move(req), std::move(respond));
      },
      [pipeline](int status, std::string_view reason, const http::Request& partial) {
        return pipeline->Reject(status, reason, partial);
      });
  return app;
}

Status App::Start() {
  Parts& p = *parts_;
  Status s = p.http->Listen(options_.host, options_.port);
  if (!s.ok()) return s;
  p.http->Start();
  p.started = true;
  return Status::Ok();
}

void App::Stop() {
  if (!parts_ || !parts_->started) return;
  parts_->started = false;
  parts_->http->Stop();
  // The audit sink drains here (its destructor) before the HTTP server goes away.
  parts_->pipeline.reset();
  parts_->audit.reset();
}

uint16_t App::port() const { return parts_->http->port(); }

const aws::ModelRegistry& App::models() const { return *parts_->models; }

std::string App::ClientExports() const {
  std::string host = options_.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  std::ostringstream out;
  out << "export AWS_SHARED_CREDENTIALS_FILE=" << credentials_path_ << "\n"
      << "export AWS_PROFILE=admin\n"
      << "export AWS_ENDPOINT_URL=http://" << host << ":" << port() << "\n"
      << "export AWS_DEFAULT_REGION=" << options_.default_region << "\n";
  return out.str();
}

}  // namespace sagetrail::server
