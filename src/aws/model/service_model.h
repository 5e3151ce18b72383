// ServiceModel: one botocore service model (service-2.json) turned into shape tables.
// Immutable after Load(); safe to share between threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aws/model/shape.h"
#include "common/result.h"

namespace sagetrail::aws {

enum class Protocol : uint8_t { kJson, kRestJson, kQuery, kRestXml, kEc2 };

struct ServiceMetadata {
  std::string name;  // our key: the botocore directory name, e.g. "sagemaker-runtime"
  Protocol protocol = Protocol::kJson;
  std::string api_version;
  std::string json_version;
  std::string target_prefix;
  std::string signing_name;  // SigV4 scope service
  std::string endpoint_prefix;
  std::string service_id;
  std::string xml_namespace;
  std::string global_endpoint;
};

class ServiceModel {
 public:
  // Builds the tables from the model's JSON text. `anchors` maps shape names to the anchors
  // ("^", "$", "^$") AWS prints around their pattern (see patches/display_anchors.txt).
  static Result<std::unique_ptr<ServiceModel>> Load(
      std::string_view service_name, std::string_view json_text,
      const std::unordered_map<std::string, std::string>& anchors = {});

  ~ServiceModel();

  const ServiceMetadata& metadata() const { return metadata_; }
  const std::string& name() const { return metadata_.name; }
  Protocol protocol() const { return metadata_.protocol; }

  const Operation* FindOperation(std::string_view name) const;
  const std::vector<const Operation*>& operations() const { return operation_list_; }
  const Shape& shape(ShapeId id) const { return shapes_[id]; }
  ShapeId FindShape(std::string_view name) const;
  size_t shape_count() const { return shapes_.size(); }

  // The compiled pattern of a string shape, compiling it on first use; nullptr if the shape has
  // no pattern. A pattern that does not compile is not enforced: it comes back as a pattern
  // that matches everything (and a note goes to stderr once).
  const CompiledPattern* Pattern(const Shape& shape) const;

 private:
  ServiceModel() = default;

  ServiceMetadata metadata_;
  std::vector<Shape> shapes_;
  std::unordered_map<std::string, ShapeId> shape_index_;
  std::unordered_map<std::string, Operation> operations_;
  std::vector<const Operation*> operation_list_;
  mutable std::mutex pattern_mu_;
  mutable std::vector<std::unique_ptr<CompiledPattern>> patterns_;  // guarded by pattern_mu_
};

const char* ProtocolName(Protocol p);

}  // namespace sagetrail::aws
