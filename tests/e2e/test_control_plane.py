"""The SageMaker control plane with the aws CLI and boto3: the seed's scenario (a model, an
endpoint config, an endpoint with the CLI waiters, an update and a delete), training jobs with
their waiter and StopTrainingJob, notebook instances through their lifecycle, list filters,
sorting and paging with boto3 paginators, AWS's errors, and a restart in the middle of
lifecycles.

The CLI waiters poll at once and then every 30-120 s, so the fast server's lifecycles are
shorter than a CLI start-up (each waiter sees its final state on its first poll); a second server
with long lifecycles catches jobs while they run.
"""

import time
import unittest

import botocore.exceptions

from harness import ServerTestCase, Server

IMAGE = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:latest"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
FAST = ["--endpoint-seconds", "0.2", "--training-job-seconds", "0.3", "--notebook-seconds", "0.2",
        "--processing-job-seconds", "0.2", "--transform-job-seconds", "0.2",
        "--stopping-seconds", "0.2"]
SLOW = ["--endpoint-seconds", "30", "--training-job-seconds", "60", "--notebook-seconds", "30",
        "--stopping-seconds", "0.5"]


def wait_for(fn, predicate, timeout=10.0):
    """Polls fn() until predicate(result) (bounded); returns the last result."""
    deadline = time.time() + timeout
    while True:
        r = fn()
        if predicate(r) or time.time() > deadline:
            return r
        time.sleep(0.05)


def training_job_args(name, output="s3://bucket/out"):
    return ["sagemaker", "create-training-job", "--training-job-name", name,
            "--algorithm-specification", "TrainingImage=%s,TrainingInputMode=File" % IMAGE,
            "--role-arn", ROLE,
            "--output-data-config", "S3OutputPath=%s" % output,
            "--resource-config", "InstanceType=ml.m5.large,InstanceCount=1,VolumeSizeInGB=10",
            "--stopping-condition", "MaxRuntimeInSeconds=3600",
            "--hyper-parameters", "k=10,feature_dim=784"]


