#include "aws/model/model_registry.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "common/strings.h"

#ifndef SAGETRAIL_BUILD_BOTOCORE_DATA
#define SAGETRAIL_BUILD_BOTOCORE_DATA ""
#endif

namespace sagetrail::aws {
namespace fs = std::filesystem;

namespace {

// The display-anchor patch list, embedded at build time (see patches/display_anchors.txt).
constexpr const char kDisplayAnchors[] =
#include "display_anchors.inc"
    ;

std::unordered_map<std::string, std::unordered_map<std::string, std::string>> ParseAnchors() {
  std::unordered_map<std::string, std::unordered_map<std::string, std::string>> out;
  for (std::string_view line : Split(kDisplayAnchors, '\n')) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto parts = Split(line, ' ');
    if (parts.size() != 3) continue;
    out[std::string(parts[0])][std::string(parts[1])] = std::string(parts[2]);
  }
  return out;
}

// The newest API version directory holding a service-2.json(.gz).
Result<fs::path> FindModelFile(const fs::path& data_dir, const std::string& service) {
  std::error_code ec;
  fs::path dir = data_dir / service;
  std::vector<fs::path> versions;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) versions.push_back(e.path());
  }
  if (ec || versions.empty()) {
    return Status::NotFound("no model for " + service + " under " + data_dir.string());
  }
  std::sort(versions.begin(), versions.end());
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    for (const char* name : {"service-2.json.gz", "service-2.json"}) {
      if (fs::exists(*it / name, ec)) return *it / name;
    }
  }
  return Status::NotFound("no service-2.json for " + service + " under " + dir.string());
}

bool LooksLikeDataDir(const fs::path& p) {
  std::error_code ec;
  return !p.empty() && fs::is_directory(p / "sagemaker", ec);
}

std::string AskPython() {
  FILE* pipe = popen(
      "python3 -c 'import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), "
      "\"data\"))' 2>/dev/null",
      "r");
  if (pipe == nullptr) return {};
  char buf[4096];
  std::string out;
  while (fgets(buf, sizeof(buf), pipe) != nullptr) out += buf;
  pclose(pipe);
  return std::string(Trim(out));
}

}  // namespace

const std::vector<std::string>& ModelRegistry::DefaultServices() {
  static const std::vector<std::string> kServices = {
      "sagemaker", "sagemaker-runtime", "cloudtrail", "logs", "sns", "sts", "iam", "s3"};
  return kServices;
}

Result<std::string> ModelRegistry::LocateDataDir(const std::string& override_dir) {
  if (!override_dir.empty()) {
    if (LooksLikeDataDir(override_dir)) return override_dir;
    return Status::NotFound("no botocore models under " + override_dir);
  }
  if (const char* env = std::getenv("SAGETRAIL_BOTOCORE_DATA"); env != nullptr && *env) {
    if (LooksLikeDataDir(env)) return std::string(env);
    return Status::NotFound(std::string("no botocore models under $SAGETRAIL_BOTOCORE_DATA=") +
                            env);
  }
  for (const char* candidate :
       {SAGETRAIL_BUILD_BOTOCORE_DATA, "/usr/lib/python3/dist-packages/botocore/data"}) {
    if (LooksLikeDataDir(candidate)) return std::string(candidate);
  }
  std::string asked = AskPython();
  if (LooksLikeDataDir(asked)) return asked;
  return Status::NotFound(
      "botocore's service models were not found; install botocore (python3 -m pip install "
      "botocore, or apt-get install python3-botocore) or pass --models-dir");
}

Result<std::string> ModelRegistry::ReadDataFile(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (f == nullptr) return Status::IOError("cannot open " + path);
  gzbuffer(f, 256 * 1024);
  std::string out;
  std::vector<char> buf(256 * 1024);
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      gzclose(f);
      return Status::IOError("cannot read " + path);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
  }
  gzclose(f);
  return out;
}

std::string ModelRegistry::ReadBotocoreVersion(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir).parent_path() / "__init__.py");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = Trim(line);
    if (l.rfind("__version__", 0) != 0) continue;
    size_t q1 = l.find_first_of("'\"");
    if (q1 == std::string_view::npos) break;
    size_t q2 = l.find(l[q1], q1 + 1);
    if (q2 == std::string_view::npos) break;
    return std::string(l.substr(q1 + 1, q2 - q1 - 1));
  }
  return "unknown";
}

Result<std::unique_ptr<ModelRegistry>> ModelRegistry::Load(
    const std::string& data_dir, const std::vector<std::string>& services) {
  auto registry = std::make_unique<ModelRegistry>();
  registry->data_dir_ = data_dir;
  registry->botocore_version_ = ReadBotocoreVersion(data_dir);
  static const auto anchors = ParseAnchors();
  static const std::unordered_map<std::string, std::string> kNone;

  // Models are independent: load them on a few threads to keep start-up short.
  std::vector<Result<std::unique_ptr<ServiceModel>>> results;
  results.reserve(services.size());
  for (size_t i = 0; i < services.size(); ++i) results.emplace_back(Status::Internal("not run"));
  auto load_one = [&](size_t i) {
    const std::string& svc = services[i];
    auto file = FindModelFile(data_dir, svc);
    if (!file.ok()) {
      results[i] = file.error();
      return;
    }
    auto text = ReadDataFile(file->string());
    if (!text.ok()) {
      results[i] = text.error();
      return;
    }
    auto a = anchors.find(svc);
    results[i] = ServiceModel::Load(svc, *text, a == anchors.end() ? kNone : a->second);
  };
  if (services.empty()) return registry;
  // The first service (sagemaker) is by far the largest: give it its own thread.
  std::thread big([&] { load_one(0); });
  for (size_t i = 1; i < services.size(); ++i) load_one(i);
  big.join();

  for (auto& r : results) {
    if (!r.ok()) return r.error();
    registry->models_.push_back(std::move(r).value());
  }
  return registry;
}

const ServiceModel* ModelRegistry::Find(std::string_view service) const {
  for (const auto& m : models_) {
    if (m->name() == service) return m.get();
  }
  return nullptr;
}

}  // namespace sagetrail::aws
