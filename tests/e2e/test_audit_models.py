"""End-to-end tests of SageMaker models with the aws CLI and boto3: create, describe
(case-insensitive names, lower-cased ARNs), list (filters, sorting, paging), the duplicate and
not-found errors, delete, and that models survive a restart on the same data directory.

The CloudTrail side of these calls is in test_audit.py.
"""

import time
import unittest

import botocore.exceptions

from audit_common import IMAGE, ROLE, attr, lookup_all
from harness import Server, ServerTestCase


def cli_error_line(err):
    lines = [l for l in err.splitlines() if l.startswith("An error occurred")]
    return lines[-1] if lines else err


class ModelsCliTest(ServerTestCase):

    def create(self, name, profile="admin", **kw):
        code, out, err = self.server.aws(
            "sagemaker", "create-model", "--model-name", name,
            "--primary-container", "Image=" + IMAGE, "--execution-role-arn", ROLE,
            profile=profile, **kw)
        self.assertEqual(code, 0, err)
        return out

    def account(self):
        if not hasattr(type(self), "_account"):
            sm = self.server.client("sagemaker")
            arn = sm.create_model(ModelName="account-probe", PrimaryContainer={"Image": IMAGE},
                                  ExecutionRoleArn=ROLE)["ModelArn"]
            type(self)._account = arn.split(":")[4]
        return type(self)._account

    def arn(self, name, region="us-east-1"):
        return "arn:aws:sagemaker:%s:%s:model/%s" % (region, self.account(), name.lower())

    def test_create_and_describe_with_case_insensitive_name_and_lower_cased_arn(self):
        t0 = time.time()
        out = self.create("KMeans-Model-One")
        self.assertEqual(out, {"ModelArn": self.arn("kmeans-model-one")})
        for asked in ("KMeans-Model-One", "kmeans-model-one", "KMEANS-MODEL-ONE"):
            code, d, err = self.server.aws("sagemaker", "describe-model", "--model-name", asked)
            self.assertEqual(code, 0, err)
            self.assertEqual(d["ModelName"], "KMeans-Model-One", asked)  # the name as created
            self.assertEqual(d["ModelArn"], self.arn("kmeans-model-one"))
            self.assertEqual(d["PrimaryContainer"], {"Image": IMAGE})
            self.assertEqual(d["ExecutionRoleArn"], ROLE)
            self.assertIs(d["EnableNetworkIsolation"], False)
            self.assertIsInstance(d["CreationTime"], (int, float))
            self.assertLess(abs(d["CreationTime"] - t0), 10, d)
        # boto3 sees the same model, CreationTime as a datetime.
        d = self.server.client("sagemaker").describe_model(ModelName="kmeans-MODEL-one")
        self.assertEqual(d["ModelName"], "KMeans-Model-One")
        self.assertLess(abs(d["CreationTime"].timestamp() - t0), 10)

    def test_duplicate_name_in_any_case_is_rejected_with_exact_message(self):
        self.create("Dup-Model")
        for again in ("Dup-Model", "dup-model", "DUP-MODEL"):
            code, out, err = self.server.aws(
                "sagemaker", "create-model", "--model-name", again,
                "--primary-container", "Image=" + IMAGE, "--execution-role-arn", ROLE)
            self.assertIn(code, (254, 255), err)
            self.assertEqual(
                cli_error_line(err),
                "An error occurred (ValidationException) when calling the CreateModel operation: "
                'Cannot create already existing model "%s".' % self.arn("dup-model"))
        sm = self.server.client("sagemaker")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            sm.create_model(ModelName="dUp-MoDeL", PrimaryContainer={"Image": IMAGE},
                            ExecutionRoleArn=ROLE)
        r = cm.exception.response
        self.assertEqual(r["Error"]["Code"], "ValidationException")
        self.assertEqual(r["Error"]["Message"],
                         'Cannot create already existing model "%s".' % self.arn("dup-model"))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        # The original is untouched.
        d = sm.describe_model(ModelName="dup-model")
        self.assertEqual(d["ModelName"], "Dup-Model")

    def test_missing_model_gives_could_not_find_with_lower_cased_arn(self):
        code, out, err = self.server.aws("sagemaker", "describe-model", "--model-name",
                                         "No-Such-Model")
        self.assertIn(code, (254, 255), err)
        self.assertEqual(
            cli_error_line(err),
            "An error occurred (ValidationException) when calling the DescribeModel operation: "
            'Could not find model "%s".' % self.arn("no-such-model"))
        code, out, err = self.server.aws("sagemaker", "delete-model", "--model-name",
                                         "No-Such-Model")
        self.assertIn(code, (254, 255), err)
        self.assertEqual(
            cli_error_line(err),
            "An error occurred (ValidationException) when calling the DeleteModel operation: "
            'Could not find model "%s".' % self.arn("no-such-model"))

    def test_delete_model_then_describe_fails_and_name_is_free_again(self):
        self.create("To-Delete")
        code, out, err = self.server.aws("sagemaker", "delete-model", "--model-name", "to-DELETE")
        self.assertEqual(code, 0, err)
        self.assertIsNone(out)  # DeleteModel has no output
        code, out, err = self.server.aws("sagemaker", "describe-model", "--model-name",
                                         "To-Delete")
        self.assertIn(code, (254, 255), err)
        self.assertIn('Could not find model "%s".' % self.arn("to-delete"), err)
        code, out, err = self.server.aws("sagemaker", "list-models", "--name-contains",
                                         "to-delete")
        self.assertEqual((code, out), (0, {"Models": []}), err)
        # The name can be used again.
        sm = self.server.client("sagemaker")
        sm.create_model(ModelName="To-Delete", PrimaryContainer={"Image": IMAGE},
                        ExecutionRoleArn=ROLE)
        self.assertEqual(sm.describe_model(ModelName="to-delete")["ModelName"], "To-Delete")

    def test_list_models_filters_sorts_and_time_bounds(self):
        sm = self.server.client("sagemaker")

        def mk(name):
            sm.create_model(ModelName=name, PrimaryContainer={"Image": IMAGE},
                            ExecutionRoleArn=ROLE)
            return sm.describe_model(ModelName=name)["CreationTime"].timestamp()

        # Creation order bravo, alpha, (next second) charlie; plus one that does not match.
        mk("lm-bravo")
        t_alpha = mk("lm-alpha")
        boundary = int(t_alpha) + 1  # whole seconds: the CLI sends epoch seconds
        while time.time() < boundary + 0.05:
            time.sleep(0.02)
        t_charlie = mk("lm-charlie")
        self.assertLess(t_alpha, boundary)
        self.assertGreaterEqual(t_charlie, boundary)
        mk("other-delta")

        def names(*args):
            code, out, err = self.server.aws("sagemaker", "list-models", "--name-contains",
                                             "lm-", *args)
            self.assertEqual(code, 0, err)
            for m in out["Models"]:
                self.assertEqual(sorted(m), ["CreationTime", "ModelArn", "ModelName"], m)
                self.assertEqual(m["ModelArn"], self.arn(m["ModelName"]))
            return [m["ModelName"] for m in out["Models"]]

        # Default: CreationTime, Descending.
        self.assertEqual(names(), ["lm-charlie", "lm-alpha", "lm-bravo"])
        self.assertEqual(names("--sort-by", "Name"), ["lm-charlie", "lm-bravo", "lm-alpha"])
        self.assertEqual(names("--sort-by", "Name", "--sort-order", "Ascending"),
                         ["lm-alpha", "lm-bravo", "lm-charlie"])
        self.assertEqual(names("--sort-by", "CreationTime", "--sort-order", "Ascending"),
                         ["lm-bravo", "lm-alpha", "lm-charlie"])
        self.assertEqual(names("--sort-by", "CreationTime", "--sort-order", "Descending"),
                         ["lm-charlie", "lm-alpha", "lm-bravo"])
        # CreationTimeAfter is inclusive, CreationTimeBefore exclusive.
        self.assertEqual(names("--creation-time-after", str(boundary)), ["lm-charlie"])
        self.assertEqual(names("--creation-time-before", str(boundary),
                               "--sort-order", "Ascending"), ["lm-bravo", "lm-alpha"])
        self.assertEqual(names("--creation-time-after", str(boundary - 3600),
                               "--creation-time-before", str(boundary + 3600),
                               "--sort-by", "Name", "--sort-order", "Ascending"),
                         ["lm-alpha", "lm-bravo", "lm-charlie"])
        self.assertEqual(names("--creation-time-after", str(boundary + 3600)), [])
        # NameContains narrows further.
        code, out, err = self.server.aws("sagemaker", "list-models", "--name-contains", "alph")
        self.assertEqual([m["ModelName"] for m in out["Models"]], ["lm-alpha"], err)

    def test_boto3_paginator_over_25_models_with_page_size_10(self):
        sm = self.server.client("sagemaker")
        created = ["pg-%03d" % i for i in range(25)]
        for name in created:
            sm.create_model(ModelName=name, PrimaryContainer={"Image": IMAGE},
                            ExecutionRoleArn=ROLE)
        pages = list(sm.get_paginator("list_models").paginate(
            NameContains="pg-", PaginationConfig={"PageSize": 10}))
        self.assertEqual([len(p["Models"]) for p in pages], [10, 10, 5])
        self.assertTrue(all("NextToken" in p for p in pages[:-1]))
        self.assertNotIn("NextToken", pages[-1])
        got = [m["ModelName"] for p in pages for m in p["Models"]]
        self.assertEqual(len(set(got)), 25, got)
        self.assertEqual(got, list(reversed(created)))  # CreationTime, Descending
        # By name, ascending, through the paginator too.
        pages = list(sm.get_paginator("list_models").paginate(
            NameContains="pg-", SortBy="Name", SortOrder="Ascending",
            PaginationConfig={"PageSize": 10}))
        self.assertEqual([m["ModelName"] for p in pages for m in p["Models"]], created)
        # The aws CLI pages through all of them on its own.
        code, out, err = self.server.aws("sagemaker", "list-models", "--name-contains", "pg-",
                                         "--page-size", "7")
        self.assertEqual(code, 0, err)
        self.assertEqual([m["ModelName"] for m in out["Models"]], list(reversed(created)))


