#include "server/app.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/audit_sink.h"
#include "aws/model/model_registry.h"
#include "aws/model/region_catalog.h"
#include "aws/pipeline.h"
#include "aws/service_router.h"
#include "aws/sigv4/signing_key_cache.h"
#include "aws/sigv4/verifier.h"
#include "cloudtrail/cloudtrail_service.h"
#include "cloudtrail/record/event_builder.h"
#include "cloudtrail/store/event_writer.h"
#include "common/private_dir.h"
#include "common/thread_scheduler.h"
#include "http/http_server.h"
#include "iam/iam_authorizer.h"
#include "iam/iam_service.h"
#include "iam/identity_store.h"
#include "iam/policy/resource_policy_validator.h"
#include "iam/sts_service.h"
#include "s3/blob_files.h"
#include "s3/s3_service.h"
#include "sagemaker/runtime_service.h"
#include "sagemaker/sagemaker_service.h"
#include "server/accounts.h"
#include "server/control_server.h"
#include "server/storage.h"

namespace sagetrail::server {
namespace fs = std::filesystem;

std::string VersionString(const std::string& botocore_version) {
  return std::string("sagetrail ") + SAGETRAIL_VERSION + " (botocore models " + botocore_version +
         ")";
}

// Everything the server is made of. Members are destroyed in reverse order of declaration, and
// App::Stop() first stops every thread in a fixed order (HTTP, control socket, scheduler, then
// the commit path, which drains), so no part is destroyed while a thread may still use it: the
// scheduler is declared after the services its tasks call, the storage before everything that
// commits through it, the HTTP server before the writer whose callbacks answer on it.
struct App::Parts {
  std::unique_ptr<Clock> owned_clock;
  std::unique_ptr<Random> owned_random;
  Clock* clock = nullptr;
  Random* random = nullptr;
  std::unique_ptr<aws::ModelRegistry> models;
  std::unique_ptr<aws::RegionCatalog> regions;
  std::unique_ptr<Storage> storage;
  std::unique_ptr<iam::IdentityStore> identities;
  std::unique_ptr<iam::IamAuthorizer> authorizer;
  std::unique_ptr<iam::IamService> iam;
  std::unique_ptr<iam::StsService> sts;
  std::unique_ptr<aws::sigv4::SigningKeyCache> key_cache;
  std::unique_ptr<aws::sigv4::Verifier> verifier;
  std::unique_ptr<aws::ServiceRouter> router;
  std::unique_ptr<sagemaker::SageMakerService> sagemaker;
  std::unique_ptr<sagemaker::RuntimeService> sagemaker_runtime;
  std::unique_ptr<cloudtrail::CloudTrailService> cloudtrail;
  std::unique_ptr<s3::BlobFiles> blobs;
  std::unique_ptr<s3::S3Service> s3;
  std::unique_ptr<ThreadScheduler> scheduler;  // after the services whose transitions it runs
  std::unique_ptr<http::Server> http;
  std::unique_ptr<aws::Pipeline> pipeline;
  std::unique_ptr<ControlServer> control;
  bool started = false;

  // Stops every thread, in order; idempotent. Afterwards the parts can be destroyed.
  void StopThreads() {
    if (http) http->Stop();
    if (control) control->Stop();
    if (scheduler) scheduler->Stop();
    if (storage) storage->StopWriter();  // commits what was submitted, then stops
  }
  ~Parts() { StopThreads(); }
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
  s = ids.AttachPolicyNow(options.account_id, {"user", "admin"},
                          "arn:aws:iam::aws:policy/AdministratorAccess");
  if (!s.ok()) return s;

  std::ostringstream text;
  text << "# sagetrail credentials for account " << options.account_id << "\n"
       << "[root]\naws_access_key_id = " << root->access_key_id
       << "\naws_secret_access_key = " << root->secret_access_key << "\n\n"
       << "[admin]\naws_access_key_id = " << admin->access_key_id
       << "\naws_secret_access_key = " << admin->secret_access_key << "\n";
  // Created with mode 0600: the secrets never sit in a file others can open.
  std::string tmp = credentials_path + ".tmp";
  {
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return Status::IOError("cannot write " + tmp);
    std::string data = text.str();
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) return Status::IOError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, credentials_path, ec);
  if (ec) return Status::IOError("cannot write " + credentials_path + ": " + ec.message());
  spdlog::info("created account {} with users root and admin; credentials in {}",
               options.account_id, credentials_path);
  return Status::Ok();
}

