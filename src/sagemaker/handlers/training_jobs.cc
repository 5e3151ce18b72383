// SageMaker training jobs. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterTrainingJobHandlers(HandlerTable&, LifecycleTable&, TrainingRunner&, ResourceUpdater) {
}

}  // namespace sagetrail::sagemaker
