// SageMaker processing jobs. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterProcessingJobHandlers(HandlerTable&, LifecycleTable&) {}

}  // namespace sagetrail::sagemaker
