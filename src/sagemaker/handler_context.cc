#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {

Result<const Resource*, aws::AwsError> HandlerContext::Save(Resource r) {
  Status s = store.Put(account_id(), region(), r);
  if (!s.ok())
    return aws::AwsError::InternalFailure("Could not save " + r.arn + ": " + s.message());
  std::string kind = r.kind, key = r.name_key;
  ResourceTable& table = backend.Table(kind);
  table.Put(std::move(r));
  return table.Find(key);
}

std::optional<aws::AwsError> HandlerContext::Remove(const std::string& kind,
                                                    const std::string& name_key) {
  Status s = store.Delete(account_id(), region(), kind, name_key);
  if (!s.ok()) return aws::AwsError::InternalFailure("Could not delete: " + s.message());
  backend.Table(kind).Erase(name_key);
  return std::nullopt;
}

}  // namespace sagetrail::sagemaker
