"""End-to-end tests of the CloudTrail audit trail of SageMaker (and CloudTrail) calls made with
the aws CLI and boto3: Event history finds every call by each of the eight lookup attributes and
by time range, newest first, per region; each CloudTrailEvent is a well-formed 1.11 record whose
fields match the call (identity, request id, parameters, outcome); and calls that were never
authenticated, name no operation, or are data events (InvokeEndpoint) are not in Event history.

Models themselves: test_audit_models.py. Paging and LookupEvents input errors:
test_audit_paging.py. Crash durability and retention: test_audit_durability.py. `sagetrail
events export`: test_audit_export.py.
"""

import datetime
import json
import re
import time
import unittest

import botocore.exceptions

from audit_common import (EVENT_TIME_RE, IMAGE, ROLE, UUID_RE, attr, aws_with_request_id,
                          by_request_id, export_records, iso, lookup_all, next_second_boundary,
                          record_time, request_id_of)
from harness import ServerTestCase

WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
UNKNOWN_KEY = "AKIAIOSFODNN7EXAMPLE"
ATTRIBUTES = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
              "EventSource", "AccessKeyId")
MODEL_TYPE = "AWS::SageMaker::Model"


def record_param_time(epoch):
    """A timestamp as records show it inside requestParameters: "Oct 26, 2025, 11:50:52 PM"."""
    t = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return "%s %d, %04d, %d:%02d:%02d %s" % (t.strftime("%b"), t.day, t.year,
                                             t.hour % 12 or 12, t.minute, t.second,
                                             "AM" if t.hour < 12 else "PM")


class Call:
    """One call made in setUpClass and what its event must say."""

    def __init__(self, label, event_name, read_only, profile, source, ua, region="us-east-1",
                 resources=(), error=None, params=None, response=None):
        self.label = label
        self.event_name = event_name
        self.read_only = read_only
        self.profile = profile
        self.source = source
        self.ua = ua
        self.region = region
        self.resources = list(resources)  # model names indexed for Event history
        self.error = error                # (code, message) from the API's own error
        self.params = params              # expected requestParameters
        self.response = response          # expected responseElements
        self.rid = None
        self.t0 = self.t1 = None


class AuditTrailTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.tag = "%x" % (int(time.time() * 1000) % 0xffffff)
        cls.model = "Audit-Model-" + cls.tag
        cls.cli_model = "Audit-Cli-" + cls.tag
        cls.missing = "Missing-" + cls.tag
        cls.eu_model = "Eu-Only-" + cls.tag
        cls.calls = []
        cls.t_start = time.time()
        sm = s.client("sagemaker")
        sm_root = s.client("sagemaker", profile="root")
        ct = s.client("cloudtrail")

        def boto(call, fn):
            call.t0 = time.time()
            try:
                r = fn()
            except botocore.exceptions.ClientError as e:
                r = e.response
                call.api_error = (r["Error"]["Code"], r["Error"]["Message"])
            call.t1 = time.time()
            call.rid = request_id_of(r)
            cls.calls.append(call)
            return r

        def cli(call, *args):
            call.t0 = time.time()
            code, out, err, rid = aws_with_request_id(s, *args, profile=call.profile,
                                                      region=call.region)
            call.t1 = time.time()
            call.rid = rid
            call.cli_result = (code, out, err)
            cls.calls.append(call)
            return out

        # 1. boto3 CreateModel (admin): a mutating success.
        c = Call("create", "CreateModel", False, "admin", "sagemaker.amazonaws.com", "Boto3",
                 resources=[cls.model],
                 params={"modelName": cls.model, "primaryContainer": {"image": IMAGE},
                         "executionRoleArn": ROLE})
        r = boto(c, lambda: sm.create_model(ModelName=cls.model,
                                            PrimaryContainer={"Image": IMAGE},
                                            ExecutionRoleArn=ROLE))
        cls.model_arn = r["ModelArn"]
        cls.account = cls.model_arn.split(":")[4]
        c.response = {"modelArn": cls.model_arn}
        # 2. boto3 DescribeModel (admin): a read-only success.
        boto(Call("describe", "DescribeModel", True, "admin", "sagemaker.amazonaws.com", "Boto3",
                  resources=[cls.model], params={"modelName": cls.model.lower()}),
             lambda: sm.describe_model(ModelName=cls.model.lower()))
        # 3. boto3 ListModels: read-only, no resource.
        boto(Call("list", "ListModels", True, "admin", "sagemaker.amazonaws.com", "Boto3",
                  params={"nameContains": cls.tag}),
             lambda: sm.list_models(NameContains=cls.tag))
        # 4. boto3 DescribeModel of a missing model: a failure.
        boto(Call("missing", "DescribeModel", True, "admin", "sagemaker.amazonaws.com", "Boto3",
                  resources=[cls.missing], params={"modelName": cls.missing}),
             lambda: sm.describe_model(ModelName=cls.missing))
        # 5. boto3 CreateModel with a name that fails the model's pattern: a validation failure.
        cls.bad_name = "bad_name_" + cls.tag
        boto(Call("invalid", "CreateModel", False, "admin", "sagemaker.amazonaws.com", "Boto3",
                  resources=[cls.bad_name],
                  params={"modelName": cls.bad_name, "primaryContainer": {"image": IMAGE},
                          "executionRoleArn": ROLE}),
             lambda: sm.create_model(ModelName=cls.bad_name, PrimaryContainer={"Image": IMAGE},
                                     ExecutionRoleArn=ROLE))
        # 6. boto3 ListClusters: an operation sagetrail does not implement (501).
        boto(Call("notimpl", "ListClusters", True, "admin", "sagemaker.amazonaws.com", "Boto3"),
             lambda: sm.list_clusters())
        # 7. boto3 LookupEvents itself.
        boto(Call("lookup", "LookupEvents", True, "admin", "cloudtrail.amazonaws.com", "Boto3",
                  params={"maxResults": 1}),
             lambda: ct.lookup_events(MaxResults=1))
        # 8. boto3 DescribeModel as root.
        boto(Call("root", "DescribeModel", True, "root", "sagemaker.amazonaws.com", "Boto3",
                  resources=[cls.model], params={"modelName": cls.model}),
             lambda: sm_root.describe_model(ModelName=cls.model))
        # 9. aws CLI create-model (admin).
        c = Call("cli_create", "CreateModel", False, "admin", "sagemaker.amazonaws.com",
                 "aws-cli", resources=[cls.cli_model],
                 params={"modelName": cls.cli_model, "primaryContainer": {"image": IMAGE},
                         "executionRoleArn": ROLE})
        out = cli(c, "sagemaker", "create-model", "--model-name", cls.cli_model,
                  "--primary-container", "Image=" + IMAGE, "--execution-role-arn", ROLE)
        c.response = {"modelArn": (out or {}).get("ModelArn")}
        # 10. aws CLI delete-model as root: a mutating success with no output.
        cli(Call("cli_root", "DeleteModel", False, "root", "sagemaker.amazonaws.com", "aws-cli",
                 resources=[cls.cli_model], params={"modelName": cls.cli_model}),
            "sagemaker", "delete-model", "--model-name", cls.cli_model)
        # 11. aws CLI describe-model of a missing model in eu-west-1.
        cli(Call("eu", "DescribeModel", True, "admin", "sagemaker.amazonaws.com", "aws-cli",
                 region="eu-west-1", resources=[cls.eu_model],
                 params={"modelName": cls.eu_model}),
            "sagemaker", "describe-model", "--model-name", cls.eu_model)

        # Everything above happened at or before t_end (whole seconds, inclusive): lookups
        # bounded by [t_start, t_end] see a fixed set, however many LookupEvents calls follow.
        cls.t_end = next_second_boundary() - 1
        cls.window = {"StartTime": int(cls.t_start), "EndTime": cls.t_end}
        cls.cli_window = ["--start-time", iso(cls.t_start), "--end-time", iso(cls.t_end)]

    # -- helpers -------------------------------------------------------------------------------
    def call(self, label):
        return next(c for c in self.calls if c.label == label)

    def us_calls(self):
        return [c for c in self.calls if c.region == "us-east-1"]

    def expected_attributes(self, c, event_id):
        """(AttributeKey, AttributeValue) pairs that must find call `c`."""
        pairs = [("EventId", event_id), ("EventName", c.event_name),
                 ("ReadOnly", "true" if c.read_only else "false"),
                 ("Username", "root" if c.profile == "root" else "admin"),
                 ("EventSource", c.source),
                 ("AccessKeyId", self.server.credentials[c.profile][0])]
        if c.resources:
            pairs.append(("ResourceType", MODEL_TYPE))
            pairs += [("ResourceName", n) for n in c.resources]
        return pairs

    def all_events(self, region="us-east-1"):
        ct = self.server.client("cloudtrail", region=region)
        return lookup_all(ct, **self.window)

    def event_ids(self, region="us-east-1"):
        """{requestID: EventId} of the calls made in setUpClass."""
        found = by_request_id(self.all_events(region))
        return {rid: ev["EventId"] for rid, (ev, _) in found.items()}

    def assertEventMatchesAttribute(self, ev, key, value):
        if key == "EventId":
            self.assertEqual(ev["EventId"], value)
        elif key == "EventName":
            self.assertEqual(ev["EventName"], value)
        elif key == "ReadOnly":
            self.assertEqual(ev["ReadOnly"], value)
        elif key == "Username":
            self.assertEqual(ev.get("Username"), value)
        elif key == "EventSource":
            self.assertEqual(ev["EventSource"], value)
        elif key == "AccessKeyId":
            self.assertEqual(ev.get("AccessKeyId"), value)
        elif key == "ResourceType":
            self.assertIn(value, [r["ResourceType"] for r in ev["Resources"]], ev)
        elif key == "ResourceName":
            self.assertIn(value, [r["ResourceName"] for r in ev["Resources"]], ev)

    # -- 2. every call is found by every lookup attribute --------------------------------------
    def test_every_call_is_found_by_every_lookup_attribute_with_boto3(self):
        ids = self.event_ids()
        ct = self.server.client("cloudtrail")
        cache = {}
        for c in self.us_calls():
            self.assertIn(c.rid, ids, "%s (request %s) has no event" % (c.label, c.rid))
            for key, value in self.expected_attributes(c, ids[c.rid]):
                if (key, value) not in cache:
                    cache[key, value] = lookup_all(ct, LookupAttributes=attr(key, value),
                                                   **self.window)
                    for ev in cache[key, value]:  # nothing that does not match
                        self.assertEventMatchesAttribute(ev, key, value)
                found = [e["EventId"] for e in cache[key, value]]
                self.assertIn(ids[c.rid], found, "%s not found by %s=%s" % (c.label, key, value))
        # EventId finds exactly one event.
        for c in self.us_calls():
            self.assertEqual(len(cache["EventId", ids[c.rid]]), 1)
        # Calls that name no model are not indexed under a resource.
        typed = {e["EventId"] for e in cache["ResourceType", MODEL_TYPE]}
        for label in ("list", "notimpl", "lookup"):
            self.assertNotIn(ids[self.call(label).rid], typed, label)

    def test_every_call_is_found_by_every_lookup_attribute_with_the_aws_cli(self):
        ids = self.event_ids()
        wanted = {}  # (key, value) -> event ids that must be found
        for c in self.us_calls():
            for key, value in self.expected_attributes(c, ids[c.rid]):
                wanted.setdefault((key, value), set()).add(ids[c.rid])
        for (key, value), must in sorted(wanted.items()):
            code, out, err = self.server.aws(
                "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=%s,AttributeValue=%s" % (key, value), *self.cli_window)
            self.assertEqual(code, 0, err)
            for ev in out["Events"]:
                self.assertEventMatchesAttribute(ev, key, value)
            found = {e["EventId"] for e in out["Events"]}
            self.assertLessEqual(must, found, "%s=%s" % (key, value))

    def test_eu_west_1_events_are_found_only_in_eu_west_1(self):
        c = self.call("eu")
        self.assertIsNotNone(c.rid)
        self.assertNotIn(c.rid, self.event_ids("us-east-1"))
        eu = by_request_id(self.all_events("eu-west-1"))
        self.assertIn(c.rid, eu)
        ev, rec = eu[c.rid]
        self.assertEqual(rec["awsRegion"], "eu-west-1")
        # Only the eu-west-1 call is there (setUpClass made no other call in eu-west-1).
        self.assertEqual(list(eu), [c.rid])
        for key, value in (("EventId", ev["EventId"]), ("ResourceName", self.eu_model),
                           ("AccessKeyId", self.server.credentials["admin"][0])):
            code, out, err = self.server.aws(
                "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=%s,AttributeValue=%s" % (key, value), *self.cli_window,
                region="eu-west-1")
            self.assertEqual(code, 0, err)
            self.assertEqual([e["EventId"] for e in out["Events"]], [ev["EventId"]], key)
        # ... and not in us-east-1, whichever way it is looked for.
        for key, value in (("EventId", ev["EventId"]), ("ResourceName", self.eu_model)):
            code, out, err = self.server.aws(
                "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=%s,AttributeValue=%s" % (key, value), *self.cli_window)
            self.assertEqual((code, out), (0, {"Events": []}), err)

    # -- 2. time range -------------------------------------------------------------------------
    def test_time_range_bounds_and_invalid_range(self):
        ct = self.server.client("cloudtrail")
        ids = self.event_ids()
        create = self.call("create")
        ev = next(e for e in lookup_all(ct, LookupAttributes=attr("EventId", ids[create.rid]),
                                        **self.window))
        t = ev["EventTime"].timestamp()
        sec = int(t)
        # StartTime at (or just before) the event includes it, a second after excludes it.
        for start, end, found in ((sec, self.t_end, True), (sec - 1, sec + 1, True),
                                  (sec + 1, self.t_end, False), (sec - 5, sec - 1, False)):
            got = lookup_all(ct, LookupAttributes=attr("EventId", ids[create.rid]),
                             StartTime=start, EndTime=end)
            self.assertEqual(len(got), 1 if found else 0, (start, end, t))
        # A range that excludes everything (before the server started).
        old = int(self.t_start) - 3600
        self.assertEqual(lookup_all(ct, StartTime=old - 60, EndTime=old), [])
        code, out, err = self.server.aws("cloudtrail", "lookup-events", "--start-time",
                                         iso(old - 60), "--end-time", iso(old))
        self.assertEqual((code, out), (0, {"Events": []}), err)
        # StartTime after EndTime.
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ct.lookup_events(StartTime=self.t_end, EndTime=self.t_end - 60)
        err_resp = cm.exception.response
        self.assertEqual(err_resp["Error"]["Code"], "InvalidTimeRangeException")
        self.assertEqual(err_resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        # The refused LookupEvents is itself recorded, as a failure, with its timestamps
        # rendered the way CloudTrail shows them ("Nov 22, 2026, 4:34:54 AM").
        rid = request_id_of(err_resp)
        found = by_request_id(lookup_all(ct, LookupAttributes=attr("EventName", "LookupEvents"),
                                         StartTime=self.t_end))
        self.assertIn(rid, found)
        rec = found[rid][1]
        self.assertEqual((rec["errorCode"], rec["errorMessage"]),
                         ("InvalidTimeRangeException", err_resp["Error"]["Message"]))
        self.assertEqual(rec["requestParameters"],
                         {"startTime": record_param_time(self.t_end),
                          "endTime": record_param_time(self.t_end - 60)})
        self.assertIsNone(rec["responseElements"])
        code, out, err = self.server.aws("cloudtrail", "lookup-events", "--start-time",
                                         iso(self.t_end), "--end-time", iso(self.t_end - 60))
        self.assertIn(code, (254, 255), err)
        self.assertIn("An error occurred (InvalidTimeRangeException) when calling the "
                      "LookupEvents operation", err)

    def test_start_and_end_time_equal_to_the_records_own_event_time_find_it(self):
        # Regression test (this once failed): event times are whole seconds, so a lookup bounded by
        # a record's own eventTime (inclusive) finds it.
        ct = self.server.client("cloudtrail")
        rid = self.call("create").rid
        ev, rec = by_request_id(self.all_events())[rid]
        t = int(record_time(rec))
        detail = "eventTime %s, LookupEvents EventTime %r" % (rec["eventTime"],
                                                              ev["EventTime"].timestamp())
        with self.subTest("boto3"):
            got = lookup_all(ct, LookupAttributes=attr("EventId", ev["EventId"]), StartTime=t,
                             EndTime=t)
            self.assertEqual([e["EventId"] for e in got], [ev["EventId"]], detail)
        with self.subTest("aws cli"):
            code, out, err = self.server.aws(
                "cloudtrail", "lookup-events", "--lookup-attributes",
                "AttributeKey=EventId,AttributeValue=" + ev["EventId"],
                "--start-time", rec["eventTime"], "--end-time", rec["eventTime"])
            self.assertEqual(code, 0, err)
            self.assertEqual([e["EventId"] for e in out["Events"]], [ev["EventId"]], detail)
        with self.subTest("sagetrail events export"):
            got = export_records(self.server.data_dir, "--start", rec["eventTime"],
                                 "--end", rec["eventTime"])
            self.assertIn(ev["EventId"], [r["eventID"] for r in got], detail)

    def test_results_are_newest_first(self):
        events = self.all_events()
        times = [e["EventTime"] for e in events]
        self.assertEqual(times, sorted(times, reverse=True))
        # The calls come back in the reverse of the order they were made.
        order = [json.loads(e["CloudTrailEvent"])["requestID"] for e in events]
        made = [c.rid for c in self.us_calls()]
        self.assertEqual([rid for rid in order if rid in made], list(reversed(made)))
        # The CLI shows the same order.
        code, out, err = self.server.aws("cloudtrail", "lookup-events", *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual([e["EventId"] for e in out["Events"]],
                         [e["EventId"] for e in events])

    # -- 3. the records ------------------------------------------------------------------------
    def test_each_cloudtrail_event_is_a_complete_record_matching_its_call(self):
        found = by_request_id(self.all_events())
        found.update(by_request_id(self.all_events("eu-west-1")))
        acct = self.account
        for c in self.calls:
            with self.subTest(call=c.label):
                self.assertRegex(c.rid or "", UUID_RE)
                self.assertIn(c.rid, found)
                ev, rec = found[c.rid]
                self.assertEqual(rec["eventVersion"], "1.11")
                # Identity.
                ui = rec["userIdentity"]
                key = self.server.credentials[c.profile][0]
                if c.profile == "root":
                    self.assertEqual(ui, {"type": "Root", "principalId": acct,
                                          "arn": "arn:aws:iam::%s:root" % acct,
                                          "accountId": acct, "accessKeyId": key})
                else:
                    self.assertEqual(set(ui), {"type", "principalId", "arn", "accountId",
                                               "accessKeyId", "userName"}, ui)
                    self.assertEqual(ui["type"], "IAMUser")
                    self.assertRegex(ui["principalId"], r"^AIDA[A-Z0-9]{17}$")
                    self.assertEqual(ui["arn"], "arn:aws:iam::%s:user/admin" % acct)
                    self.assertEqual(ui["accountId"], acct)
                    self.assertEqual(ui["accessKeyId"], key)
                    self.assertEqual(ui["userName"], "admin")
                # Time, source, name, region, caller.
                self.assertRegex(rec["eventTime"], EVENT_TIME_RE)
                t = record_time(rec)
                self.assertGreaterEqual(t, int(c.t0) - 1, rec["eventTime"])
                self.assertLessEqual(t, c.t1 + 1, rec["eventTime"])
                self.assertEqual(rec["eventSource"], c.source)
                self.assertEqual(rec["eventName"], c.event_name)
                self.assertEqual(rec["awsRegion"], c.region)
                self.assertEqual(rec["sourceIPAddress"], "127.0.0.1")
                self.assertIsInstance(rec["userAgent"], str)
                self.assertIn(c.ua, rec["userAgent"])
                # Parameters and outcome.
                self.assertEqual(rec["requestParameters"], c.params)
                self.assertEqual(rec["responseElements"], c.response)
                api_error = getattr(c, "api_error", None)
                if c.ua == "aws-cli":
                    code, out, err = c.cli_result
                    m = re.search(r"An error occurred \((\w+)\) when calling the \w+ operation: "
                                  r"(.*)$", err, re.M)
                    api_error = (m.group(1), m.group(2)) if m else None
                    self.assertEqual(code != 0, api_error is not None, err)
                if api_error:
                    self.assertEqual((rec.get("errorCode"), rec.get("errorMessage")), api_error)
                    self.assertIsNone(rec["responseElements"])
                else:
                    self.assertNotIn("errorCode", rec)
                    self.assertNotIn("errorMessage", rec)
                # Ids and classification.
                self.assertEqual(rec["requestID"], c.rid)
                self.assertRegex(rec["eventID"], UUID_RE)
                self.assertEqual(rec["eventID"], ev["EventId"])
                self.assertIs(rec["readOnly"], c.read_only)
                self.assertEqual(rec["eventType"], "AwsApiCall")
                self.assertIs(rec["managementEvent"], True)
                self.assertEqual(rec["recipientAccountId"], acct)
                self.assertEqual(rec["eventCategory"], "Management")
                self.assertNotIn("tlsDetails", rec)
        # The failures are the ones expected.
        codes = {c.label: found[c.rid][1].get("errorCode") for c in self.calls}
        self.assertEqual(codes, {"create": None, "describe": None, "list": None,
                                 "missing": "ValidationException",
                                 "invalid": "ValidationException", "notimpl": "NotImplemented",
                                 "lookup": None, "root": None, "cli_create": None,
                                 "cli_root": None, "eu": "ValidationException"})
        self.assertEqual(found[self.call("missing").rid][1]["errorMessage"],
                         'Could not find model "arn:aws:sagemaker:us-east-1:%s:model/%s".'
                         % (acct, self.missing.lower()))

    def test_lookup_events_response_shape_boto3_and_cli(self):
        keys = {"EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource",
                "Username", "Resources", "CloudTrailEvent"}
        events = self.all_events()
        self.assertTrue(events)
        for ev in events:
            self.assertEqual(set(ev), keys, ev)
            self.assertIn(ev["ReadOnly"], ("true", "false"))
            self.assertIsInstance(ev["EventTime"], datetime.datetime)
            rec = json.loads(ev["CloudTrailEvent"])
            self.assertEqual(ev["ReadOnly"], "true" if rec["readOnly"] else "false")
            self.assertEqual(int(ev["EventTime"].timestamp()), int(record_time(rec)))
            self.assertEqual(ev["EventName"], rec["eventName"])
            self.assertEqual(ev["EventSource"], rec["eventSource"])
            self.assertEqual(ev["AccessKeyId"], rec["userIdentity"]["accessKeyId"])
            self.assertEqual(ev["Username"], rec["userIdentity"].get("userName", "root"))
            for res in ev["Resources"]:
                self.assertEqual(set(res), {"ResourceType", "ResourceName"}, res)
        found = by_request_id(events)
        self.assertEqual(found[self.call("create").rid][0]["Resources"],
                         [{"ResourceType": MODEL_TYPE, "ResourceName": self.model}])
        for label in ("list", "notimpl", "lookup"):
            self.assertEqual(found[self.call(label).rid][0]["Resources"], [], label)
        # Raw wire types, through the aws CLI's JSON output.
        code, out, err = self.server.aws("cloudtrail", "lookup-events", *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual(list(out), ["Events"])
        for ev in out["Events"]:
            self.assertEqual(set(ev), keys)
            self.assertIsInstance(ev["ReadOnly"], str)
            self.assertIsInstance(ev["EventTime"], (int, float))
            self.assertNotIsInstance(ev["EventTime"], bool)
            self.assertIsInstance(ev["CloudTrailEvent"], str)
            self.assertIsInstance(ev["Resources"], list)

    # -- 5. unauthenticated and unknown-operation requests are not recorded ---------------------
    def assertNothingRecordedDuring(self, action):
        """Runs `action` between two lookups and checks that the only event recorded in between
        is the first lookup's own."""
        ct = self.server.client("cloudtrail")
        first = ct.lookup_events(MaxResults=1)
        action()
        events = ct.lookup_events(MaxResults=2)["Events"]
        newest = json.loads(events[0]["CloudTrailEvent"])
        self.assertEqual((newest["eventName"], newest["requestID"]),
                         ("LookupEvents", request_id_of(first)),
                         "something was recorded in between: %s" % events[0]["CloudTrailEvent"])

    def test_requests_failing_authentication_are_not_recorded(self):
        s = self.server
        names = ["sigfail-raw-" + self.tag, "sigfail-boto-" + self.tag,
                 "sigfail-key-" + self.tag, "sigfail-unsigned-" + self.tag]

        def rejected():
            st, _, body = s.signed_request("SageMaker.DescribeModel",
                                           body=json.dumps({"ModelName": names[0]}).encode(),
                                           secret=WRONG_SECRET)
            self.assertEqual(st, 400, body)
            self.assertEqual(json.loads(body)["__type"], "InvalidSignatureException")
            sm = s.client("sagemaker", secret=WRONG_SECRET)
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                sm.describe_model(ModelName=names[1])
            self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidSignatureException")
            sm = s.client("sagemaker", access_key=UNKNOWN_KEY)
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                sm.create_model(ModelName=names[2], PrimaryContainer={"Image": IMAGE},
                                ExecutionRoleArn=ROLE)
            self.assertEqual(cm.exception.response["Error"]["Code"],
                             "UnrecognizedClientException")
            st, _, body = s.send("POST", "/", {"X-Amz-Target": "SageMaker.DescribeModel",
                                               "Content-Type": "application/x-amz-json-1.1"},
                                 json.dumps({"ModelName": names[3]}).encode())
            self.assertEqual(st, 400, body)

        self.assertNothingRecordedDuring(rejected)
        ct = s.client("cloudtrail")
        for name in names:
            self.assertEqual(lookup_all(ct, LookupAttributes=attr("ResourceName", name)), [],
                             name)
        code, out, err = s.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                               "AttributeKey=ResourceName,AttributeValue=" + names[0])
        self.assertEqual((code, out), (0, {"Events": []}), err)

    def test_unknown_operations_are_not_recorded(self):
        s = self.server
        name = "unknownop-" + self.tag

        def unknown():
            for target in ("SageMaker.NoSuchOperation",
                           "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.NoSuchOp"):
                service = "cloudtrail" if "cloudtrail" in target else "sagemaker"
                st, _, body = s.signed_request(target, service=service,
                                               body=json.dumps({"ModelName": name}).encode())
                self.assertEqual(st, 400, body)
                self.assertEqual(json.loads(body)["__type"], "UnknownOperationException")

        self.assertNothingRecordedDuring(unknown)
        ct = s.client("cloudtrail")
        self.assertEqual(lookup_all(ct, LookupAttributes=attr("ResourceName", name)), [])
        for op in ("NoSuchOperation", "NoSuchOp"):
            self.assertEqual(lookup_all(ct, LookupAttributes=attr("EventName", op)), [], op)

    # -- 6. InvokeEndpoint is a data event: never in Event history -----------------------------
    def test_invoke_endpoint_calls_never_appear_in_event_history(self):
        s = self.server
        endpoint = "invoke-" + self.tag
        answers = []

        def invoke():
            st, headers, body = s.signed_request(
                None, body=b'{"instances": [1, 2]}', path="/endpoints/%s/invocations" % endpoint,
                content_type="application/json", service="sagemaker")
            answers.append((st, body))
            rt = s.client("sagemaker-runtime")
            try:
                rt.invoke_endpoint(EndpointName=endpoint, Body=b"1,2,3", ContentType="text/csv")
                answers.append("boto3: ok")
            except botocore.exceptions.ClientError as e:
                answers.append("boto3: " + e.response["Error"]["Code"])

        self.assertNothingRecordedDuring(invoke)  # whatever the server answered
        ct = s.client("cloudtrail")
        for key, value in (("EventName", "InvokeEndpoint"), ("ResourceName", endpoint),
                           ("ResourceType", "AWS::SageMaker::Endpoint")):
            self.assertEqual(lookup_all(ct, LookupAttributes=attr(key, value)), [],
                             "%s=%s (answers: %r)" % (key, value, answers))
        names = {e["EventName"] for e in lookup_all(
            ct, LookupAttributes=attr("EventSource", "sagemaker.amazonaws.com"))}
        self.assertNotIn("InvokeEndpoint", names)
        code, out, err = s.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                               "AttributeKey=EventName,AttributeValue=InvokeEndpoint")
        self.assertEqual((code, out), (0, {"Events": []}), err)


if __name__ == "__main__":
    unittest.main()
