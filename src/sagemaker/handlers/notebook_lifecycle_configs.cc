// SageMaker notebook instance lifecycle configurations. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterNotebookLifecycleConfigHandlers(HandlerTable&) {}

}  // namespace sagetrail::sagemaker
