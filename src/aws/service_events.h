// ServiceEventSink: how a service records a call it made on its own behalf (an AwsServiceEvent in
// CloudTrail terms), e.g. a tuning job starting its training jobs. Services see only this
// interface; the audit layer implements it. Thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sagetrail::aws {

struct EventResource {
  std::string type;  // "AWS::SageMaker::TrainingJob"
  std::string arn;
  std::string name;  // for Event history's ResourceName; may equal arn
};

struct ServiceEvent {
  std::string account_id;
  std::string region;
  std::string event_source;  // "sagemaker.amazonaws.com"
  std::string event_name;    // "CreateTrainingJob"
  std::string invoked_by;    // the service principal, e.g. "sagemaker.amazonaws.com"
  bool read_only = false;
  boost::json::value request_parameters;     // already in record form (camelCase), or null
  boost::json::value response_elements;      // likewise, or null
  boost::json::value service_event_details;  // object
  std::vector<EventResource> resources;
};

class ServiceEventSink {
 public:
  virtual ~ServiceEventSink() = default;
  // Records `event`; `done` runs once it is durable (any thread).
  virtual void RecordServiceEvent(ServiceEvent event, std::function<void(Status)> done) = 0;
};

}  // namespace sagetrail::aws
