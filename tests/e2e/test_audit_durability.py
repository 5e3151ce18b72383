"""End-to-end durability tests of the audit trail: every call the server answered has its event
after a SIGKILL in the middle of a burst of concurrent calls (twice), with no duplicate event
ids; models that were acknowledged survive too; paging tokens stay valid across a restart; and
the --event-retention-days option.
"""

import http.client
import json
import shutil
import tempfile
import threading
import time
import unittest


from audit_common import IMAGE, ROLE, attr, export_records, lookup_all, request_id_of
from harness import Server

THREADS = 8
MAX_PER_THREAD = 150   # bounds the burst if the kill never comes
KILL_AFTER = 200       # answered calls before the SIGKILL, per round


class Burst:
    """THREADS workers, each on its own keep-alive connection, sending signed CreateModel calls
    (every 7th one a DescribeModel of a missing model, answered 400) until the server dies."""

    def __init__(self, server, round_no):
        self.server = server
        self.round_no = round_no
        self.lock = threading.Lock()
        self.answered = []      # (name, target, status, request id)
        self.unanswered = 0     # workers that lost their connection mid-call
        self.enough = threading.Event()
        self.errors = []

    def worker(self, tid):
        s = self.server
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        try:
            for i in range(MAX_PER_THREAD):
                name = "dur-r%d-t%d-%03d" % (self.round_no, tid, i)
                if i % 7 == 6:
                    target, body = "SageMaker.DescribeModel", {"ModelName": "missing-" + name}
                else:
                    target = "SageMaker.CreateModel"
                    body = {"ModelName": name, "PrimaryContainer": {"Image": IMAGE},
                            "ExecutionRoleArn": ROLE}
                p = s.prepare_signed(target, body=json.dumps(body).encode())
                try:
                    conn.request("POST", "/", body=p.body, headers=dict(p.headers))
                    resp = conn.getresponse()
                    resp.read()
                except (OSError, http.client.HTTPException):
                    with self.lock:
                        self.unanswered += 1
                    return  # the server is gone
                with self.lock:
                    self.answered.append((body["ModelName"], target, resp.status,
                                          resp.getheader("x-amzn-RequestId")))
                    if len(self.answered) >= KILL_AFTER:
                        self.enough.set()
        except Exception as e:  # noqa: BLE001 - reported by the test
            with self.lock:
                self.errors.append(repr(e))
        finally:
            conn.close()

    def run_and_kill(self, graceful=False):
        """Starts the workers, then (from this thread, while they are still sending) SIGKILLs
        the server, or SIGTERMs it if `graceful`, once KILL_AFTER calls were answered."""
        threads = [threading.Thread(target=self.worker, args=(t,), daemon=True)
                   for t in range(THREADS)]
        for t in threads:
            t.start()
        self.enough.wait(60)
        if graceful:
            self.exit_code = self.server.stop()
        else:
            self.server.kill9()
        for t in threads:
            t.join(20)
        return not any(t.is_alive() for t in threads)


class CrashDurabilityTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sagetrail-e2e-durable-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_every_answered_call_has_its_event_after_sigkill_mid_burst_twice(self):
        server = Server(data_dir=self.dir)
        self.addCleanup(server.stop)
        server.start()
        server.sagemaker_role()
        answered = []
        for round_no in (1, 2):
            burst = Burst(server, round_no)
            self.assertTrue(burst.run_and_kill(), "workers did not stop after the kill")
            self.assertEqual(burst.errors, [])
            self.assertGreaterEqual(len(burst.answered), KILL_AFTER)
            # The kill came in the middle of the burst: connections were cut.
            self.assertGreater(burst.unanswered, 0, "the burst ended before the kill")
            self.assertLess(len(burst.answered), THREADS * MAX_PER_THREAD)
            for name, target, status, rid in burst.answered:
                self.assertIn(status, (200, 400), (name, target, status))
                self.assertEqual(status == 400, target == "SageMaker.DescribeModel", name)
                self.assertTrue(rid, name)
            answered += burst.answered
            server.start()  # same data dir

        # Every answered call has exactly one event, found by its request id.
        records = export_records(self.dir)
        by_rid = {}
        for r in records:
            by_rid.setdefault(r["requestID"], []).append(r)
        missing = [(n, rid) for n, _, _, rid in answered if rid not in by_rid]
        self.assertEqual(missing, [], "%d of %d answered calls have no event"
                         % (len(missing), len(answered)))
        for name, target, status, rid in answered:
            self.assertEqual(len(by_rid[rid]), 1, rid)
            rec = by_rid[rid][0]
            self.assertEqual(rec["eventName"], target.split(".")[1])
            self.assertEqual(rec["requestParameters"]["modelName"], name)
            self.assertEqual("errorCode" in rec, status == 400, rec)
        event_ids = [r["eventID"] for r in records]
        self.assertEqual(len(event_ids), len(set(event_ids)), "duplicate eventIDs in the export")

        # Models whose creation was acknowledged exist, and every model that exists has its
        # CreateModel record: state is saved only after the call's record is durable, so a crash
        # can lose an unacknowledged change, never leave one unrecorded.
        sm = server.client("sagemaker")
        existing = {m["ModelName"] for p in sm.get_paginator("list_models").paginate(
            NameContains="dur-", PaginationConfig={"PageSize": 100}) for m in p["Models"]}
        acked = {n for n, target, status, _ in answered if status == 200}
        self.assertEqual(acked - existing, set())
        recorded = {r["requestParameters"]["modelName"] for r in records
                    if r["eventName"] == "CreateModel" and "errorCode" not in r}
        self.assertEqual(existing - recorded, set())

        # Event history (the API) agrees with the export, e.g. for a few names of each round.
        ct = server.client("cloudtrail")
        sample = [a for a in answered if a[2] == 200]
        for name, _, _, rid in sample[:3] + sample[-3:]:
            events = lookup_all(ct, LookupAttributes=attr("ResourceName", name))
            self.assertEqual([json.loads(e["CloudTrailEvent"])["requestID"] for e in events],
                             [rid], name)

    def test_sigterm_mid_burst_records_every_answered_call_and_every_model(self):
        # A graceful stop drains the audit queue: unlike a SIGKILL, it leaves no model whose
        # CreateModel has no event.
        server = Server(data_dir=self.dir)
        self.addCleanup(server.stop)
        server.start()
        server.sagemaker_role()
        burst = Burst(server, 1)
        self.assertTrue(burst.run_and_kill(graceful=True))
        self.assertEqual(burst.exit_code, 0, server.read_stderr())
        self.assertEqual(burst.errors, [])
        self.assertGreater(burst.unanswered, 0, "the burst ended before the stop")
        server.start()
        records = export_records(self.dir)
        rids = [r["requestID"] for r in records]
        self.assertEqual(len(rids), len(set(rids)))
        self.assertEqual([a for a in burst.answered if a[3] not in rids], [])
        sm = server.client("sagemaker")
        existing = {m["ModelName"] for p in sm.get_paginator("list_models").paginate(
            NameContains="dur-", PaginationConfig={"PageSize": 100}) for m in p["Models"]}
        created = {r["requestParameters"]["modelName"] for r in records
                   if r["eventName"] == "CreateModel" and "errorCode" not in r}
        self.assertEqual(existing, created)
        self.assertLessEqual({a[0] for a in burst.answered if a[2] == 200}, existing)

    def test_paging_token_stays_valid_across_a_restart(self):
        server = Server(data_dir=self.dir)
        self.addCleanup(server.stop)
        server.start()
        sm = server.client("sagemaker")
        rids = [request_id_of(sm.list_models()) for _ in range(5)]
        end = int(time.time()) + 1
        while time.time() < end + 0.02:
            time.sleep(0.02)
        ct = server.client("cloudtrail")
        first = ct.lookup_events(MaxResults=2, EndTime=end)
        server.restart()
        ct = server.client("cloudtrail")
        rest = lookup_all(ct, MaxResults=2, EndTime=end, NextToken=first["NextToken"])
        got = [json.loads(e["CloudTrailEvent"])["requestID"] for e in first["Events"] + rest]
        self.assertEqual(got, list(reversed(rids)))


class RetentionOptionTest(unittest.TestCase):

    def test_event_retention_days_1_is_accepted_and_recent_events_are_found(self):
        with Server(extra_args=["--event-retention-days", "1"]) as s:
            s.sagemaker_role()
            sm = s.client("sagemaker")
            rid = request_id_of(sm.create_model(ModelName="kept", PrimaryContainer={"Image": IMAGE},
                                                ExecutionRoleArn=ROLE))
            ct = s.client("cloudtrail")
            now = time.time()
            for params in ({}, {"StartTime": int(now) - 3 * 86400},
                           {"StartTime": int(now) - 3600, "EndTime": int(now) + 60}):
                events = lookup_all(ct, LookupAttributes=attr("ResourceName", "kept"), **params)
                self.assertEqual([json.loads(e["CloudTrailEvent"])["requestID"] for e in events],
                                 [rid], params)
                for e in events:  # nothing older than the window
                    self.assertGreater(e["EventTime"].timestamp(), now - 86400 - 60)
            code, out, err = s.aws("cloudtrail", "lookup-events", "--start-time",
                                   str(int(now) - 10 * 86400))
            self.assertEqual(code, 0, err)
            self.assertTrue(out["Events"])
            for e in out["Events"]:
                self.assertGreater(e["EventTime"], now - 86400 - 60)

    def test_event_retention_days_out_of_range_is_refused_at_start_up(self):
        for bad in ("0", "3651", "abc"):
            s = Server(extra_args=["--event-retention-days", bad])
            try:
                with self.assertRaises(RuntimeError, msg=bad):
                    s.start(timeout=10)
            finally:
                s.cleanup()


if __name__ == "__main__":
    unittest.main()
