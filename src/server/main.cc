// sagetrail: a self-hosted SageMaker control plane whose every call is audited like CloudTrail.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "aws/model/model_registry.h"
#include "server/app.h"

namespace {

using sagetrail::server::App;
using sagetrail::server::ServeOptions;

int Serve(const ServeOptions& options) {
  // Signals are taken synchronously by this thread; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto app = App::Create(options);
  if (!app.ok()) {
    spdlog::error("{}", app.error().message());
    return 1;
  }
  sagetrail::Status s = (*app)->Start();
  if (!s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  std::printf("%s listening on http://%s:%u\n",
              sagetrail::server::VersionString((*app)->models().botocore_version()).c_str(),
              options.host.c_str(), static_cast<unsigned>((*app)->port()));
  std::printf("Point the AWS CLI and SDKs at it with:\n%s", (*app)->ClientExports().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  (*app)->Stop();
  app.value().reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("sagetrail");
  spdlog::set_default_logger(logger);

  CLI::App cli{"sagetrail: a SageMaker control plane audited like CloudTrail"};
  cli.require_subcommand(0, 1);
  bool show_version = false;
  std::string models_dir;
  cli.add_flag("--version", show_version, "Print the version and the botocore models in use");
  cli.add_option("--models-dir", models_dir, "botocore's data directory (default: found)");

  ServeOptions options;
  std::string log_level = "info";
  CLI::App* serve = cli.add_subcommand("serve", "Run the server");
  serve->add_option("--host", options.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", options.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  serve->add_option("--data-dir", options.data_dir, "Where state, events and credentials live")
      ->capture_default_str();
  serve->add_option("--account-id", options.account_id,
                    "Account id created on first start of an empty data directory")
      ->capture_default_str()
      ->check([](const std::string& v) {
        bool ok = v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("an account id is 12 digits");
      });
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  serve->add_option("--models-dir", options.models_dir, "botocore's data directory");
  serve->add_option("--threads", options.threads, "Server threads (0: one per core)")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", options.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  serve->add_option("--durability", options.durability,
                    "normal: records survive a crash of the process; full: also power loss")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "full"}));
  serve->add_option("--event-retention-days", options.event_retention_days,
                    "Days Event history keeps records")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));

  CLI11_PARSE(cli, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (show_version) {
    auto dir = sagetrail::aws::ModelRegistry::LocateDataDir(models_dir);
    std::string version =
        dir.ok() ? sagetrail::aws::ModelRegistry::ReadBotocoreVersion(*dir) : "not found";
    std::cout << sagetrail::server::VersionString(version) << "\n";
    if (dir.ok()) std::cout << "models: " << *dir << "\n";
    return 0;
  }
  if (serve->parsed()) return Serve(options);
  std::cout << cli.help();
  return 0;
}
