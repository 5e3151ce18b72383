"""End-to-end tests of LookupEvents paging and input errors: the default page of 50 with a
NextToken, following NextToken to the end with nothing duplicated or missing, MaxResults pages,
the aws CLI's own paginator (--max-items, --starting-token, --page-size), and
InvalidMaxResults / InvalidNextToken / InvalidLookupAttributes / InvalidEventCategory.
"""

import json
import time
import unittest

import botocore.exceptions

from audit_common import (ROLE, UUID_RE, attr, export_records, lookup_all, next_second_boundary,
                          request_id_of)
from harness import ServerTestCase

CALLS = 60


class LookupPagingTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.t_start = next_second_boundary()  # after the set-up's own calls (the role)
        sm = s.client("sagemaker")
        sm.create_model(ModelName="paged", PrimaryContainer={"Image": "x"},
                        ExecutionRoleArn=ROLE)
        # 60 quick DescribeModel calls on one client (one keep-alive connection).
        cls.describe_rids = [request_id_of(sm.describe_model(ModelName="paged"))
                             for _ in range(CALLS)]
        cls.t_end = next_second_boundary() - 1  # every call above is at or before t_end
        cls.window = {"StartTime": cls.t_start, "EndTime": cls.t_end}
        cls.cli_window = ["--start-time", str(cls.t_start), "--end-time", str(cls.t_end)]

    def ct(self):
        return self.server.client("cloudtrail")

    def assertLookupError(self, code, **params):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ct().lookup_events(**params)
        r = cm.exception.response
        self.assertEqual(r["Error"]["Code"], code, r)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400, r)
        self.assertTrue(r["Error"]["Message"], r)
        return r

    def rids(self, events):
        return [json.loads(e["CloudTrailEvent"])["requestID"] for e in events]

    # -- default page size and NextToken -------------------------------------------------------
    def test_default_page_is_50_and_next_token_reaches_the_rest_exactly_once(self):
        ct = self.ct()
        by_name = {"LookupAttributes": attr("EventName", "DescribeModel")}
        first = ct.lookup_events(**by_name, **self.window)
        self.assertEqual(len(first["Events"]), 50)
        self.assertIn("NextToken", first)
        second = ct.lookup_events(**by_name, **self.window, NextToken=first["NextToken"])
        self.assertEqual(len(second["Events"]), CALLS - 50)
        self.assertNotIn("NextToken", second)
        got = self.rids(first["Events"] + second["Events"])
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(got, list(reversed(self.describe_rids)))  # newest first, none missing
        ids = [e["EventId"] for e in first["Events"] + second["Events"]]
        self.assertEqual(len(set(ids)), CALLS)

        # Without any attribute: every event of the window, compared with the store's export.
        events = lookup_all(ct, **self.window)
        ids = [e["EventId"] for e in events]
        self.assertEqual(len(ids), len(set(ids)), "duplicates across pages")
        expected = [r["eventID"] for r in export_records(self.server.data_dir)
                    if r["awsRegion"] == "us-east-1" and
                    self._iso(self.t_start) <= r["eventTime"] <= self._iso(self.t_end)]
        self.assertEqual(set(ids), set(expected))
        self.assertEqual(len(ids), CALLS + 1)  # the CreateModel and the 60 DescribeModel
        page = ct.lookup_events(**self.window)
        self.assertEqual(len(page["Events"]), 50)
        self.assertIn("NextToken", page)

    @staticmethod
    def _iso(epoch):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))

    def test_max_results_7_pages_through_everything(self):
        ct = self.ct()
        params = dict(LookupAttributes=attr("EventName", "DescribeModel"), MaxResults=7,
                      **self.window)
        sizes, got, token = [], [], None
        for _ in range(20):
            r = ct.lookup_events(**params, **({"NextToken": token} if token else {}))
            sizes.append(len(r["Events"]))
            got += self.rids(r["Events"])
            token = r.get("NextToken")
            if not token:
                break
        self.assertEqual(sizes, [7] * 8 + [4])
        self.assertEqual(got, list(reversed(self.describe_rids)))

    def test_paging_is_stable_while_new_events_arrive(self):
        # No EndTime: each lookup adds an event newer than the pages being read, which must
        # not shift the pages (the cursor moves towards older events).
        ct = self.ct()
        sm = self.server.client("sagemaker")
        by_name = {"LookupAttributes": attr("EventName", "DescribeModel"),
                   "StartTime": self.t_start, "MaxResults": 25}
        r = ct.lookup_events(**by_name)
        seen = self.rids(r["Events"])
        fresh = [request_id_of(sm.describe_model(ModelName="paged")) for _ in range(3)]
        for _ in range(10):
            if "NextToken" not in r:
                break
            r = ct.lookup_events(**by_name, NextToken=r["NextToken"])
            seen += self.rids(r["Events"])
        self.assertEqual(len(seen), len(set(seen)))
        for rid in fresh:
            self.assertNotIn(rid, seen)  # newer than the first page: not in this traversal
        self.assertEqual(seen[-CALLS:], list(reversed(self.describe_rids)))

    # -- input errors --------------------------------------------------------------------------
    def test_max_results_out_of_range_is_invalid_max_results(self):
        self.assertLookupError("InvalidMaxResultsException", MaxResults=51)
        self.assertLookupError("InvalidMaxResultsException", MaxResults=1000)
        # botocore refuses 0 itself; sent raw, the server refuses it too.
        for body in (b'{"MaxResults": 0}', b'{"MaxResults": -1}', b'{"MaxResults": 51}'):
            st, headers, out = self.server.signed_request(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                body=body, service="cloudtrail")
            self.assertEqual(st, 400, out)
            self.assertEqual(json.loads(out)["__type"], "InvalidMaxResultsException", out)
            self.assertRegex(headers["x-amzn-requestid"], UUID_RE)
        # The limits themselves are fine.
        for n in (1, 50):
            self.assertEqual(len(self.ct().lookup_events(MaxResults=n, **self.window)["Events"]),
                             n)

    def test_next_token_is_bound_to_the_query_that_issued_it(self):
        ct = self.ct()
        first = ct.lookup_events(MaxResults=5, **self.window)
        token = first["NextToken"]
        # Same parameters: fine (MaxResults may change).
        ct.lookup_events(MaxResults=5, NextToken=token, **self.window)
        ct.lookup_events(MaxResults=9, NextToken=token, **self.window)
        # Another attribute, another time range or region: refused.
        self.assertLookupError("InvalidNextTokenException", NextToken=token,
                               LookupAttributes=attr("EventName", "DescribeModel"),
                               **self.window)
        self.assertLookupError("InvalidNextTokenException", NextToken=token,
                               LookupAttributes=attr("ReadOnly", "true"), **self.window)
        self.assertLookupError("InvalidNextTokenException", NextToken=token,
                               StartTime=self.t_start - 1, EndTime=self.t_end)
        self.assertLookupError("InvalidNextTokenException", NextToken=token)
        eu = self.server.client("cloudtrail", region="eu-west-1")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            eu.lookup_events(MaxResults=5, NextToken=token, **self.window)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidNextTokenException")
        # Garbage, truncated and tampered tokens.
        for bad in ("garbage", "AAAA", token[:-4], token[:10] + ("A" if token[10] != "A" else "B")
                    + token[11:], "x" * 500):
            self.assertLookupError("InvalidNextTokenException", NextToken=bad, MaxResults=5,
                                   **self.window)
        code, out, err = self.server.aws("cloudtrail", "lookup-events", "--starting-token",
                                         "garbage")
        self.assertNotEqual(code, 0, out)

    def test_lookup_attribute_errors(self):
        two = attr("EventName", "DescribeModel") + attr("ReadOnly", "true")
        self.assertLookupError("InvalidLookupAttributesException", LookupAttributes=two)
        self.assertLookupError("InvalidLookupAttributesException",
                               LookupAttributes=attr("NoSuchKey", "x"))
        self.assertLookupError("InvalidLookupAttributesException",
                               LookupAttributes=attr("eventname", "DescribeModel"))
        code, out, err = self.server.aws(
            "cloudtrail", "lookup-events", "--lookup-attributes",
            "AttributeKey=EventName,AttributeValue=DescribeModel",
            "AttributeKey=Username,AttributeValue=admin")
        self.assertIn(code, (254, 255), err)
        self.assertIn("An error occurred (InvalidLookupAttributesException) when calling the "
                      "LookupEvents operation", err)

    def test_event_category_other_than_insight_is_invalid(self):
        self.assertLookupError("InvalidEventCategoryException", EventCategory="foo")
        self.assertLookupError("InvalidEventCategoryException", EventCategory="management")
        # insight: valid, and no Insights events exist.
        self.assertEqual(self.ct().lookup_events(EventCategory="insight")["Events"], [])
        code, out, err = self.server.aws("cloudtrail", "lookup-events", "--event-category",
                                         "foo")
        self.assertIn(code, (254, 255), err)
        self.assertIn("InvalidEventCategoryException", err)

    # -- the aws CLI's paginator ---------------------------------------------------------------
    def test_aws_cli_max_items_starting_token_and_page_size(self):
        s = self.server
        full = [e["EventId"] for e in lookup_all(self.ct(), **self.window)]
        self.assertEqual(len(full), CALLS + 1)

        code, p1, err = s.aws("cloudtrail", "lookup-events", "--max-items", "20",
                              *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(p1["Events"]), 20)
        self.assertIn("NextToken", p1)
        code, p2, err = s.aws("cloudtrail", "lookup-events", "--max-items", "20",
                              "--starting-token", p1["NextToken"], *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(p2["Events"]), 20)
        ids = [e["EventId"] for e in p1["Events"] + p2["Events"]]
        self.assertEqual(ids, full[:40])  # continues exactly where the first stopped
        code, p3, err = s.aws("cloudtrail", "lookup-events", "--max-items", "50",
                              "--starting-token", p2["NextToken"], *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertNotIn("NextToken", p3)
        self.assertEqual([e["EventId"] for e in p3["Events"]], full[40:])

        code, out, err = s.aws("cloudtrail", "lookup-events", "--page-size", "5",
                               "--max-items", "12", *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual([e["EventId"] for e in out["Events"]], full[:12])
        self.assertIn("NextToken", out)
        # No --max-items: the CLI follows every NextToken itself.
        code, out, err = s.aws("cloudtrail", "lookup-events", "--page-size", "13",
                               *self.cli_window)
        self.assertEqual(code, 0, err)
        self.assertEqual([e["EventId"] for e in out["Events"]], full)
        self.assertNotIn("NextToken", out)

    def test_boto3_paginator(self):
        pages = list(self.ct().get_paginator("lookup_events").paginate(
            LookupAttributes=attr("EventName", "DescribeModel"),
            PaginationConfig={"PageSize": 16}, **self.window))
        self.assertEqual([len(p["Events"]) for p in pages], [16, 16, 16, 12])
        got = [json.loads(e["CloudTrailEvent"])["requestID"] for p in pages for e in p["Events"]]
        self.assertEqual(got, list(reversed(self.describe_rids)))


if __name__ == "__main__":
    unittest.main()
