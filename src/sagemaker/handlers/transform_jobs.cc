// SageMaker transform jobs. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterTransformJobHandlers(HandlerTable&, LifecycleTable&) {}

}  // namespace sagetrail::sagemaker