class SeedScenarioTest(ServerTestCase):
    server_args = FAST

    def aws_ok(self, *args):
        code, out, err = self.server.aws(*args)
        self.assertEqual(code, 0, err)
        return out

    def aws_error(self, *args):
        code, out, err = self.server.aws(*args)
        self.assertNotEqual(code, 0, out)
        return err.strip()

    def test_endpoint_lifecycle_with_the_cli_waiters(self):
        self.aws_ok("sagemaker", "create-model", "--model-name", "ExampleModel",
                    "--primary-container", "Image=" + IMAGE, "--execution-role-arn", ROLE)
        out = self.aws_ok("sagemaker", "create-endpoint-config", "--endpoint-config-name",
                          "ExampleEndpointConfig", "--production-variants",
                          "VariantName=AllTraffic,ModelName=ExampleModel,InitialInstanceCount=1,"
                          "InstanceType=ml.m5.large")
        self.assertTrue(out["EndpointConfigArn"].endswith(":endpoint-config/exampleendpointconfig"))
        out = self.aws_ok("sagemaker", "create-endpoint", "--endpoint-name", "ExampleEndpoint",
                          "--endpoint-config-name", "ExampleEndpointConfig")
        self.assertTrue(out["EndpointArn"].endswith(":endpoint/exampleendpoint"))
        self.aws_ok("sagemaker", "wait", "endpoint-in-service", "--endpoint-name",
                    "ExampleEndpoint")
        ep = self.aws_ok("sagemaker", "describe-endpoint", "--endpoint-name", "ExampleEndpoint")
        self.assertEqual(ep["EndpointStatus"], "InService")
        variant = ep["ProductionVariants"][0]
        self.assertEqual(variant["VariantName"], "AllTraffic")
        self.assertEqual(variant["DeployedImages"][0]["SpecifiedImage"], IMAGE)
        self.assertIn("@sha256:", variant["DeployedImages"][0]["ResolvedImage"])
        self.assertEqual(variant["CurrentInstanceCount"], 1)
        self.assertEqual(variant["CurrentWeight"], 1.0)

        # UpdateEndpoint to a second configuration.
        self.aws_ok("sagemaker", "create-endpoint-config", "--endpoint-config-name", "Config2",
                    "--production-variants",
                    "VariantName=AllTraffic,ModelName=ExampleModel,InitialInstanceCount=2,"
                    "InstanceType=ml.m5.xlarge")
        self.aws_ok("sagemaker", "update-endpoint", "--endpoint-name", "ExampleEndpoint",
                    "--endpoint-config-name", "Config2")
        self.aws_ok("sagemaker", "wait", "endpoint-in-service", "--endpoint-name",
                    "ExampleEndpoint")
        ep = self.aws_ok("sagemaker", "describe-endpoint", "--endpoint-name", "ExampleEndpoint")
        self.assertEqual(ep["EndpointConfigName"], "Config2")
        self.assertEqual(ep["ProductionVariants"][0]["CurrentInstanceCount"], 2)

        # DeleteEndpoint with the deleted waiter (which succeeds on ValidationException).
        self.aws_ok("sagemaker", "delete-endpoint", "--endpoint-name", "ExampleEndpoint")
        self.aws_ok("sagemaker", "wait", "endpoint-deleted", "--endpoint-name", "ExampleEndpoint")
        err = self.aws_error("sagemaker", "describe-endpoint", "--endpoint-name",
                             "ExampleEndpoint")
        self.assertIn("An error occurred (ValidationException) when calling the DescribeEndpoint "
                      "operation: Could not find endpoint \"arn:aws:sagemaker:us-east-1:", err)
        self.assertIn(':endpoint/exampleendpoint".', err)

    def test_endpoint_errors_in_aws_words(self):
        self.aws_ok("sagemaker", "create-model", "--model-name", "m-err",
                    "--primary-container", "Image=" + IMAGE)
        err = self.aws_error("sagemaker", "create-endpoint-config", "--endpoint-config-name",
                             "cfg-bad", "--production-variants",
                             "VariantName=v,ModelName=no-such-model,InitialInstanceCount=1,"
                             "InstanceType=ml.m5.large")
        self.assertIn('Could not find model "arn:aws:sagemaker:us-east-1:', err)
        err = self.aws_error("sagemaker", "create-endpoint", "--endpoint-name", "ep-bad",
                             "--endpoint-config-name", "no-such-config")
        self.assertIn('Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:', err)
        self.aws_ok("sagemaker", "create-endpoint-config", "--endpoint-config-name", "cfg-e",
                    "--production-variants",
                    "VariantName=v,ModelName=m-err,InitialInstanceCount=1,InstanceType=ml.m5.large")
        err = self.aws_error("sagemaker", "create-endpoint-config", "--endpoint-config-name",
                             "CFG-E", "--production-variants",
                             "VariantName=v,ModelName=m-err,InitialInstanceCount=1,"
                             "InstanceType=ml.m5.large")
        self.assertIn('Cannot create already existing endpoint configuration '
                      '"arn:aws:sagemaker:us-east-1:', err)
        self.assertIn(':endpoint-config/cfg-e".', err)
        # Constraints the CLI checks itself (min) reach the server from an unvalidating client.
        sm = self.server.client("sagemaker", parameter_validation=False)
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            sm.create_endpoint_config(EndpointConfigName="cfg_bad", ProductionVariants=[{
                "VariantName": "v", "ModelName": "m-err", "InitialInstanceCount": 0,
                "InstanceType": "ml.m5.large"}])
        self.assertEqual(
            e.exception.response["Error"]["Message"],
            "2 validation errors detected: Value 'cfg_bad' at 'endpointConfigName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; Value '0' at "
            "'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1")

    def test_training_job_with_the_completed_or_stopped_waiter(self):
        out = self.aws_ok(*training_job_args("tj-1", "s3://bucket/out/"))
        self.assertTrue(out["TrainingJobArn"].endswith(":training-job/tj-1"))
        self.aws_ok("sagemaker", "wait", "training-job-completed-or-stopped",
                    "--training-job-name", "tj-1")
        job = self.aws_ok("sagemaker", "describe-training-job", "--training-job-name", "tj-1")
        self.assertEqual(job["TrainingJobStatus"], "Completed")
        self.assertEqual(job["SecondaryStatus"], "Completed")
        self.assertEqual(job["ModelArtifacts"]["S3ModelArtifacts"],
                         "s3://bucket/out/tj-1/output/model.tar.gz")
        statuses = [t["Status"] for t in job["SecondaryStatusTransitions"]]
        self.assertEqual(statuses, ["Starting", "Downloading", "Training", "Uploading",
                                    "Completed"])
        self.assertEqual(job["HyperParameters"], {"k": "10", "feature_dim": "784"})
        self.assertIn("TrainingStartTime", job)
        self.assertIn("TrainingEndTime", job)
        err = self.aws_error(*training_job_args("tj-1"))
        self.assertIn("An error occurred (ResourceInUse) when calling the CreateTrainingJob "
                      "operation: Training job names must be unique within an AWS account and "
                      "region, and a training job with this name already exists (", err)
        err = self.aws_error("sagemaker", "describe-training-job", "--training-job-name", "nope")
        self.assertIn("(ValidationException) when calling the DescribeTrainingJob operation: "
                      "Requested resource not found.", err)
        err = self.aws_error("sagemaker", "stop-training-job", "--training-job-name", "tj-1")
        self.assertIn("The request was rejected because the training job is in status Completed.",
                      err)

    def test_notebook_instance_lifecycle_with_the_cli_waiters(self):
        out = self.aws_ok("sagemaker", "create-notebook-instance", "--notebook-instance-name",
                          "nb-1", "--instance-type", "ml.t3.medium", "--role-arn", ROLE)
        self.assertTrue(out["NotebookInstanceArn"].endswith(":notebook-instance/nb-1"))
        self.aws_ok("sagemaker", "wait", "notebook-instance-in-service",
                    "--notebook-instance-name", "nb-1")
        nb = self.aws_ok("sagemaker", "describe-notebook-instance", "--notebook-instance-name",
                         "nb-1")
        self.assertEqual(nb["NotebookInstanceStatus"], "InService")
        self.assertEqual(nb["Url"], "nb-1.notebook.us-east-1.sagemaker.aws")
        url = self.aws_ok("sagemaker", "create-presigned-notebook-instance-url",
                          "--notebook-instance-name", "nb-1")["AuthorizedUrl"]
        self.assertTrue(url.startswith("https://nb-1.notebook.us-east-1.sagemaker.aws?authToken="))
        err = self.aws_error("sagemaker", "delete-notebook-instance", "--notebook-instance-name",
                             "nb-1")
        self.assertIn("Status (InService) not in ([Stopped, Failed]). Unable to transition to "
                      "(Deleting) for Notebook Instance (arn:aws:sagemaker:us-east-1:", err)
        self.aws_ok("sagemaker", "stop-notebook-instance", "--notebook-instance-name", "nb-1")
        self.aws_ok("sagemaker", "wait", "notebook-instance-stopped", "--notebook-instance-name",
                    "nb-1")
        err = self.aws_error("sagemaker", "stop-notebook-instance", "--notebook-instance-name",
                             "nb-1")
        self.assertIn("Status (Stopped) not in ([InService]). Unable to transition to (Stopping) "
                      "for Notebook Instance (", err)
        self.aws_ok("sagemaker", "start-notebook-instance", "--notebook-instance-name", "nb-1")
        self.aws_ok("sagemaker", "wait", "notebook-instance-in-service",
                    "--notebook-instance-name", "nb-1")
        self.aws_ok("sagemaker", "stop-notebook-instance", "--notebook-instance-name", "nb-1")
        self.aws_ok("sagemaker", "wait", "notebook-instance-stopped", "--notebook-instance-name",
                    "nb-1")
        self.aws_ok("sagemaker", "delete-notebook-instance", "--notebook-instance-name", "nb-1")
        self.aws_ok("sagemaker", "wait", "notebook-instance-deleted", "--notebook-instance-name",
                    "nb-1")
        err = self.aws_error("sagemaker", "describe-notebook-instance",
                             "--notebook-instance-name", "nb-1")
        self.assertIn("(ValidationException) when calling the DescribeNotebookInstance operation: "
                      "RecordNotFound", err)

    def test_lists_filter_sort_and_page_with_boto3_paginators(self):
        sm = self.server.client("sagemaker")
        for i in range(23):
            sm.create_model(ModelName="page-model-%02d" % i, PrimaryContainer={"Image": IMAGE})
        for i in range(12):
            sm.create_endpoint_config(EndpointConfigName="page-cfg-%02d" % i, ProductionVariants=[{
                "VariantName": "v", "ModelName": "page-model-00", "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large"}])
        names = [m["ModelName"] for page in sm.get_paginator("list_models").paginate(
            NameContains="page-model", SortBy="Name", SortOrder="Ascending",
            PaginationConfig={"PageSize": 5}) for m in page["Models"]]
        self.assertEqual(names, ["page-model-%02d" % i for i in range(23)])
        newest = sm.list_models(NameContains="page-model", MaxResults=3)["Models"]
        self.assertEqual([m["ModelName"] for m in newest],
                         ["page-model-22", "page-model-21", "page-model-20"])
        cfgs = [c["EndpointConfigName"] for page in sm.get_paginator(
            "list_endpoint_configs").paginate(NameContains="PAGE-CFG",
                                              PaginationConfig={"PageSize": 4})
                for c in page["EndpointConfigs"]]
        self.assertEqual(len(cfgs), 12)
        self.assertEqual(len(set(cfgs)), 12)

        for i in range(3):
            sm.create_training_job(
                TrainingJobName="page-job-%d" % i, RoleArn=ROLE,
                AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": "s3://b/o"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                "VolumeSizeInGB": 5},
                StoppingCondition={"MaxRuntimeInSeconds": 600})
        jobs = wait_for(lambda: sm.list_training_jobs(NameContains="page-job",
                                                      StatusEquals="Completed")["TrainingJobSummaries"],
                        lambda j: len(j) == 3)
        self.assertEqual([j["TrainingJobName"] for j in jobs],
                         ["page-job-0", "page-job-1", "page-job-2"])  # oldest first by default
        for j in jobs:
            self.assertEqual(j["SecondaryStatus"], "Completed")
        paged = [j["TrainingJobName"] for page in sm.get_paginator("list_training_jobs").paginate(
            NameContains="page-job", SortBy="Name", SortOrder="Descending",
            PaginationConfig={"PageSize": 2}) for j in page["TrainingJobSummaries"]]
        self.assertEqual(paged, ["page-job-2", "page-job-1", "page-job-0"])

    def test_tags_on_every_resource_kind(self):
        sm = self.server.client("sagemaker")
        arn = sm.create_model(ModelName="tagged", PrimaryContainer={"Image": IMAGE},
                              Tags=[{"Key": "team", "Value": "ml"}])["ModelArn"]
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"},
                                           {"Key": "team", "Value": "platform"}])
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"team": "platform", "env": "test"})
        sm.delete_tags(ResourceArn=arn, TagKeys=["env"])
        self.assertEqual(sm.list_tags(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "platform"}])


