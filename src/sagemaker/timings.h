// Timings: how long the simulated SageMaker lifecycles take. Short by default (seconds), set per
// resource type from the command line or a config file (see `sagetrail serve --help`).
#pragma once

#include <chrono>

namespace sagetrail::sagemaker {

struct Timings {
  // A training job from Starting to Completed (split over Starting, Downloading, Training and
  // Uploading); the training itself comes from the TrainingRunner.
  std::chrono::milliseconds training_job{6000};
  // Each of an endpoint's Creating, Updating and Deleting phases.
  std::chrono::milliseconds endpoint{2000};
  // Each of a notebook instance's Pending, Stopping, Updating and Deleting phases.
  std::chrono::milliseconds notebook_instance{2000};
  // A processing job, and a transform job, from InProgress to Completed.
  std::chrono::milliseconds processing_job{4000};
  std::chrono::milliseconds transform_job{4000};
  // A job's Stopping phase after a Stop* call.
  std::chrono::milliseconds stopping{1000};
};

}  // namespace sagetrail::sagemaker
