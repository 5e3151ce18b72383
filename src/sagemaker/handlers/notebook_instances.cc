// SageMaker notebook instances. (Not implemented yet.)
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

void RegisterNotebookInstanceHandlers(HandlerTable&, LifecycleTable&) {}

}  // namespace sagetrail::sagemaker
