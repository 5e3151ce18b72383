// RestXmlCodec: the rest-xml protocol (S3). Today it words errors (S3's <Error> document with
// x-amz-request-id); operations arrive with the embedded object store.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class RestXmlCodec final : public ProtocolCodec {
 public:
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
};

}  // namespace sagetrail::aws
