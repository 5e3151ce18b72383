// SageMaker tags: AddTags, ListTags, DeleteTags. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterTagHandlers(HandlerTable&) {}

}  // namespace sagetrail::sagemaker
