// ServiceTraits: what the generic layers need to know about a service's operations, owned by the
// service itself so that the record builder never names a service: which calls only read, which
// are data events, what a record keeps of the request and the response, which resources it
// lists, and the region a call is recorded in. Every Service is a ServiceTraits; a model that no
// service implements gets the defaults. Thread-safe (implementations are stateless).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sagetrail::aws {

struct RequestContext;

class ServiceTraits {
 public:
  virtual ~ServiceTraits() = default;

  // Calls that change nothing: Describe*, List*, Get*, Search*, Lookup*, BatchDescribe*,
  // BatchGet*, Query*, Head*, Select* by default.
  virtual bool IsReadOnly(std::string_view operation) const;
  // Whether the record keeps the call's response: write calls do, read-only ones do not.
  virtual bool LogsResponse(std::string_view operation) const { return !IsReadOnly(operation); }
  // Data events are never in Event history (trails log them only when selected).
  virtual bool IsDataEvent(std::string_view) const { return false; }
  // Whether the record keeps the request parameters (invocations do not).
  virtual bool LogsRequestParameters(std::string_view) const { return true; }
  // Whether the record names the call's resources in its "resources" element (data events do;
  // most management events are indexed for Event history without it).
  virtual bool ListsResources(std::string_view operation) const { return IsDataEvent(operation); }
  // The region a call made in `region` is recorded in (global services record in us-east-1).
  virtual std::string RecordRegion(std::string_view region) const { return std::string(region); }
  // Output members that carry a secret although the model does not mark them sensitive (a
  // presigned URL's token): the record shows them as hidden.
  virtual bool HidesOutputMember(std::string_view /*operation*/,
                                 std::string_view /*member*/) const {
    return false;
  }

  // A record's requestParameters and additionalEventData as JSON text, for services whose records
  // do not follow the input shape (S3's bucketName/Host/key and subresources); nullopt: the
  // default (the input walked through its shape; no additionalEventData).
  virtual std::optional<std::string> RequestParametersText(const RequestContext&) const {
    return std::nullopt;
  }
  virtual std::optional<std::string> AdditionalEventDataText(const RequestContext&) const {
    return std::nullopt;
  }

  // The traits of a model no service implements.
  static const ServiceTraits& Default();
};

}  // namespace sagetrail::aws