// Makes the data directory private (see common/private_dir.h), saying what it changed.
Status SecureDataDir(const std::string& dir) {
  auto changed = MakePrivateDir(dir);
  if (!changed.ok()) return changed.error();
  if (!changed->empty()) {
    spdlog::warn(
        "{} was readable by other users: made {} path(s) under it private (0600 files, "
        "0700 folders)",
        dir, changed->size());
  }
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
    if (options.clock_offset.count() != 0) {
      p.owned_clock = std::make_unique<OffsetClock>(options.clock_offset);
    } else {
      p.owned_clock = std::make_unique<SystemClock>();
    }
    clock = p.owned_clock.get();
  }
  if (random == nullptr) {
    p.owned_random = std::make_unique<SystemRandom>();
    random = p.owned_random.get();
  }
  p.clock = clock;
  p.random = random;

  // The port first: a server that cannot listen creates nothing (no data directory, no
  // account). Requests wait in the listen queue until Start(); the handlers reach the pipeline
  // through `p`, which is complete by then.
  http::ServerOptions http_options;
  http_options.threads = options.threads;
  http_options.body_limit = options.max_body_bytes;
  Parts* parts = &p;
  p.http = std::make_unique<http::Server>(
      http_options,
      [parts](http::Request req, http::Responder respond) {
        parts->pipeline->Handle(std::move(req), std::move(respond));
      },
      [parts](int status, std::string_view reason, const http::Request& partial) {
        return parts->pipeline->Reject(status, reason, partial);
      },
      [parts](const http::Request& head) { return parts->pipeline->StreamBody(head); });
  Status listening = p.http->Listen(options.host, options.port);
  if (!listening.ok()) {
    std::string message = listening.message();
    if (message.find("in use") != std::string::npos) {
      message +=
          " (another process has this port: pick another with --port, or --port 0 for "
          "any free one)";
    }
    return Status::IOError(message + "; nothing was created or changed in " + options.data_dir);
  }

  auto models_dir = aws::ModelRegistry::LocateDataDir(options.models_dir);
  if (!models_dir.ok()) return models_dir.error();
  auto models = aws::ModelRegistry::Load(*models_dir, aws::ModelRegistry::DefaultServices());
  if (!models.ok()) return models.error();
  p.models = std::move(models).value();
  auto regions = aws::RegionCatalog::Load(*models_dir);
  if (!regions.ok()) return regions.error();
  p.regions = std::make_unique<aws::RegionCatalog>(std::move(regions).value());

  std::error_code ec;
  if (Status layout = Storage::CheckLayout(options.data_dir); !layout.ok()) return layout;
  Status secured = SecureDataDir(options.data_dir);
  if (!secured.ok()) return secured;
  fs::path data_dir = fs::absolute(options.data_dir, ec).lexically_normal();
  app->credentials_path_ = (data_dir / "credentials").string();

  StorageOptions storage_options;
  storage_options.sync = options.durability == "full";
  storage_options.retention = std::chrono::hours(24 * options.event_retention_days);
  auto storage = Storage::Open(data_dir.string(), storage_options, *clock, *random);
  if (!storage.ok()) return storage.error();
  p.storage = std::move(storage).value();
  aws::AuditSink& commits = p.storage->writer();

  auto ids = iam::IdentityStore::Open(p.storage->state(), commits, *random, *clock);
  if (!ids.ok()) return ids.error();
  p.identities = std::move(ids).value();
  Status s = Bootstrap(*p.identities, options, app->credentials_path_);
  if (!s.ok()) return s;

  p.key_cache = std::make_unique<aws::sigv4::SigningKeyCache>();
  p.verifier = std::make_unique<aws::sigv4::Verifier>(*p.identities, *clock, *p.key_cache,
                                                      std::chrono::minutes(15), p.regions.get());
  p.router = std::make_unique<aws::ServiceRouter>(*p.models);

  p.scheduler = std::make_unique<ThreadScheduler>(*clock);
  auto sm = sagemaker::SageMakerService::Create(p.storage->state(), commits, *clock, *p.scheduler,
                                                options.timings);
  if (!sm.ok()) return sm.error();
  p.sagemaker = std::move(sm).value();
  p.router->Attach(p.sagemaker.get());
  p.sagemaker_runtime = std::make_unique<sagemaker::RuntimeService>();
  p.router->Attach(p.sagemaker_runtime.get());
  p.cloudtrail = std::make_unique<cloudtrail::CloudTrailService>(p.storage->events(), *clock,
                                                                 storage_options.retention);
  p.router->Attach(p.cloudtrail.get());
  p.blobs = std::make_unique<s3::BlobFiles>(data_dir / "s3", *random, storage_options.sync);
  p.s3 = std::make_unique<s3::S3Service>(*clock, *random, *p.blobs);
  if (Status loaded = p.s3->Load(p.storage->state()); !loaded.ok()) return loaded;
  p.s3->SetPolicyChecker([ids = p.identities.get()](std::string_view text, std::string_view bucket)
                             -> Result<std::map<std::string, std::string>, std::string> {
    auto valid = iam::ValidateResourcePolicy(text, iam::ResourcePolicyType::kS3Bucket, bucket);
    if (!valid.ok()) return valid.error();
    return ids->PrincipalIds(valid->principal_arns);
  });
  p.router->Attach(p.s3.get());
  p.authorizer = std::make_unique<iam::IamAuthorizer>(*p.identities, *clock);
  p.sagemaker->SetAuthorizer(p.authorizer.get());
  p.iam = std::make_unique<iam::IamService>(*p.identities);
  p.router->Attach(p.iam.get());
  p.sts = std::make_unique<iam::StsService>(*p.identities, *p.authorizer, *clock, *random);
  p.router->Attach(p.sts.get());
  p.pipeline = std::make_unique<aws::Pipeline>(*p.router, *p.verifier, *clock, *random, commits,
                                               VersionString(p.models->botocore_version()));
  p.pipeline->SetAuthorizer(p.authorizer.get());
  p.pipeline->SetSpoolDir(p.blobs->tmp_dir());
  p.sagemaker->SetInternalInvoker(p.pipeline.get());

  // Tools that change a running server's state (accounts add) ask it over its control socket.
  auto control = ControlServer::Start(
      ControlSocketPath(data_dir.string()),
      [ids = p.identities.get(), random, dir = data_dir.string()](std::string_view request) {
        return HandleControlRequest(*ids, *random, dir, request);
      });
  if (control.ok()) {
    p.control = std::move(control).value();
  } else {
    spdlog::warn("no control socket ({}): `sagetrail accounts add` needs the server stopped",
                 control.error().message());
  }
  return app;
}

Status App::Start() {
  Parts& p = *parts_;
  p.http->Start();
  p.started = true;
  return Status::Ok();
}

void App::Stop() {
  if (!parts_) return;
  parts_->started = false;
  parts_->StopThreads();
}

uint16_t App::port() const { return parts_->http->port(); }

const aws::ModelRegistry& App::models() const { return *parts_->models; }

namespace {

// 'value' for a POSIX shell, with embedded single quotes escaped.
std::string ShellQuote(const std::string& value) {
  bool plain = !value.empty();
  for (char c : value) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' ||
                      c == '-' || c == '_' || c == ':' || c == '[' || c == ']');
  }
  if (plain) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

}  // namespace

std::string App::ClientExports() const {
  std::string host = options_.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  std::ostringstream out;
  out << "export AWS_SHARED_CREDENTIALS_FILE=" << ShellQuote(credentials_path_) << "\n"
      << "export AWS_PROFILE=admin\n"
      << "export AWS_ENDPOINT_URL=" << ShellQuote("http://" + host + ":" + std::to_string(port()))
      << "\n"
      << "export AWS_DEFAULT_REGION=" << options_.default_region << "\n";
  return out.str();
}

}  // namespace sagetrail::server
