// AuditSink: where a finished request goes before its response may be sent. The audit layer
// records the call and calls `done` once the record is durable (or with an error if it cannot
// be made durable; the pipeline then answers with a server error instead of the real answer).
// `done` may run on any thread. Implementations must be thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "aws/request_context.h"
#include "common/status.h"

namespace sagetrail::aws {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Record(std::shared_ptr<const RequestContext> ctx,
                      std::function<void(Status)> done) = 0;
  // Whether records can be made durable right now. When not, the pipeline refuses calls before
  // they run, so nothing happens that could not be recorded.
  virtual Status Ready() const { return Status::Ok(); }
};

// Records nothing; completes at once.
class NullAuditSink final : public AuditSink {
 public:
  void Record(std::shared_ptr<const RequestContext>, std::function<void(Status)> done) override {
    done(Status::Ok());
  }
};

}  // namespace sagetrail::aws