class ModelsSurviveRestartTest(unittest.TestCase):

    def test_models_and_their_events_survive_stop_and_start_on_the_same_data_dir(self):
        with Server() as s:
            s.sagemaker_role()
            code, out, err = s.aws("sagemaker", "create-model", "--model-name", "Persisted-1",
                                   "--primary-container", "Image=" + IMAGE,
                                   "--execution-role-arn", ROLE)
            self.assertEqual(code, 0, err)
            sm = s.client("sagemaker", region="eu-west-1")
            sm.create_model(ModelName="persisted-eu", PrimaryContainer={"Image": IMAGE},
                            ExecutionRoleArn=ROLE)
            s.client("sagemaker").create_model(ModelName="gone-1",
                                               PrimaryContainer={"Image": IMAGE},
                                               ExecutionRoleArn=ROLE)
            s.client("sagemaker").delete_model(ModelName="gone-1")
            code, before, err = s.aws("sagemaker", "describe-model", "--model-name",
                                      "persisted-1")
            self.assertEqual(code, 0, err)
            old_port = s.port
            s.restart()
            self.assertTrue(s.alive())
            code, after, err = s.aws("sagemaker", "describe-model", "--model-name",
                                     "PERSISTED-1")
            self.assertEqual(code, 0, "%s (port was %d, now %d)" % (err, old_port, s.port))
            self.assertEqual(after, before)  # same name, ARN, container, creation time
            code, out, err = s.aws("sagemaker", "list-models")
            self.assertEqual([m["ModelName"] for m in out["Models"]], ["Persisted-1"], err)
            # Per region: the eu-west-1 model is still there, and only there.
            code, out, err = s.aws("sagemaker", "list-models", region="eu-west-1")
            self.assertEqual([m["ModelName"] for m in out["Models"]], ["persisted-eu"], err)
            # The deleted one stays deleted.
            code, out, err = s.aws("sagemaker", "describe-model", "--model-name", "gone-1")
            self.assertIn(code, (254, 255), err)
            self.assertIn("Could not find model", err)
            # A duplicate is still refused after the restart.
            code, out, err = s.aws("sagemaker", "create-model", "--model-name", "persisted-1",
                                   "--primary-container", "Image=" + IMAGE,
                                   "--execution-role-arn", ROLE)
            self.assertIn("Cannot create already existing model", err)
            # The events recorded before the restart are still in Event history.
            ct = s.client("cloudtrail")
            names = [e["EventName"] for e in lookup_all(
                ct, LookupAttributes=attr("ResourceName", "gone-1"))]
            self.assertEqual(names, ["DescribeModel", "DeleteModel", "CreateModel"])


if __name__ == "__main__":
    unittest.main()
