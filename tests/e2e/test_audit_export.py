"""End-to-end tests of `sagetrail events export` ("Download events"): JSON ({"Records":[...]})
equal to what LookupEvents returns, while the server runs and after it stopped; CSV with the
Event history columns; --attribute, --region, --start/--end filters; -o FILE; data events only
with --include-data-events; and the command's own errors.
"""

import csv
import io
import json
import os
import time
import unittest

import botocore.exceptions

from audit_common import (IMAGE, ROLE, attr, aws_with_request_id, export, export_records, iso,
                          lookup_all, next_second_boundary, request_id_of)
from harness import Server, ServerTestCase

CSV_HEADER = ("Event name,Event time,User name,Event source,Resource type,Resource name,"
              "AWS access key,AWS region,Error code,Event ID,Read-only,Source IP address")


class ExportTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        sm = s.client("sagemaker")
        cls.t_start = next_second_boundary()  # after the set-up's own calls (the role)
        # Group A.
        code, out, err, rid = aws_with_request_id(
            s, "sagemaker", "create-model", "--model-name", "Exp-Model", "--primary-container",
            "Image=" + IMAGE, "--execution-role-arn", ROLE)
        assert code == 0, err
        cls.group_a = [rid]
        try:
            sm.describe_model(ModelName="exp-missing")
        except botocore.exceptions.ClientError as e:
            cls.group_a.append(request_id_of(e))
        cls.group_a.append(request_id_of(sm.list_models()))
        try:
            s.client("sagemaker", region="eu-west-1").describe_model(ModelName="exp-eu")
        except botocore.exceptions.ClientError as e:
            cls.group_a.append(request_id_of(e))
        cls.t_mid = next_second_boundary()
        # Group B.
        cls.group_b = [
            request_id_of(s.client("sagemaker", profile="root").describe_model(
                ModelName="exp-model")),
            request_id_of(sm.create_model(ModelName="exp-second",
                                          PrimaryContainer={"Image": IMAGE},
                                          ExecutionRoleArn=ROLE)),
            request_id_of(s.client("cloudtrail").lookup_events(MaxResults=1)),
        ]
        st, headers, body = s.signed_request(None, body=b'{"x": 1}',
                                              path="/endpoints/exp-endpoint/invocations",
                                              content_type="application/json")
        cls.invoke_rid = headers.get("x-amzn-requestid")
        cls.t_end = next_second_boundary() - 1  # inclusive: every call above is at or before it

    def records_before_end(self, *args):
        """Exported records of the calls made in setUpClass (tests add LookupEvents later; the
        set-up's role came before)."""
        return [r for r in export_records(self.server.data_dir, *args)
                if iso(self.t_start) <= r["eventTime"] <= iso(self.t_end)]

    def lookup_records(self, region, **params):
        ct = self.server.client("cloudtrail", region=region)
        return [json.loads(e["CloudTrailEvent"])
                for e in lookup_all(ct, StartTime=self.t_start, EndTime=self.t_end, **params)]

    # -- JSON ------------------------------------------------------------------------------------
    def test_json_export_while_running_equals_lookup_events_records(self):
        records = self.records_before_end()
        rids = [r["requestID"] for r in records]
        self.assertEqual(sorted(rids), sorted(self.group_a + self.group_b))
        for region in ("us-east-1", "eu-west-1"):
            looked_up = self.lookup_records(region)
            self.assertTrue(looked_up, region)
            exported = [r for r in records if r["awsRegion"] == region]
            # Same records (same eventIDs, same content); the export is oldest first.
            self.assertEqual(exported, list(reversed(looked_up)), region)
        ids = [r["eventID"] for r in records]
        self.assertEqual(len(ids), len(set(ids)))

    def test_json_export_is_exactly_a_records_object(self):
        p = export(self.server.data_dir, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(list(doc), ["Records"])
        self.assertIsInstance(doc["Records"], list)
        # The default format is JSON, on stdout.
        p2 = export(self.server.data_dir)
        self.assertEqual(p2.returncode, 0, p2.stderr)
        self.assertEqual(json.loads(p2.stdout)["Records"][:len(doc["Records"])],
                         doc["Records"])

    def test_data_events_only_with_include_data_events(self):
        names = [r["eventName"] for r in export_records(self.server.data_dir)]
        self.assertNotIn("InvokeEndpoint", names)
        data = [r for r in export_records(self.server.data_dir, "--include-data-events")
                if r["eventName"] == "InvokeEndpoint"]
        self.assertEqual([r["requestID"] for r in data], [self.invoke_rid])
        rec = data[0]
        self.assertEqual(rec["eventCategory"], "Data")
        self.assertIs(rec["managementEvent"], False)
        self.assertIsNone(rec["requestParameters"])
        self.assertEqual(rec["eventSource"], "sagemaker.amazonaws.com")

    # -- CSV -------------------------------------------------------------------------------------
    def test_csv_export_has_the_event_history_columns_and_one_row_per_event(self):
        p = export(self.server.data_dir, "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        records = export_records(self.server.data_dir)  # nothing happened in between
        first_line = p.stdout.splitlines()[0]
        self.assertEqual(first_line, CSV_HEADER)
        rows = list(csv.reader(io.StringIO(p.stdout, newline="")))
        self.assertEqual(rows[0], CSV_HEADER.split(","))
        rows = rows[1:]
        self.assertEqual(len(rows), len(records))
        keys = {k: v[0] for k, v in self.server.credentials.items()}
        for row, rec in zip(rows, records):
            self.assertEqual(len(row), 12, row)
            ui = rec["userIdentity"]
            params = rec["requestParameters"] or {}
            # The set-up's CreateRole names a role; the calls of the tests name models, by the
            # name they were created with.
            stored = {"exp-model": "Exp-Model"}
            rtype, rname = (("AWS::SageMaker::Model",
                             stored.get(params["modelName"].lower(), params["modelName"]))
                            if "modelName" in params else
                            ("AWS::IAM::Role", params["roleName"]) if "roleName" in params
                            else ("", ""))
            expected = [rec["eventName"], rec["eventTime"],
                        "root" if ui["type"] == "Root" else ui["userName"],
                        rec["eventSource"], rtype, rname, ui["accessKeyId"], rec["awsRegion"],
                        rec.get("errorCode", ""), rec["eventID"],
                        "true" if rec["readOnly"] else "false", "127.0.0.1"]
            self.assertEqual(row, expected)
            self.assertIn(row[6], keys.values())
        self.assertIn("ValidationException", [r[8] for r in rows])

    # -- filters -----------------------------------------------------------------------------
    def test_attribute_and_region_filters_match_lookup_events(self):
        for key, value in (("EventName", "CreateModel"), ("Username", "root"),
                           ("ReadOnly", "false"), ("ResourceName", "Exp-Model"),
                           ("ResourceType", "AWS::SageMaker::Model"),
                           ("EventSource", "cloudtrail.amazonaws.com"),
                           ("AccessKeyId", self.server.credentials["root"][0])):
            exported = self.records_before_end("--attribute", "%s=%s" % (key, value),
                                               "--region", "us-east-1")
            looked_up = self.lookup_records("us-east-1", LookupAttributes=attr(key, value))
            self.assertTrue(exported, key)
            self.assertEqual(exported, list(reversed(looked_up)), key)
        names = {r["eventName"] for r in self.records_before_end("--attribute",
                                                                 "EventName=CreateModel")}
        self.assertEqual(names, {"CreateModel"})
        eu = self.records_before_end("--region", "eu-west-1")
        self.assertEqual([r["awsRegion"] for r in eu], ["eu-west-1"])
        self.assertEqual(self.records_before_end("--region", "ap-south-1"), [])
        acct = eu[0]["recipientAccountId"]
        self.assertEqual(len(self.records_before_end("--account-id", acct)),
                         len(self.group_a + self.group_b))
        self.assertEqual(self.records_before_end("--account-id", "999999999999"), [])

    def test_start_and_end_filters(self):
        for end in (str(self.t_mid - 1), iso(self.t_mid - 1)):
            got = [r["requestID"] for r in export_records(self.server.data_dir, "--start",
                                                          str(self.t_start), "--end", end)]
            self.assertEqual(sorted(got), sorted(self.group_a), end)
        for start in (str(self.t_mid), iso(self.t_mid)):
            got = [r["requestID"] for r in export_records(
                self.server.data_dir, "--start", start, "--end", str(self.t_end))]
            self.assertEqual(sorted(got), sorted(self.group_b), start)
        got = export_records(self.server.data_dir, "--start", str(self.t_start - 7200),
                             "--end", str(self.t_start - 3600))
        self.assertEqual(got, [])
        p = export(self.server.data_dir, "--start", "yesterday-ish")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not a time", p.stderr)

    # -- output and errors -------------------------------------------------------------------
    def test_output_file(self):
        path = os.path.join(self.server.data_dir, "export-out.json")
        p = export(self.server.data_dir, "--format", "json", "-o", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        with open(path) as f:
            doc = json.load(f)
        self.assertEqual(doc["Records"], export_records(self.server.data_dir))
        self.assertIn("exported %d events" % len(doc["Records"]), p.stderr)
        path = os.path.join(self.server.data_dir, "export-out.csv")
        p = export(self.server.data_dir, "--format", "csv", "--output", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path, newline="") as f:
            self.assertEqual(f.readline(), CSV_HEADER + "\r\n")
        # Owner-only whatever the umask, like the data dir the records come from.
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)

    def test_a_start_after_now_without_an_end_is_refused_as_lookup_events_does(self):
        p = export(self.server.data_dir, "--start", "2099-01-01T00:00:00Z")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("InvalidTimeRangeException: Start time must be before end time.", p.stderr)

    def test_bad_arguments_exit_non_zero(self):
        d = self.server.data_dir
        for args in (["--attribute", "NoSuchKey=x"], ["--attribute", "EventName"],
                     ["--attribute", "eventname=CreateModel"], ["--format", "xml"],
                     ["--end", "not-a-time"], ["--no-such-flag"]):
            p = export(d, *args)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertEqual(p.stdout, "", args)
            self.assertTrue(p.stderr.strip(), args)
        p = export(os.path.join(d, "no-such-dir"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no event store", p.stderr)

    def test_filters_no_event_could_match_are_refused_as_lookup_events_refuses_them(self):
        # Each refusal of LookupEvents (its exception and text) and of the export for the same
        # filter: exit 2, nothing on stdout, "sagetrail: <Exception>: <text>" on stderr.
        ct = self.server.client("cloudtrail")
        cases = [
            (["--start", iso(self.t_end), "--end", iso(self.t_start)],
             dict(StartTime=self.t_end, EndTime=self.t_start)),
            (["--attribute", "ReadOnly=maybe"], dict(LookupAttributes=attr("ReadOnly", "maybe"))),
            (["--attribute", "Region=us-east-1"],
             dict(LookupAttributes=attr("Region", "us-east-1"))),
            (["--attribute", "EventName=CreateModel", "--attribute", "Username=admin"],
             dict(LookupAttributes=attr("EventName", "CreateModel") + attr("Username", "admin"))),
        ]
        for args, params in cases:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                ct.lookup_events(**params)
            error = cm.exception.response["Error"]
            p = export(self.server.data_dir, *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertEqual(p.stdout, "", args)
            self.assertEqual(p.stderr, "sagetrail: %s: %s\n" % (error["Code"], error["Message"]))
        # The export's own options that nothing could match.
        for args, text in [
                (["--start", "nan"], "not a time: 'nan'"),
                (["--end", "2025-13-01"], "not a time: '2025-13-01'"),
                (["--account-id", "12345"], "not an account id: '12345'"),
                (["--region", "us-east-1x"], "not an AWS region: 'us-east-1x'"),
                (["--attribute", "EventName="], "InvalidLookupAttributesException: The lookup "
                                                "attribute value cannot be empty."),
                (["--format", "xml"], "xml not in {json,csv}")]:
            p = export(self.server.data_dir, *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertEqual(p.stdout, "", args)
            self.assertIn(text, p.stderr, args)


class ExportAfterStopTest(unittest.TestCase):

    def test_export_after_the_server_stopped_equals_what_lookup_events_returned(self):
        with Server() as s:
            s.sagemaker_role()
            start = next_second_boundary()
            sm = s.client("sagemaker")
            sm.create_model(ModelName="after-stop", PrimaryContainer={"Image": IMAGE},
                            ExecutionRoleArn=ROLE)
            sm.describe_model(ModelName="after-stop")
            code, out, err = s.aws("sagemaker", "list-models")
            self.assertEqual(code, 0, err)
            running = [r for r in export_records(s.data_dir) if r["eventTime"] >= iso(start)]
            setup = len(export_records(s.data_dir)) - len(running)  # the role's CreateRole
            end = next_second_boundary() - 1
            looked_up = [e["CloudTrailEvent"] for e in lookup_all(s.client("cloudtrail"),
                                                                  StartTime=start, EndTime=end)]
            code = s.stop()
            self.assertEqual(code, 0, s.read_stderr())
            stopped = export_records(s.data_dir)[setup:]
            # The records of the three calls, identical in all three views.
            self.assertEqual([json.loads(c) for c in reversed(looked_up)], running)
            self.assertEqual(stopped[:len(running)], running)
            # Exactly one more: the LookupEvents call made before the stop.
            self.assertEqual([r["eventName"] for r in stopped[len(running):]], ["LookupEvents"])
            self.assertEqual(len(running), 3)
            # CSV after the stop as well.
            p = export(s.data_dir, "--format", "csv")
            self.assertEqual(p.returncode, 0, p.stderr)
            rows = list(csv.reader(io.StringIO(p.stdout, newline="")))
            self.assertEqual([r[9] for r in rows[1 + setup:]], [r["eventID"] for r in stopped])


if __name__ == "__main__":
    unittest.main()