class RunningJobsTest(ServerTestCase):
    """Long lifecycles: calls land while resources are mid-flight."""
    server_args = SLOW

    def test_stop_training_job_on_a_running_job(self):
        sm = self.server.client("sagemaker")
        code, out, err = self.server.aws(*training_job_args("running-job"))
        self.assertEqual(code, 0, err)
        job = sm.describe_training_job(TrainingJobName="running-job")
        self.assertEqual(job["TrainingJobStatus"], "InProgress")
        self.assertEqual(job["SecondaryStatus"], "Starting")
        code, out, err = self.server.aws("sagemaker", "stop-training-job", "--training-job-name",
                                         "running-job")
        self.assertEqual(code, 0, err)
        job = sm.describe_training_job(TrainingJobName="running-job")
        self.assertIn(job["TrainingJobStatus"], ("Stopping", "Stopped"))
        # Stopping lasts 0.5 s here; the CLI waiter polls every 120 s, so a first poll that still
        # saw Stopping would wait two minutes. Let the job settle first (bounded).
        wait_for(lambda: sm.describe_training_job(TrainingJobName="running-job"),
                 lambda j: j["TrainingJobStatus"] == "Stopped")
        code, out, err = self.server.aws("sagemaker", "wait", "training-job-completed-or-stopped",
                                         "--training-job-name", "running-job")
        self.assertEqual(code, 0, err)
        job = sm.describe_training_job(TrainingJobName="running-job")
        self.assertEqual(job["TrainingJobStatus"], "Stopped")
        self.assertEqual(job["SecondaryStatus"], "Stopped")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            sm.stop_training_job(TrainingJobName="running-job")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "The request was rejected because the training job is in status "
                         "Stopped.")

    def test_update_of_an_endpoint_still_creating_is_refused(self):
        sm = self.server.client("sagemaker")
        sm.create_model(ModelName="slow-model", PrimaryContainer={"Image": IMAGE})
        sm.create_endpoint_config(EndpointConfigName="slow-cfg", ProductionVariants=[{
            "VariantName": "v", "ModelName": "slow-model", "InitialInstanceCount": 1,
            "InstanceType": "ml.m5.large"}])
        arn = sm.create_endpoint(EndpointName="slow-ep", EndpointConfigName="slow-cfg")[
            "EndpointArn"]
        self.assertEqual(sm.describe_endpoint(EndpointName="slow-ep")["EndpointStatus"],
                         "Creating")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            sm.update_endpoint(EndpointName="slow-ep", EndpointConfigName="slow-cfg")
        self.assertEqual(e.exception.response["Error"]["Message"],
                         'Cannot update in-progress endpoint "%s".' % arn)


