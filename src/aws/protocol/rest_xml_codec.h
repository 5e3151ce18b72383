// RestXmlCodec: the rest-xml protocol, for S3. Model-driven throughout: nothing here names an S3
// operation except the root element names the model does not carry.
//
// Routing: the bucket and key come from ParseS3Address (path-style or virtual-hosted); an
// operation matches when its method, its resource (service "/", bucket "/{Bucket}", object
// "/{Bucket}/{Key+}") and the literal query keys of its request URI ("?uploads", "?list-type=2")
// fit, and every required input member that travels in a header or the query string is present.
// The most specific match wins (most literal keys plus required header/query members). An
// "x-id" query parameter naming an operation that fits the method and resource decides alone.
// No match: S3's MethodNotAllowed (405).
//
// The generic form (see generic_value.h) is keyed by the model's member names:
//   - uri members: decoded ("Key" keeps its slashes and dots as sent);
//   - header and query members: strings; integers and longs as numbers; booleans as bools;
//     timestamps (HTTP-date, ISO 8601 or epoch seconds on the wire) as epoch seconds; a header
//     list (comma-separated) as an array of strings; a jsonvalue header decoded to its JSON text;
//   - prefixed headers ("x-amz-meta-"): an object of the rest of each name, lower-cased, to its
//     value ("Metadata": {"color": "blue"});
//   - an XML payload: the structure read per the model (locationName, flattened lists, xsi:type
//     attributes); a string payload: the body text; a non-streaming blob payload: base64;
//   - a streaming payload (PutObject's and UploadPart's Body) is not in the generic form: the
//     HTTP layer streams it (see StreamsRequestBody) and the service reads it from the request.
// Outputs are read in the same form: header members are written as headers (timestamps as
// HTTP-dates), "Metadata" as x-amz-meta-* headers, a streaming payload not at all (the service
// attaches it), a string payload as the raw body, the rest as one XML document.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class RestXmlCodec final : public ProtocolCodec {
 public:
  // The namespace S3 puts on the root of every XML response.
  static constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

  Protocol protocol() const override { return Protocol::kRestXml; }
  Result<const Operation*, AwsError> ResolveOperation(const ServiceModel& model,
                                                      const http::Request& request) const override;
  Result<boost::json::value, AwsError> ParseInput(const ServiceModel& model, const Operation& op,
                                                  const http::Request& request) const override;
  http::Response SerializeOutput(const ServiceModel& model, const Operation& op,
                                 const boost::json::value& output,
                                 std::string_view request_id) const override;
  http::Response SerializeError(const ServiceModel* model, const AwsError& error,
                                std::string_view request_id) const override;
  bool StreamsRequestBody(const ServiceModel& model, const http::Request& head) const override;

  // The input member whose streaming blob is the request body (PutObject's "Body"), or nullptr.
  static const Member* StreamingInputMember(const ServiceModel& model, const Operation& op);
  // The root element of `op`'s XML response body (S3's names: "ListBucketResult", ...).
  static std::string ResponseRootName(const ServiceModel& model, const Operation& op);
  // The x-amz-id-2 value for a request: derived from the request ID, stable for it.
  static std::string HostId(std::string_view request_id);
};

}  // namespace sagetrail::aws
