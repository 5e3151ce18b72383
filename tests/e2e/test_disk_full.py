"""End-to-end test of a full disk: the data directory lives on a small tmpfs the test mounts
(skipped where mounting is not permitted). Calls go through, then the filesystem is filled with a
filler file leaving a little room, and calls continue (CreateModel with 900-character
Environment values, IAM users and inline policies, reads) until writes fail. From then on every
call is refused cleanly (ServiceUnavailable, HTTP 503, in the protocol's format; no hang; the
server stays up), the health check says "degraded" with a reason, and the refusal stays after
the filler is deleted (sticky until restart). SIGTERM then stops the server; restarted on the
same data directory it serves again, every call acknowledged before the refusals has exactly one
record with the outcome it was answered, and the state equals the replay of the log's successful
records (nothing refused left a change without its record).

This test found that the server aborted on a full disk: RocksDB's recovery thread wrote to
its own info log (<data-dir>/db/LOG) on the full filesystem after that log's writer had failed,
tripping an assertion in the system librocksdb. RocksDB's log now goes to the server's log
(store/database.cc, ServerLogger).
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from audit_common import IMAGE, export_records
from harness import BINARY, Server
from test_crash_recovery import FORM, Client, Outcome, Replay, api_state, xml_texts

FS_SIZE = "48m"
LEAVE = 256 * 1024        # bytes left free by the filler
MAX_FULL_CALLS = 3000     # bound on the calls made on the nearly full filesystem
STICKY_SECONDS = 6        # how long refusals are checked after the filler is gone
BIG = "x" * 900           # an Environment value
POLICY_DOC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sagemaker:ListModels", "Resource": "*"}]})


def health(server):
    """(status, parsed JSON body) of GET /_sagetrail/health."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        c.request("GET", "/_sagetrail/health")
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def fill(path, leave):
    """Writes a filler file at `path` until `leave` bytes are free on its filesystem (or it is
    full)."""
    st = os.statvfs(os.path.dirname(path))
    todo = st.f_bavail * st.f_frsize - leave
    chunk = b"\0" * (1 << 20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while todo > 0:
            try:
                todo -= os.write(fd, chunk[:min(todo, len(chunk))])
            except OSError:
                break  # already full
    finally:
        os.close(fd)


class DiskFullTest(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(BINARY):
            self.skipTest("no server binary at " + BINARY)
        self.root = tempfile.mkdtemp(prefix="sagetrail-e2e-diskfull-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.mnt = os.path.join(self.root, "fs")
        os.mkdir(self.mnt)
        try:
            p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + FS_SIZE, "tmpfs",
                                self.mnt], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.skipTest("cannot mount a tmpfs here: %r" % e)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                          + (p.stderr or p.stdout).strip())
        self.addCleanup(self.unmount)  # runs before the rmtree, after the server's stop

    def unmount(self):
        p = subprocess.run(["umount", self.mnt], capture_output=True, timeout=20)
        if p.returncode != 0:
            subprocess.run(["umount", "-l", self.mnt], capture_output=True, timeout=20)

    # -- calls ------------------------------------------------------------------------------
    def model_call(self, name):
        return ("sagemaker", "CreateModel",
                {"ModelName": name, "ExecutionRoleArn": self.role,
                 "PrimaryContainer": {"Image": IMAGE,
                                      "Environment": {"V%d" % k: BIG for k in range(4)}}})

    def call(self, client, service, op, params):
        """Sends one call; a broken connection or a timeout (a hang) fails the test."""
        try:
            status, headers, body = client.send(service, op, params)
        except (OSError, http.client.HTTPException) as e:
            alive = self.server.alive()
            self.fail("%s got no answer (%r); server alive: %s%s\n%s"
                      % (op, e, alive, "" if alive else " (it died)",
                         self.server.read_stderr()[-3000:]))
        return Outcome(service, status, headers, body)

    def assertRefused(self, client, target, body, service, content_type, what):
        p = self.server.prepare_signed(target, body=body, service=service,
                                       content_type=content_type)
        try:
            client.conn.request("POST", "/", body=p.body, headers=dict(p.headers))
            r = client.conn.getresponse()
            status, data = r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            alive = self.server.alive()
            self.fail("%s got no answer while the disk is full (%r); server alive: %s%s\n%s"
                      % (what, e, alive, "" if alive else " (it died)",
                         self.server.read_stderr()[-3000:]))
        self.assertEqual(status, 503, (what, data[:300]))
        if content_type == FORM:
            self.assertEqual(xml_texts(data, "Code"), ["ServiceUnavailable"], (what, data))
            self.assertTrue(xml_texts(data, "RequestId"), (what, data))
        else:
            doc = json.loads(data)
            self.assertEqual(doc.get("__type", "").rsplit("#", 1)[-1], "ServiceUnavailable",
                             (what, data))
            self.assertTrue(doc.get("message") or doc.get("Message"), (what, data))

    def assertAllRefused(self, client, round_no):
        """Mutating calls and reads of four services, JSON and query: all refused."""
        model = json.dumps(self.model_call("df-refused-%d" % round_no)[2]).encode()
        sm = [("SageMaker.CreateModel", model),
              ("SageMaker.DescribeModel", json.dumps({"ModelName": "df-a00"}).encode()),
              ("SageMaker.ListModels", b"{}"),
              ("SageMaker.AddTags", json.dumps({
                  "ResourceArn": "arn:aws:sagemaker:us-east-1:%s:model/df-a00" % self.account,
                  "Tags": [{"Key": "k", "Value": "v"}]}).encode())]
        for target, body in sm:
            self.assertRefused(client, target, body, "sagemaker", "application/x-amz-json-1.1",
                               target)
        self.assertRefused(client, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
                           "LookupEvents", b"{}", "cloudtrail", "application/x-amz-json-1.1",
                           "LookupEvents")
        iam = [{"Action": "CreateUser", "UserName": "df-refused-%d" % round_no},
               {"Action": "GetUser", "UserName": "df-u0"},
               {"Action": "ListUsers"},
               {"Action": "PutUserPolicy", "UserName": "df-u0", "PolicyName": "refused",
                "PolicyDocument": POLICY_DOC}]
        for form in iam:
            form["Version"] = "2010-05-08"
            self.assertRefused(client, None, urllib.parse.urlencode(form).encode(), "iam", FORM,
                               form["Action"])
        self.assertRefused(client, None, b"Action=GetCallerIdentity&Version=2011-06-15", "sts",
                           FORM, "GetCallerIdentity")

    def assertDegraded(self):
        status, doc = health(self.server)
        self.assertEqual(status, 503, doc)
        self.assertEqual(doc.get("status"), "degraded", doc)
        self.assertTrue(doc.get("version"), doc)
        self.assertIsInstance(doc.get("reason"), str, doc)
        self.assertTrue(doc["reason"].strip(), doc)

    # -- the test ---------------------------------------------------------------------------
    def test_full_disk_refuses_cleanly_stays_refused_and_recovers_after_restart(self):
        data = os.path.join(self.mnt, "data")
        self.server = server = Server(data_dir=data)
        server.stderr_path = os.path.join(self.root, "server.stderr")  # not on the full disk
        self.addCleanup(server.stop)
        server.start()
        self.role = server.sagemaker_role()
        self.account = self.role.split(":")[4]
        client = Client(server)
        self.addCleanup(client.close)
        calls = []  # (phase, service, op, params, Outcome)

        # Before: ordinary calls, some failing (a duplicate), all answered normally.
        before = [self.model_call("df-a%02d" % i) for i in range(8)]
        before.append(self.model_call("df-a00"))  # already exists: ValidationException
        expected = [200] * 8 + [400]
        before += [("iam", "CreateUser", {"UserName": "df-u%d" % i}) for i in range(3)]
        before += [("iam", "PutUserPolicy", {"UserName": "df-u%d" % i, "PolicyName": "p",
                                             "PolicyDocument": POLICY_DOC}) for i in range(3)]
        before += [("sagemaker", "AddTags", {
            "ResourceArn": "arn:aws:sagemaker:us-east-1:%s:model/df-a%02d" % (self.account, i),
            "Tags": [{"Key": "k", "Value": "v%d" % i}]}) for i in range(3)]
        expected += [200] * (len(before) - len(expected))
        for (service, op, params), status in zip(before, expected):
            out = self.call(client, service, op, params)
            calls.append(("before", service, op, params, out))
            self.assertEqual(out.status, status, (op, params.get("ModelName"), out.body))
        self.assertEqual(health(server)[0], 200)

        # Fill the filesystem, then keep calling until a write fails.
        filler = os.path.join(self.mnt, "filler")
        fill(filler, LEAVE)
        refused = None
        reads = [("sagemaker", "DescribeModel", {"ModelName": "df-a01"}),
                 ("sagemaker", "ListModels", {"NameContains": "df-"}),
                 ("iam", "GetUser", {"UserName": "df-u1"}),
                 ("iam", "ListUsers", {})]
        for i in range(MAX_FULL_CALLS):
            kind = i % 6
            if kind < 3:
                service, op, params = self.model_call("df-f%04d" % i)
            elif kind == 3:
                service, op, params = "iam", "CreateUser", {"UserName": "df-fu%04d" % i}
            elif kind == 4:
                service, op, params = "iam", "PutUserPolicy", {
                    "UserName": "df-u%d" % (i % 3), "PolicyName": "fp%d" % (i % 5),
                    "PolicyDocument": POLICY_DOC}
            else:
                service, op, params = reads[(i // 6) % len(reads)]
            out = self.call(client, service, op, params)
            calls.append(("full", service, op, params, out))
            if out.status == 503:
                refused = out
                break
            self.assertEqual(out.status, 200, (op, params.get("ModelName"), out.body))
        self.assertIsNotNone(refused, "no call was refused after %d calls on a full disk"
                             % MAX_FULL_CALLS)
        self.assertEqual(refused.error, "ServiceUnavailable", refused.body)
        acknowledged_on_full_disk = len(calls) - len(before) - 1

        # Refused from now on, cleanly: the server is up, answers at once, says why.
        time.sleep(1)  # give anything the failure set off (recovery threads) time to act
        self.assertTrue(server.alive(),
                        "the server died after the failed write; exit code %s; stderr:\n%s"
                        % (server.proc.poll() if server.proc else None,
                           server.read_stderr()[-3000:]))
        self.assertAllRefused(client, 1)
        self.assertDegraded()

        # Sticky: still refused once there is room again.
        os.unlink(filler)
        deadline = time.time() + STICKY_SECONDS
        round_no = 2
        while time.time() < deadline:
            self.assertTrue(server.alive(), server.read_stderr()[-3000:])
            self.assertAllRefused(client, round_no)
            self.assertDegraded()
            round_no += 1
            time.sleep(0.5)
        client.close()

        # SIGTERM stops it (by itself, not by the SIGKILL that follows a timeout).
        code = server.stop(timeout=20)
        self.assertIsNotNone(code)
        self.assertNotEqual(code, -signal.SIGKILL, "the server did not exit on SIGTERM")
        self.assertGreaterEqual(code, 0, "the server died of signal %d" % -code)

        # Restart on the same data dir: full service.
        server.start()
        status, doc = health(server)
        self.assertEqual((status, doc.get("status")), (200, "ok"), doc)
        client = Client(server)
        self.addCleanup(client.close)
        for service, op, params in [self.model_call("df-after"),
                                    ("iam", "CreateUser", {"UserName": "df-uafter"})]:
            out = self.call(client, service, op, params)
            self.assertEqual(out.status, 200, (op, out.body))
            calls.append(("after", service, op, params, out))

        # Every acknowledged call has exactly one record, with the outcome it was answered.
        records = export_records(data)
        rids = [r.get("requestID") for r in records]
        self.assertEqual(len(rids), len(set(rids)), "a request id twice in the log")
        by_rid = {r.get("requestID"): r for r in records}
        acknowledged = [c for c in calls if c[4].status != 503]
        self.assertGreaterEqual(len(acknowledged), len(before) + 2)
        for phase, _, op, params, out in acknowledged:
            rec = by_rid.get(out.request_id)
            self.assertIsNotNone(rec, "%s call %s (%d %s) has no record"
                                 % (phase, op, out.status, out.request_id))
            self.assertEqual(rec["eventName"], op)
            self.assertEqual(rec.get("errorCode"), out.error, (phase, op, out.request_id))
        refused_recorded = [c for c in calls if c[4].status == 503
                            and c[4].request_id in by_rid]

        # Acknowledged models are there with what was sent (nothing deletes them here).
        for phase, _, op, params, out in acknowledged:
            if op == "CreateModel" and out.status == 200:
                got = client.sm("DescribeModel", ModelName=params["ModelName"])
                self.assertEqual(got["PrimaryContainer"].get("Environment"),
                                 params["PrimaryContainer"]["Environment"], params["ModelName"])

        # The state is exactly the replay of the log's successes: no refused call left a
        # change without its record, no record of a success lacks its change.
        replay = Replay(prefix="df-")
        for rec in records:
            replay.apply(rec)
        self.assertEqual(replay.violations, [])
        actual = api_state(client, self.account, prefix="df-")
        expected = replay.state()
        for part in ("models", "configs", "users"):
            self.assertEqual(actual[part], expected[part], part)
        self.assertIn("df-after", actual["models"])
        if os.environ.get("SAGETRAIL_CRASH_VERBOSE"):
            print("\n%d calls acknowledged on the nearly full disk before the first refusal; "
                  "%d refused calls have a record" % (acknowledged_on_full_disk,
                                                      len(refused_recorded)))


if __name__ == "__main__":
    unittest.main()
