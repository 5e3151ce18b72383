// RequestContext: everything known about one AWS request, filled in as it moves through the
// pipeline (receive -> route -> authenticate -> resolve operation -> parse -> validate -> handle).
// The audit layer builds a CloudTrail record from it alone, without touching service code.
// Owned by the pipeline for the life of one request; not shared between threads concurrently.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_error.h"
#include "aws/credential_store.h"
#include "aws/identity.h"
#include "aws/model/service_model.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/http_message.h"

namespace sagetrail::aws {

class ProtocolCodec;

struct RequestContext {
  // Known on arrival.
  std::string request_id;
  TimePoint received_at;
  std::string source_ip;
  std::string user_agent;
  http::Request http;

  // Known after routing.
  const ServiceModel* service = nullptr;
  const ProtocolCodec* codec = nullptr;

  // Known after authentication. `authenticated` stays false when the signature failed: such a
  // request is not attributed to any account.
  bool authenticated = false;
  std::shared_ptr<const Credential> credential;
  Identity identity;
  std::string account_id;  // the account whose resources the call touches (recipient)
  std::string region;      // from the credential scope

  // Known after operation resolution and parsing.
  const Operation* operation = nullptr;
  boost::json::value input;

  // The outcome: `output` on success, `error` on failure.
  boost::json::value output;
  std::optional<AwsError> error;
  TimePoint completed_at;

  // Other accounts that get a copy of the call's record (a cross-account AssumeRole is recorded
  // in the role's account too).
  std::vector<std::string> also_recorded_in;

  // Work that may only happen once the call's audit record is durable: a service that changed
  // state saves it here, so a crash can never leave a change on disk without its record. Run in
  // order; a failure turns the response into a server error.
  std::vector<std::function<Status()>> after_audit;

  // True once the request reached the service (routed, authenticated, operation known): the
  // calls CloudTrail records, successful or not.
  bool reached_service() const { return authenticated && operation != nullptr; }
};

}  // namespace sagetrail::aws
