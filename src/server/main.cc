// sagetrail: a self-hosted SageMaker control plane whose every call is audited like CloudTrail.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "aws/model/model_registry.h"
#include "aws/model/region_catalog.h"
#include "cloudtrail/export/event_exporter.h"
#include "common/clock.h"
#include "common/private_dir.h"
#include "common/random.h"
#include "common/time_format.h"
#include "server/accounts.h"
#include "server/app.h"
#include "server/config_file.h"
#include "server/storage.h"

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

struct ExportArgs {
  std::string data_dir = "./sagetrail-data";
  std::string models_dir;  // botocore's data directory, for the region list (default: found)
  sagetrail::cloudtrail::ExportFilters filters;
  std::string output;
  std::string format = "json";
  bool data_events = false;
};

int ExportEvents(const ExportArgs& args) {
  namespace ct = sagetrail::cloudtrail;
  ct::ExportOptions options;
  options.format = args.format == "csv" ? ct::ExportFormat::kCsv : ct::ExportFormat::kJson;
  options.include_data_events = args.data_events;
  // Regions are checked against botocore's list when it is on this machine (as the server
  // checks them); without it, only their form is.
  std::function<bool(std::string_view)> known_region;
  std::optional<sagetrail::aws::RegionCatalog> regions;
  if (!args.filters.region.empty()) {
    if (auto dir = sagetrail::aws::ModelRegistry::LocateDataDir(args.models_dir); dir.ok()) {
      if (auto loaded = sagetrail::aws::RegionCatalog::Load(*dir); loaded.ok()) {
        regions = std::move(loaded).value();
        known_region = [&regions](std::string_view r) { return regions->Contains(r); };
      }
    }
  }
  if (auto error = ct::EventExporter::ApplyFilters(args.filters, known_region,
                                                   sagetrail::SystemClock().Now(), &options)) {
    std::fprintf(stderr, "sagetrail: %s\n", error->c_str());
    return 2;
  }
  sagetrail::SystemRandom random;
  // Read-only: safe beside a running server.
  auto storage = sagetrail::server::Storage::OpenReadOnly(args.data_dir, random);
  if (!storage.ok()) {
    if (storage.error().code() == sagetrail::Status::Code::kNotFound) {
      std::fprintf(stderr, "sagetrail: no event store in %s\n", args.data_dir.c_str());
    } else {
      std::fprintf(stderr, "sagetrail: %s\n", storage.error().message().c_str());
    }
    return 1;
  }
  std::FILE* out = stdout;
  if (!args.output.empty() && args.output != "-") {
    // Owner-only, like the data dir it comes from: records hold callers' session tokens.
    int fd = ::open(args.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    out = fd < 0 ? nullptr : ::fdopen(fd, "wb");
    if (out == nullptr) {
      if (fd >= 0) ::close(fd);
      std::fprintf(stderr, "sagetrail: cannot write %s\n", args.output.c_str());
      return 1;
    }
  }
  // A progress bar on a terminal, for exports big enough to wait for.
  bool tty = ::isatty(STDERR_FILENO);
  int last_percent = -1;
  auto progress = [&](uint64_t done, uint64_t total) {
    if (!tty || total < 10000) return;
    int percent = static_cast<int>(100 * done / total);
    if (percent == last_percent) return;
    last_percent = percent;
    int bars = percent / 4;
    std::fprintf(stderr, "\r[%-25s] %3d%%  %llu/%llu events", std::string(bars, '#').c_str(),
                 percent, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
    if (percent == 100) std::fputc('\n', stderr);
  };
  ct::EventExporter exporter((*storage)->events());
  auto written = exporter.Export(options, out, progress);
  if (out != stdout) std::fclose(out);
  if (!written.ok()) {
    std::fprintf(stderr, "sagetrail: export failed: %s\n", written.error().message().c_str());
    return 1;
  }
  if (tty || out != stdout) {
    std::fprintf(stderr, "exported %llu events\n", static_cast<unsigned long long>(*written));
  }
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
  serve
      ->add_option("--account-id", options.account_id,
                   "Account id created on first start of an empty data directory")
      ->capture_default_str()
      ->check([](const std::string& v) {
        bool ok = v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("an account id is 12 digits");
      });
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  serve->add_option("--models-dir", options.models_dir, "botocore's data directory");
  serve->add_option("--threads", options.threads, "Server threads (0: one per core)")
      ->capture_default_str();
  serve->add_option("--max-body-bytes", options.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  serve
      ->add_option("--durability", options.durability,
                   "normal: records survive a crash of the process; full: also power loss")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "full"}));
  serve
      ->add_option("--event-retention-days", options.event_retention_days,
                   "Days Event history keeps records")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  // How long simulated SageMaker lifecycles take, per resource type (seconds; fractions allowed).
  struct TimingOption {
    const char* name;
    std::chrono::milliseconds* slot;
    const char* help;
  };
  const TimingOption timing_options[] = {
      {"--training-job-seconds", &options.timings.training_job,
       "A training job from Starting to Completed"},
      {"--endpoint-seconds", &options.timings.endpoint,
       "Each of an endpoint's Creating, Updating and Deleting phases"},
      {"--notebook-seconds", &options.timings.notebook_instance,
       "Each of a notebook instance's Pending, Stopping, Updating and Deleting phases"},
      {"--processing-job-seconds", &options.timings.processing_job,
       "A processing job from InProgress to Completed"},
      {"--transform-job-seconds", &options.timings.transform_job,
       "A transform job from InProgress to Completed"},
      {"--stopping-seconds", &options.timings.stopping, "A job's Stopping phase"},
  };
  for (const TimingOption& t : timing_options) {
    serve
        ->add_option_function<double>(
            t.name,
            [slot = t.slot](double seconds) {
              *slot = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
            },
            t.help)
        ->check(CLI::Range(0.0, 86400.0 * 30))
        ->default_str(std::to_string(static_cast<double>(t.slot->count()) / 1000.0));
  }
  serve
      ->add_option_function<double>(
          "--clock-offset",
          [&options](double seconds) {
            options.clock_offset = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
          },
          "Run the server's clock this many seconds off the system's (testing expirations)")
      ->check(CLI::Range(-86400.0 * 365, 86400.0 * 365));
  std::string config_file;  // applied before parsing (ApplyServeConfig); kept here for --help
  serve->add_option("--config", config_file,
                    "A file of `option = value` lines (e.g. port = 4566); the command line wins");

  ExportArgs export_args;
  CLI::App* events = cli.add_subcommand("events", "Work with the recorded CloudTrail events");
  CLI::App* export_cmd = events->add_subcommand("export", "Download Event history as JSON or CSV");
  events->require_subcommand(1);
  export_cmd->add_option("--data-dir", export_args.data_dir, "The server's data directory")
      ->capture_default_str();
  export_cmd->add_option("--start", export_args.filters.start,
                         "Earliest event time (ISO 8601 or epoch seconds)");
  export_cmd->add_option("--end", export_args.filters.end,
                         "Latest event time (ISO 8601 or epoch seconds)");
  // Repeatable, so that a second attribute is refused as LookupEvents refuses it rather than
  // silently replacing the first.
  export_cmd->add_option("--attribute", export_args.filters.attributes,
                         "One lookup attribute, KEY=VALUE (e.g. EventName=CreateModel)");
  export_cmd->add_option("--account-id", export_args.filters.account_id, "Only this account");
  export_cmd->add_option("--region", export_args.filters.region, "Only this region");
  export_cmd->add_option("--models-dir", export_args.models_dir,
                         "botocore's data directory, for the region list (default: found)");
  export_cmd->add_option("--format", export_args.format, "json or csv")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "csv"}));
  export_cmd->add_option("--output,-o", export_args.output, "File to write (default: stdout)");
  export_cmd->add_flag("--include-data-events", export_args.data_events,
                       "Also export data events (InvokeEndpoint), which Event history omits");

  std::string accounts_dir = "./sagetrail-data", new_account_id, new_alias;
  CLI::App* accounts = cli.add_subcommand("accounts", "Manage the accounts of a data directory");
  accounts->require_subcommand(1);
  CLI::App* accounts_add = accounts->add_subcommand(
      "add", "Create another account with root and admin-<id> credentials");
  accounts_add->add_option("--data-dir", accounts_dir, "The server's data directory")
      ->capture_default_str();
  accounts_add->add_option("--account-id", new_account_id, "12 digits (default: a new one)")
      ->check([](const std::string& v) {
        bool ok = v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("an account id is 12 digits");
      });
  accounts_add->add_option("--alias", new_alias, "The account alias");

  std::vector<std::string> args(argv, argv + argc);
  auto configured = sagetrail::server::ApplyServeConfig(args, [serve](const std::string& key) {
    return serve->get_option_no_throw("--" + key) != nullptr;
  });
  if (!configured.ok()) {
    std::fprintf(stderr, "sagetrail: %s\n", configured.error().message().c_str());
    return 2;
  }
  try {
    // CLI11 takes the arguments after the program name, last first.
    std::vector<std::string> reversed(configured->rbegin(), configured->rend() - 1);
    cli.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // --help and --version-like exits are 0; every usage error is 2, as for the checks below.
    return cli.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (show_version) {
    auto dir = sagetrail::aws::ModelRegistry::LocateDataDir(models_dir);
    std::string version =
        dir.ok() ? sagetrail::aws::ModelRegistry::ReadBotocoreVersion(*dir) : "not found";
    std::cout << sagetrail::server::VersionString(version) << "\n";
    if (dir.ok()) std::cout << "models: " << *dir << "\n";
    return 0;
  }
  // Commands that write a data directory create nothing others can read, whatever the umask
  // they were started with (SQLite, for one, picks its files' modes itself).
  if (serve->parsed() || accounts_add->parsed()) ::umask(sagetrail::kPrivateUmask);
  if (serve->parsed()) return Serve(options);
  if (export_cmd->parsed()) {
    if (export_args.models_dir.empty()) export_args.models_dir = models_dir;
    return ExportEvents(export_args);
  }
  if (accounts_add->parsed()) {
    auto id = sagetrail::server::AddAccount(accounts_dir, new_account_id, new_alias);
    if (!id.ok()) {
      std::fprintf(stderr, "sagetrail: %s\n", id.error().message().c_str());
      return 1;
    }
    std::printf("%s\n", id->c_str());
    return 0;
  }
  std::cout << cli.help();
  return 0;
}
