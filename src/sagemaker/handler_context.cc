#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {

const Resource* HandlerContext::Save(Resource r) {
  std::string kind = r.kind, key = r.name_key;
  ResourceTable& table = backend.Table(kind);
  table.Put(std::move(r));
  dirty.emplace_back(kind, key);
  return table.Find(key);
}

void HandlerContext::Remove(const std::string& kind, const std::string& name_key) {
  backend.Table(kind).Erase(name_key);
  dirty.emplace_back(kind, name_key);
}

}  // namespace sagetrail::sagemaker