class RestartTest(unittest.TestCase):
    """A restart keeps every resource and resumes every pending transition."""

    def test_restart_mid_lifecycle_resumes_transitions(self):
        args = ["--endpoint-seconds", "2", "--training-job-seconds", "3", "--notebook-seconds",
                "2"]
        with Server(extra_args=args) as s:
            s.sagemaker_role()
            sm = s.client("sagemaker")
            sm.create_model(ModelName="r-model", PrimaryContainer={"Image": IMAGE})
            sm.create_endpoint_config(EndpointConfigName="r-cfg", ProductionVariants=[{
                "VariantName": "v", "ModelName": "r-model", "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large"}])
            sm.create_endpoint(EndpointName="r-ep", EndpointConfigName="r-cfg")
            sm.create_notebook_instance(NotebookInstanceName="r-nb", InstanceType="ml.t3.medium",
                                        RoleArn=ROLE)
            sm.create_training_job(
                TrainingJobName="r-job", RoleArn=ROLE,
                AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": "s3://b/o"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                "VolumeSizeInGB": 5},
                StoppingCondition={"MaxRuntimeInSeconds": 600})
            self.assertEqual(sm.describe_endpoint(EndpointName="r-ep")["EndpointStatus"],
                             "Creating")
            self.assertEqual(s.stop(), 0)  # mid-lifecycle
            s.start()
            sm = s.client("sagemaker")
            self.assertEqual(sm.describe_model(ModelName="r-model")["ModelName"], "r-model")
            ep = wait_for(lambda: sm.describe_endpoint(EndpointName="r-ep"),
                          lambda e: e["EndpointStatus"] == "InService", timeout=15)
            self.assertEqual(ep["EndpointStatus"], "InService")
            nb = wait_for(lambda: sm.describe_notebook_instance(NotebookInstanceName="r-nb"),
                          lambda n: n["NotebookInstanceStatus"] == "InService", timeout=15)
            self.assertEqual(nb["NotebookInstanceStatus"], "InService")
            job = wait_for(lambda: sm.describe_training_job(TrainingJobName="r-job"),
                           lambda j: j["TrainingJobStatus"] == "Completed", timeout=30)
            self.assertEqual(job["TrainingJobStatus"], "Completed")


if __name__ == "__main__":
    unittest.main()
