// RequestContext: everything known about one AWS request, filled in as it moves through the
// pipeline (receive -> route -> authenticate -> resolve operation -> parse -> validate -> handle).
// The audit layer builds a CloudTrail record from it alone, without touching service code.
// Owned by the pipeline for the life of one request; not shared between threads concurrently.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/audit_sink.h"
#include "aws/aws_error.h"
#include "aws/credential_store.h"
#include "aws/identity.h"
#include "aws/model/service_model.h"
#include "aws/service_traits.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/http_message.h"
#include "store/mutation.h"

namespace sagetrail::aws {

class ProtocolCodec;

// A resource a call is about, as the service stores it: its type ("AWS::SageMaker::Model"), the
// name Event history shows (the stored name, or an id or an ARN), and its canonical ARN (empty if
// none can be known).
struct CallResource {
  std::string type;
  std::string name;
  std::string arn;
};

// What IAM authorizes a call against, as the service decides it from the call and its stored
// state (Service::AccessFor).
struct AccessRequest {
  // False for operations that need no permission, or that decide for themselves (sts:AssumeRole
  // weighs the role's trust policy).
  bool required = true;
  // The IAM action, when it is not "<signing name>:<operation>" (S3's HeadObject is
  // s3:GetObject, ListObjectsV2 s3:ListBucket).
  std::string action;
  // The ARN the action is authorized on ("*" when the call names none).
  std::string resource = "*";
  // Whether a denial names the resource ("... on resource: *"); SageMaker and CloudTrail leave
  // the clause out for calls without a resource.
  bool resource_in_denial = true;
  // Further resources the same action must be allowed on, each (e.g. the endpoint config that
  // CreateEndpoint deploys); a denial names the first one refused.
  std::vector<std::string> also_resources;
  // Roles the call hands to a service (iam:PassRole is required on each, with
  // iam:PassedToService = `passed_to`).
  std::vector<std::string> passed_roles;
  std::string passed_to;

  // Resource-based policy. `resource_policy_applies`: the resource is of a kind that has
  // resource-based policies (a bucket does, with or without one); IAM then weighs
  // `resource_policy` (its JSON text, empty when it has none) along with the caller's own
  // policies, and an AWS service principal may act on the resource only if that policy allows
  // it. `resource_account` owns the resource (empty: the call's account, RequestContext's
  // account_id); a caller from another account needs the policy to allow it too.
  bool resource_policy_applies = false;
  std::string resource_policy;
  std::string resource_account;
  // The unique id each IAM user and role ARN in `resource_policy` had when the policy was saved
  // (IdentityStore::PrincipalIds): an entry whose principal was deleted (and maybe created again
  // under the same name) matches nobody. ARNs not in the map match by ARN.
  std::map<std::string, std::string> resource_policy_principal_ids;

  // The service-specific condition keys of this call and their values, for the conditions of
  // every policy weighed: {"s3:x-amz-acl", "bucket-owner-full-control"}, {"s3:prefix", "logs/"}.
  // A key given more than once is multivalued.
  std::vector<std::pair<std::string, std::string>> condition_values;
};

struct RequestContext {
  // Known on arrival.
  std::string request_id;
  TimePoint received_at;
  std::string source_ip;
  std::string user_agent;
  http::Request http;

  // Known after routing: the model, its codec, and the traits of the service that implements it
  // (ServiceTraits::Default() when none does).
  const ServiceModel* service = nullptr;
  const ProtocolCodec* codec = nullptr;
  const ServiceTraits* traits = &ServiceTraits::Default();

  // Known after authentication. `authenticated` stays false when the signature failed: such a
  // request is not attributed to any account.
  bool authenticated = false;
  std::shared_ptr<const Credential> credential;
  Identity identity;
  std::string account_id;  // the account whose resources the call touches (recipient)
  std::string region;      // from the credential scope
  // For a service principal acting for one of its resources (a trail writing its log files):
  // that resource's ARN and account (aws:SourceArn, aws:SourceAccount). Empty otherwise.
  std::string source_arn;
  std::string source_account;

  // Known after operation resolution and parsing.
  const Operation* operation = nullptr;
  boost::json::value input;
  // Known after parsing: the resources the call names, resolved by the service to what it stores
  // (so no spelling of a name reaches another resource than the one authorized and recorded), and
  // what IAM authorizes. A handler may add resources its call created (an assumed-role session).
  std::vector<CallResource> resources;
  AccessRequest access;

  // The outcome: `output` on success, `error` on failure.
  boost::json::value output;
  // A streamed response body that goes with `output` (S3 GetObject's object bytes).
  std::shared_ptr<http::BodySource> output_body;
  // The HTTP status of a successful answer when it is not the operation's (S3's 206 for a range).
  int output_status = 0;
  std::optional<AwsError> error;
  TimePoint completed_at;

  // How the call is recorded: "AwsApiCall", or "AwsServiceEvent" for a service acting on its own
  // behalf through the internal entry (with its serviceEventDetails).
  std::string event_type = "AwsApiCall";
  boost::json::value service_event_details;

  // Other accounts that get a copy of the call's record (a cross-account AssumeRole is recorded
  // in the role's account too).
  std::vector<std::string> also_recorded_in;

  // The state changes the call made, committed in one batch with its record, and its place in
  // the commit order: a service takes it (TakeTicket) while the state the call read or changed
  // is still locked, so that a call that saw another's change is never durable before it. The
  // pipeline takes one for calls that did not. See AuditSink.
  store::Mutations mutations;
  LogTicket ticket;
  AuditSink* audit = nullptr;  // where the call is committed (set by the pipeline)
  void TakeTicket() {
    if (!ticket.valid() && audit != nullptr) ticket = audit->Reserve();
  }

  // Work that may only happen once the call's record and changes are durable (starting the
  // lifecycle it scheduled). Run in order; a failure turns the response into a server error.
  std::vector<std::function<Status()>> after_audit;

  // True once the request reached the service (routed, authenticated, operation known): the
  // calls CloudTrail records, successful or not.
  bool reached_service() const { return authenticated && operation != nullptr; }
};

}  // namespace sagetrail::aws
