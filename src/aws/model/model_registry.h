// ModelRegistry: finds botocore's service models on this machine and loads the ones the server
// speaks. Models are a dependency read at start-up, never part of the repository.
// Immutable after Load(); safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/model/service_model.h"
#include "common/result.h"

namespace sagetrail::aws {

class ModelRegistry {
 public:
  // The services sagetrail serves, by botocore directory name.
  static const std::vector<std::string>& DefaultServices();

  // Finds botocore's data directory: `override_dir` if given, else $SAGETRAIL_BOTOCORE_DATA,
  // else the directory found at build time, else well-known install locations, else by asking
  // python3.
  static Result<std::string> LocateDataDir(const std::string& override_dir);

  // Loads `services` from `data_dir` (the newest API version of each).
  static Result<std::unique_ptr<ModelRegistry>> Load(const std::string& data_dir,
                                                     const std::vector<std::string>& services);

  const ServiceModel* Find(std::string_view service) const;
  const std::vector<std::unique_ptr<ServiceModel>>& models() const { return models_; }
  const std::string& data_dir() const { return data_dir_; }
  // botocore's __version__ next to the data directory, or "unknown".
  const std::string& botocore_version() const { return botocore_version_; }

  // Reads botocore's version from <data_dir>/../__init__.py.
  static std::string ReadBotocoreVersion(const std::string& data_dir);

  // The text of a botocore data file, gunzipped when it is compressed (newer botocore ships
  // *.json.gz); plain files are read as they are.
  static Result<std::string> ReadDataFile(const std::string& path);

 private:
  std::string data_dir_;
  std::string botocore_version_;
  std::vector<std::unique_ptr<ServiceModel>> models_;
};

}  // namespace sagetrail::aws
