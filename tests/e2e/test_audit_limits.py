"""End-to-end tests of what a record may hold: CloudTrail's size limits (parameters over 100 KB
flagged omitted, events within 256 KB, Event history pages of bounded size whatever callers sent)
and secrets (no secret access key, session secret or presigned URL token in any record).
"""

import json
import unittest

import botocore.exceptions

from audit_common import IMAGE, attr, export_records, lookup_all
from identity_common import IdentityTestCase, allow, policy, trust

MAX_EVENT = 256 * 1024
OMITTED = {"omitted": True}


class RecordLimitsTest(IdentityTestCase):

    def test_huge_denied_calls_are_recorded_small(self):
        # A user with no permissions sends 8 MB parameters, five times: all denied, all recorded,
        # each record within CloudTrail's limits.
        _, creds = self.make_user("nobody-" + self.tag)
        sm = self.sm(creds)
        big = "x" * (8 * 1024 * 1024 - 4096)
        names = ["huge-%d-%s" % (i, self.tag) for i in range(5)]
        for name in names:
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                sm.create_model(ModelName=name, ExecutionRoleArn=self.server.sagemaker_role(),
                                PrimaryContainer={"Image": IMAGE, "Environment": {"BIG": big}})
            self.assertEqual(e.exception.response["Error"]["Code"], "AccessDeniedException")
        ct = self.boto("cloudtrail")
        page = ct.lookup_events(LookupAttributes=attr("Username", "nobody-" + self.tag))
        self.assertEqual(len(page["Events"]), 5)
        for event in page["Events"]:
            self.assertLess(len(event["CloudTrailEvent"]), MAX_EVENT)
            record = json.loads(event["CloudTrailEvent"])
            self.assertEqual(record["errorCode"], "AccessDeniedException")
            self.assertEqual(record["requestParameters"], OMITTED)
            self.assertIsNone(record["responseElements"])
        # The calls are still found by the model they named.
        self.assertEqual(len(ct.lookup_events(
            LookupAttributes=attr("ResourceName", names[0]))["Events"]), 1)
        # A default page (50 events) of any account's history is a few MB at most.
        everything = ct.lookup_events()
        self.assertLess(sum(len(e["CloudTrailEvent"]) for e in everything["Events"]),
                        50 * MAX_EVENT)

    def test_parameters_just_under_the_limit_are_kept(self):
        # Environment values are at most 1,024 characters: many of them make a large request.
        env = {"K%03d" % i: "v" * 1000 for i in range(85)}  # ~86 KB
        arn = self.sm().create_model(ModelName="near-limit-" + self.tag,
                                     ExecutionRoleArn=self.server.sagemaker_role(),
                                     PrimaryContainer={"Image": IMAGE,
                                                       "Environment": env})["ModelArn"]
        records = [r for r in export_records(self.server.data_dir)
                   if r["eventName"] == "CreateModel" and
                   (r["responseElements"] or {}).get("modelArn") == arn]
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["requestParameters"]["primaryContainer"]["environment"], env)
        # About 120 KB: over the field's limit, flagged.
        name = "over-limit-" + self.tag
        self.sm().create_model(ModelName=name, ExecutionRoleArn=self.server.sagemaker_role(),
                               Containers=[{"Image": IMAGE, "Environment": env},
                                           {"Image": IMAGE, "Environment": dict(
                                               list(env.items())[:40])}])
        event = self.boto("cloudtrail").lookup_events(
            LookupAttributes=attr("ResourceName", name))["Events"][0]
        record = json.loads(event["CloudTrailEvent"])
        self.assertEqual(record["requestParameters"], OMITTED)
        self.assertEqual(record["responseElements"]["modelArn"],
                         "arn:aws:sagemaker:us-east-1:%s:model/%s" % (self.account, name))


class SecretsNeverRecordedTest(IdentityTestCase):

    def test_no_secret_reaches_any_record(self):
        secrets = []
        # An access key (IAM returns its secret once).
        user, creds = self.make_user("keyed-" + self.tag)
        secrets.append(creds.secret)
        k = self.iam().create_access_key(UserName=user["UserName"])["AccessKey"]
        secrets.append(k["SecretAccessKey"])
        # Temporary credentials of every kind.
        role = self.make_role("Sec-" + self.tag, trust(self.iam().get_user()["User"]["Arn"]),
                              policy(allow("sagemaker:*")))
        for r in (self.sts().assume_role(RoleArn=role["Arn"], RoleSessionName="sec-session"),
                  self.sts().get_session_token(DurationSeconds=900),
                  self.sts().get_federation_token(Name="fed-" + self.tag,
                                                  Policy=policy(allow("sagemaker:List*")))):
            secrets.append(r["Credentials"]["SecretAccessKey"])
        # A presigned notebook URL carries a token.
        sm = self.sm()
        nb = "sec-nb-" + self.tag
        sm.create_notebook_instance(NotebookInstanceName=nb, InstanceType="ml.t3.medium",
                                    RoleArn=self.server.sagemaker_role())
        url = sm.create_presigned_notebook_instance_url(NotebookInstanceName=nb)["AuthorizedUrl"]
        token = url.split("authToken=", 1)[1]
        secrets.append(token)
        self.assertGreater(len(token), 20)

        records = export_records(self.server.data_dir)
        text = json.dumps(records)
        for s in secrets:
            self.assertNotIn(s, text)
        presigned = [r for r in records if r["eventName"] == "CreatePresignedNotebookInstanceUrl"]
        self.assertEqual(len(presigned), 1)
        self.assertEqual(presigned[0]["responseElements"]["authorizedUrl"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")
        created = [r for r in records if r["eventName"] == "CreateAccessKey"
                   and r["requestParameters"] == {"userName": user["UserName"]}]
        self.assertTrue(created)
        for r in created:
            self.assertNotIn("secretAccessKey", r["responseElements"]["accessKey"])
            self.assertTrue(r["responseElements"]["accessKey"]["accessKeyId"].startswith("AKIA"))


if __name__ == "__main__":
    unittest.main()
