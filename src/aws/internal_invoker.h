// InternalInvoker: how a service calls an operation of any service (its own included) without
// HTTP or SigV4: as an AWS service principal acting on its own behalf (a tuning job creating its
// training jobs as sagemaker.amazonaws.com, a trail writing its log files as
// cloudtrail.amazonaws.com) or as a user. The call goes through the same stages as one from the
// network from resolution on (resources, authorization where AWS would apply it, the service's
// checks, validation, the handler) and is recorded and committed the same way: an AwsApiCall,
// or an AwsServiceEvent naming the service, in the same durable group commit.
//
// Never call it while holding a lock a handler may take (a backend's): the call runs its handler
// synchronously. `done` runs once the call's record and changes are durable (any thread).
// Thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/aws_error.h"
#include "aws/credential_store.h"
#include "aws/identity.h"
#include "http/http_message.h"

namespace sagetrail::aws {

struct InternalCall {
  std::string service;    // botocore name: "sagemaker"
  std::string operation;  // "CreateTrainingJob"
  boost::json::value input;
  std::string account_id;  // whose resources the call touches
  std::string region;
  // Who calls: an AWS service principal (IdentityType::kAWSService with invoked_by), not subject
  // to identity-based policies, or a user's identity with the credential that authorizes it.
  Identity caller;
  std::shared_ptr<const Credential> credential;
  // The request body of an operation that takes one (S3 PutObject): bytes, or a spooled body.
  std::string body;
  std::shared_ptr<http::BodySink> streamed_body;
  // A service principal acting for one of its resources names it (aws:SourceArn, e.g. the
  // trail's ARN, and aws:SourceAccount), for the resource policies that check them.
  std::string source_arn;
  std::string source_account;
  // How the call is recorded: an AwsApiCall, or an AwsServiceEvent (with these details).
  bool service_event = false;
  boost::json::value service_event_details;

  // A call made by the AWS service `principal` ("sagemaker.amazonaws.com") on its own behalf in
  // `account_id`/`region`, recorded as an AwsServiceEvent with `details`.
  static InternalCall AsService(std::string principal, std::string service, std::string operation,
                                std::string account_id, std::string region,
                                boost::json::value input, boost::json::value details) {
    InternalCall c;
    c.service = std::move(service);
    c.operation = std::move(operation);
    c.input = std::move(input);
    c.caller.type = IdentityType::kAWSService;
    c.caller.invoked_by = std::move(principal);
    c.caller.account_id = account_id;
    c.account_id = std::move(account_id);
    c.region = std::move(region);
    c.service_event = true;
    c.service_event_details = std::move(details);
    return c;
  }
};

struct InternalResult {
  std::string request_id;
  std::optional<AwsError> error;  // set when the call failed (or could not be committed)
  boost::json::value output;      // generic form, on success
  std::shared_ptr<http::BodySource> output_body;  // a streamed output (S3 GetObject's bytes)
};

class InternalInvoker {
 public:
  virtual ~InternalInvoker() = default;
  virtual void Invoke(InternalCall call, std::function<void(InternalResult)> done) = 0;
};

}  // namespace sagetrail::aws
