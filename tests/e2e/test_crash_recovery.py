"""End-to-end crash test of the durable core: a call's CloudTrail record and its state change are
committed together, so after a SIGKILL at any instant the state is exactly what the successful
records in the log produce, replayed in log order.

Twenty rounds on one data directory (state and log accumulate across rounds, and every restart
recovers all of it): each round starts the server, sends a burst of mutating calls of several
kinds from THREADS keep-alive connections (SageMaker CreateModel / DeleteModel / AddTags /
DeleteTags / CreateEndpointConfig / DeleteEndpointConfig, IAM CreateUser / DeleteUser /
CreateAccessKey / DeleteAccessKey / PutUserPolicy / DeleteUserPolicy / AttachUserPolicy /
DetachUserPolicy) on names from small pools, so that duplicates, missing targets and conflicts
fail some of them, and SIGKILLs the server after a random number (at least KILL_MIN) of answered
calls. After the restart:

- every answered call has exactly one record (found by its request id), with the error code it
  was answered (none for a success); no request id or event id appears twice; the log of the
  previous rounds is unchanged (a prefix of the new one);
- replaying the successful records in log order is consistent (every success was possible in
  the state its predecessors left; SageMaker takes its place in the log under its lock, so its
  failures are consistent too) and gives exactly the models, endpoint configs, tags, users,
  access keys, inline policies and attachments the API shows: no success without its change,
  no change without its record (a call cut by the kill may be in the log or not, but its change
  is present iff its record is).

SAGETRAIL_CRASH_SEED=<n> replays a run's random choices (the seed is in every failure message).
"""

import http.client
import json
import os
import random
import re
import shutil
import tempfile
import threading
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from audit_common import IMAGE, export_records
from harness import BINARY, Server

ROUNDS = 20
THREADS = 8
PLANNED = 1600           # calls a burst sends if the kill never comes
KILL_MIN, KILL_MAX = 1000, 1350  # the kill comes once this many calls (random) were answered
SEED = int(os.environ.get("SAGETRAIL_CRASH_SEED", random.SystemRandom().randrange(1 << 31)))

MODELS = ["ct-m%02d" % i for i in range(16)]
CONFIGS = ["ct-ec%02d" % i for i in range(8)]
USERS = ["ct-u%02d" % i for i in range(10)]
TAG_KEYS = ["k0", "k1", "k2", "k3"]
POLICY_NAMES = ["p0", "p1", "p2"]
MANAGED = ["arn:aws:iam::aws:policy/ReadOnlyAccess",
           "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"]
POLICY_DOC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sagemaker:DescribeModel", "Resource": "*"}]})
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# (operation, weight): about half SageMaker, half IAM.
MIX = [("CreateModel", 10), ("DeleteModel", 6), ("AddTags", 6), ("DeleteTags", 4),
       ("CreateEndpointConfig", 5), ("DeleteEndpointConfig", 4),
       ("CreateUser", 6), ("DeleteUser", 5), ("CreateAccessKey", 5), ("DeleteAccessKey", 5),
       ("PutUserPolicy", 5), ("DeleteUserPolicy", 4), ("AttachUserPolicy", 4),
       ("DetachUserPolicy", 3)]
SAGEMAKER_OPS = {"CreateModel", "DeleteModel", "AddTags", "DeleteTags", "CreateEndpointConfig",
                 "DeleteEndpointConfig"}
IAM_OPS = {op for op, _ in MIX} - SAGEMAKER_OPS


def xml_texts(body, tag):
    """The texts of every element named `tag` (any namespace) in an XML body."""
    root = ET.fromstring(body)
    return [e.text or "" for e in root.iter() if e.tag.rsplit("}", 1)[-1] == tag]


class Client:
    """Signed calls on one keep-alive connection. Raises OSError / HTTPException when the
    connection breaks (the server was killed)."""

    def __init__(self, server, timeout=10):
        self.server = server
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)

    def close(self):
        self.conn.close()

    def send(self, service, op, params):
        s = self.server
        if service == "sagemaker":
            p = s.prepare_signed("SageMaker." + op, body=json.dumps(params).encode())
        else:
            form = dict(params, Action=op, Version="2010-05-08")
            p = s.prepare_signed(None, body=urllib.parse.urlencode(form).encode(),
                                 service="iam", content_type=FORM)
        self.conn.request("POST", "/", body=p.body, headers=dict(p.headers))
        r = self.conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    def sm(self, op, **params):
        status, _, body = self.send("sagemaker", op, params)
        if status != 200:
            raise AssertionError("%s answered %d: %r" % (op, status, body[:300]))
        return json.loads(body)

    def iam(self, op, **params):
        status, _, body = self.send("iam", op, params)
        if status != 200:
            raise AssertionError("%s answered %d: %r" % (op, status, body[:300]))
        if xml_texts(body, "IsTruncated") not in ([], ["false"]):
            raise AssertionError("%s is truncated" % op)
        return body


class Outcome:
    """What the caller got: status, request id, error code (None for a success) and, for
    CreateAccessKey, the new key's id."""

    def __init__(self, service, status, headers, body):
        self.status = status
        self.request_id = headers.get("x-amzn-requestid")
        self.error = None
        self.access_key_id = None
        if service == "sagemaker":
            if status != 200:
                try:
                    self.error = json.loads(body).get("__type", "?").rsplit("#", 1)[-1]
                except ValueError:
                    self.error = "?"
        else:
            if not self.request_id:
                ids = re.findall(rb"<RequestId>([^<]+)</RequestId>", body)
                self.request_id = ids[-1].decode() if ids else None
            if status != 200:
                codes = re.findall(rb"<Code>([^<]+)</Code>", body)
                self.error = codes[0].decode() if codes else "?"
            else:
                keys = re.findall(rb"<AccessKeyId>([^<]+)</AccessKeyId>", body)
                self.access_key_id = keys[0].decode() if keys else None
        self.body = body[:300]


class Burst:
    """THREADS workers send PLANNED mutating calls between them (or until the server dies)."""

    def __init__(self, server, rng, role, account, known_keys):
        self.server = server
        self.role = role
        self.account = account
        self.seeds = [rng.randrange(1 << 31) for _ in range(THREADS)]
        self.kill_after = rng.randint(KILL_MIN, KILL_MAX)
        self.kill_delay = rng.uniform(0, 0.004)
        self.lock = threading.Lock()
        self.known_keys = known_keys  # user -> set of access key ids (as far as we know)
        self.sent = 0
        self.answered = []            # (service, op, params, Outcome)
        self.cut = []                 # (op, params) of calls whose connection broke
        self.errors = []
        self.enough = threading.Event()

    def arn(self, kind, name):
        return "arn:aws:sagemaker:us-east-1:%s:%s/%s" % (self.account, kind, name)

    def tags(self, rng, n):
        return [{"Key": k, "Value": "v%d" % rng.randrange(100)}
                for k in rng.sample(TAG_KEYS, n)]

    def make_call(self, rng):
        op = rng.choices([m[0] for m in MIX], weights=[m[1] for m in MIX])[0]
        p = {}
        if op == "CreateModel":
            p = {"ModelName": rng.choice(MODELS), "PrimaryContainer": {"Image": IMAGE},
                 "ExecutionRoleArn": self.role}
            if rng.random() < 0.5:
                p["Tags"] = self.tags(rng, 1)
        elif op == "DeleteModel":
            p = {"ModelName": rng.choice(MODELS)}
        elif op in ("AddTags", "DeleteTags"):
            if rng.random() < 0.6:
                arn = self.arn("model", rng.choice(MODELS))
            else:
                arn = self.arn("endpoint-config", rng.choice(CONFIGS))
            p = {"ResourceArn": arn}
            if op == "AddTags":
                p["Tags"] = self.tags(rng, rng.randint(1, 2))
            else:
                p["TagKeys"] = rng.sample(TAG_KEYS, rng.randint(1, 2))
        elif op == "CreateEndpointConfig":
            p = {"EndpointConfigName": rng.choice(CONFIGS),
                 "ProductionVariants": [{"VariantName": "v0", "ModelName": rng.choice(MODELS),
                                         "InitialInstanceCount": 1,
                                         "InstanceType": "ml.m5.large"}]}
            if rng.random() < 0.5:
                p["Tags"] = self.tags(rng, 1)
        elif op == "DeleteEndpointConfig":
            p = {"EndpointConfigName": rng.choice(CONFIGS)}
        else:
            p = {"UserName": rng.choice(USERS)}
            if op == "DeleteAccessKey":
                with self.lock:
                    keys = sorted(self.known_keys.get(p["UserName"], ()))
                if keys and rng.random() < 0.9:
                    p["AccessKeyId"] = rng.choice(keys)
                else:
                    p["AccessKeyId"] = "AKIA" + "".join(
                        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
            elif op in ("PutUserPolicy", "DeleteUserPolicy"):
                p["PolicyName"] = rng.choice(POLICY_NAMES)
                if op == "PutUserPolicy":
                    p["PolicyDocument"] = POLICY_DOC
            elif op in ("AttachUserPolicy", "DetachUserPolicy"):
                p["PolicyArn"] = rng.choice(MANAGED)
        return ("sagemaker" if op in SAGEMAKER_OPS else "iam"), op, p

    def worker(self, index):
        rng = random.Random(self.seeds[index])
        client = Client(self.server)
        try:
            while True:
                with self.lock:
                    if self.sent >= PLANNED:
                        return
                    self.sent += 1
                service, op, params = self.make_call(rng)
                try:
                    status, headers, body = client.send(service, op, params)
                except (OSError, http.client.HTTPException):
                    with self.lock:
                        self.cut.append((op, params))
                    return  # the server is gone
                outcome = Outcome(service, status, headers, body)
                with self.lock:
                    self.answered.append((service, op, params, outcome))
                    if op == "CreateAccessKey" and outcome.access_key_id:
                        self.known_keys.setdefault(params["UserName"], set()).add(
                            outcome.access_key_id)
                    elif op == "DeleteAccessKey" and status == 200:
                        self.known_keys.get(params["UserName"], set()).discard(
                            params["AccessKeyId"])
                    if len(self.answered) >= self.kill_after:
                        self.enough.set()
        except Exception as e:  # noqa: BLE001 - reported by the test
            with self.lock:
                self.errors.append(repr(e))
        finally:
            client.close()

    def run_and_kill(self):
        """Starts the workers and SIGKILLs the server from this thread while they send. Returns
        whether every worker stopped."""
        threads = [threading.Thread(target=self.worker, args=(i,), daemon=True)
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        self.enough.wait(60)
        time.sleep(self.kill_delay)
        self.server.kill9()
        deadline = time.time() + 20
        for t in threads:
            t.join(max(0.1, deadline - time.time()))
        return not any(t.is_alive() for t in threads)


class Replay:
    """The state the successful records produce, applied in log order, for the names of the
    pools. Checks every record against the state its predecessors left: `violations` lists the
    successes that were not possible then (strict), and SageMaker failures that should have
    succeeded; `iam_failure_mismatches` the same for IAM failures (IAM takes a failure's place
    in the log after releasing its lock, so a failure may be logged after a change it did not
    see)."""

    def __init__(self, prefix="ct-"):
        self.prefix = prefix
        self.models = {}   # name -> {tag key: value}
        self.configs = {}  # name -> {tag key: value}
        self.users = {}    # name -> {"keys": set, "policies": set, "attached": set}
        self.violations = []
        self.iam_failure_mismatches = []
        self.applied = 0   # successful records of the pools applied

    @staticmethod
    def _tags(items):
        return {t.get("key"): t.get("value", "") for t in items or ()}

    def _resource(self, arn):
        kind, _, name = arn.rsplit(":", 1)[-1].partition("/")
        table = {"model": self.models, "endpoint-config": self.configs}.get(kind)
        return table, name

    def expected_error(self, op, p):
        """The error code the call should have got in the replayed state (None: success)."""
        if op == "CreateModel":
            return "ValidationException" if p["modelName"] in self.models else None
        if op == "DeleteModel":
            return None if p["modelName"] in self.models else "ValidationException"
        if op in ("AddTags", "DeleteTags"):
            table, name = self._resource(p["resourceArn"])
            return None if table is not None and name in table else "ValidationException"
        if op == "CreateEndpointConfig":
            models = [v.get("modelName") for v in p.get("productionVariants", [])]
            ok = p["endpointConfigName"] not in self.configs and all(
                m in self.models for m in models)
            return None if ok else "ValidationException"
        if op == "DeleteEndpointConfig":
            return None if p["endpointConfigName"] in self.configs else "ValidationException"
        user = self.users.get(p["userName"])
        if op == "CreateUser":
            return "EntityAlreadyExists" if user is not None else None
        if user is None:
            return "NoSuchEntity"
        if op == "DeleteUser":
            return "DeleteConflict" if any(user.values()) else None
        if op == "CreateAccessKey":
            return "LimitExceeded" if len(user["keys"]) >= 2 else None
        if op == "DeleteAccessKey":
            return None if p["accessKeyId"] in user["keys"] else "NoSuchEntity"
        if op == "PutUserPolicy":
            return None
        if op == "DeleteUserPolicy":
            return None if p["policyName"] in user["policies"] else "NoSuchEntity"
        if op == "AttachUserPolicy":
            return None
        if op == "DetachUserPolicy":
            return None if p["policyArn"] in user["attached"] else "NoSuchEntity"
        raise AssertionError("no replay rule for " + op)

    def in_pools(self, op, p):
        if op in ("CreateModel", "DeleteModel"):
            return p.get("modelName", "").startswith(self.prefix)
        if op in ("AddTags", "DeleteTags"):
            return "/" + self.prefix in p.get("resourceArn", "")
        if op in ("CreateEndpointConfig", "DeleteEndpointConfig"):
            return p.get("endpointConfigName", "").startswith(self.prefix)
        if op in IAM_OPS:
            return p.get("userName", "").startswith(self.prefix)
        return False

    def apply(self, rec):
        op = rec.get("eventName")
        p = rec.get("requestParameters") or {}
        if not self.in_pools(op, p):
            return
        got = rec.get("errorCode")
        want = self.expected_error(op, p)
        where = "%s %s (request %s)" % (op, json.dumps(p)[:200], rec.get("requestID"))
        if got is not None:
            if got != want:
                line = "%s failed with %s, the replayed state says %s" % (where, got, want)
                (self.iam_failure_mismatches if op in IAM_OPS else self.violations).append(line)
            return
        if want is not None:
            self.violations.append("%s succeeded, the replayed state says %s" % (where, want))
        self.applied += 1
        if op == "CreateModel":
            self.models[p["modelName"]] = self._tags(p.get("tags"))
        elif op == "DeleteModel":
            self.models.pop(p["modelName"], None)
        elif op == "AddTags":
            table, name = self._resource(p["resourceArn"])
            table.setdefault(name, {}).update(self._tags(p.get("tags")))
        elif op == "DeleteTags":
            table, name = self._resource(p["resourceArn"])
            for k in p.get("tagKeys", []):
                table.setdefault(name, {}).pop(k, None)
        elif op == "CreateEndpointConfig":
            self.configs[p["endpointConfigName"]] = self._tags(p.get("tags"))
        elif op == "DeleteEndpointConfig":
            self.configs.pop(p["endpointConfigName"], None)
        elif op == "CreateUser":
            self.users[p["userName"]] = {"keys": set(), "policies": set(), "attached": set()}
        elif op == "DeleteUser":
            self.users.pop(p["userName"], None)
        else:
            user = self.users.setdefault(p["userName"],
                                         {"keys": set(), "policies": set(), "attached": set()})
            if op == "CreateAccessKey":
                key = ((rec.get("responseElements") or {}).get("accessKey") or {}).get(
                    "accessKeyId")
                if not key:
                    self.violations.append(where + " succeeded with no accessKeyId recorded")
                else:
                    user["keys"].add(key)
            elif op == "DeleteAccessKey":
                user["keys"].discard(p["accessKeyId"])
            elif op == "PutUserPolicy":
                user["policies"].add(p["policyName"])
            elif op == "DeleteUserPolicy":
                user["policies"].discard(p["policyName"])
            elif op == "AttachUserPolicy":
                user["attached"].add(p["policyArn"])
            elif op == "DetachUserPolicy":
                user["attached"].discard(p["policyArn"])

    def state(self):
        return {"models": self.models, "configs": self.configs,
                "users": {u: {k: sorted(v) for k, v in d.items()}
                          for u, d in self.users.items()}}


def api_state(client, account, prefix="ct-"):
    """The same state as Replay.state() (names starting with `prefix`), read through the
    API."""
    arn = "arn:aws:sagemaker:us-east-1:%s:%s/%s"

    def tags(kind, name):
        out = client.sm("ListTags", ResourceArn=arn % (account, kind, name), MaxResults=100)
        if out.get("NextToken"):
            raise AssertionError("ListTags of %s has more pages" % name)
        return {t["Key"]: t.get("Value", "") for t in out["Tags"]}

    models = client.sm("ListModels", NameContains=prefix, MaxResults=100)
    configs = client.sm("ListEndpointConfigs", NameContains=prefix, MaxResults=100)
    if models.get("NextToken") or configs.get("NextToken"):
        raise AssertionError("more than one page of models or endpoint configs")
    users = {}
    for name in xml_texts(client.iam("ListUsers", MaxItems=1000), "UserName"):
        if not name.startswith(prefix):
            continue
        users[name] = {
            "keys": sorted(xml_texts(client.iam("ListAccessKeys", UserName=name),
                                     "AccessKeyId")),
            "policies": sorted(xml_texts(client.iam("ListUserPolicies", UserName=name),
                                         "member")),
            "attached": sorted(xml_texts(client.iam("ListAttachedUserPolicies", UserName=name),
                                         "PolicyArn")),
        }
    return {"models": {m["ModelName"]: tags("model", m["ModelName"]) for m in models["Models"]
                       if m["ModelName"].startswith(prefix)},
            "configs": {c["EndpointConfigName"]: tags("endpoint-config", c["EndpointConfigName"])
                        for c in configs["EndpointConfigs"]
                        if c["EndpointConfigName"].startswith(prefix)},
            "users": users}


class CrashRecoveryTest(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(BINARY):
            self.skipTest("no server binary at " + BINARY)
        self.dir = tempfile.mkdtemp(prefix="sagetrail-e2e-crash-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_sigkill_mid_burst_20_times_state_equals_replay_of_the_log(self):
        rng = random.Random(SEED)
        server = Server(data_dir=self.dir)
        self.addCleanup(server.stop)
        server.start()
        role = server.sagemaker_role()
        account = role.split(":")[4]
        replay = Replay()
        seen = []          # request ids of the log so far, in order
        known_keys = {}
        totals = {"answered": 0, "cut": 0, "ok": 0, "failed": 0, "committed_cut": 0}
        per_op = {}        # operation -> [answered successes, answered failures]
        for round_no in range(1, ROUNDS + 1):
            ctx = "round %d, SAGETRAIL_CRASH_SEED=%d" % (round_no, SEED)
            burst = Burst(server, rng, role, account, known_keys)
            self.assertTrue(burst.run_and_kill(), "workers did not stop after the kill; " + ctx)
            self.assertEqual(burst.errors, [], ctx)
            self.assertGreaterEqual(len(burst.answered), KILL_MIN, ctx)
            self.assertLess(len(burst.answered), PLANNED, "the burst ended before the kill; " + ctx)
            for service, op, params, out in burst.answered:
                self.assertTrue(out.request_id, (op, params, out.status, ctx))
                # Mid-burst the server is healthy: answers are successes or the caller's errors.
                self.assertLess(out.status, 500, (op, params, out.status, out.body, ctx))
                self.assertEqual(out.status == 200, out.error is None, (op, out.body, ctx))

            server.start()  # same data dir: recovery after the kill
            records = export_records(self.dir)
            rids = [r.get("requestID") for r in records]
            # The log of the earlier rounds survived the kill unchanged.
            self.assertEqual(rids[:len(seen)], seen, "earlier records changed; " + ctx)
            self.assertEqual(len(rids), len(set(rids)), "a request id twice in the log; " + ctx)
            event_ids = [r.get("eventID") for r in records]
            self.assertEqual(len(event_ids), len(set(event_ids)), "an event id twice; " + ctx)

            # Every answered call has exactly one record, with the outcome it was answered.
            by_rid = {r.get("requestID"): r for r in records[len(seen):]}
            for service, op, params, out in burst.answered:
                rec = by_rid.get(out.request_id)
                self.assertIsNotNone(rec, "answered %s %s (%d %s) has no record; %s"
                                     % (op, json.dumps(params)[:200], out.status,
                                        out.request_id, ctx))
                self.assertEqual(rec["eventName"], op, ctx)
                self.assertEqual(rec.get("errorCode"), out.error,
                                 "%s %s; %s" % (op, out.request_id, ctx))
                if op == "CreateAccessKey" and out.access_key_id:
                    self.assertEqual(rec["responseElements"]["accessKey"]["accessKeyId"],
                                     out.access_key_id, ctx)
            answered_rids = {out.request_id for _, _, _, out in burst.answered}
            new_ours = [r for r in records[len(seen):]
                        if r.get("eventName") in SAGEMAKER_OPS | IAM_OPS
                        and replay.in_pools(r["eventName"], r.get("requestParameters") or {})]
            # Records of this round's burst that nobody was answered for: calls cut by the kill
            # whose commit made it (at most one per worker).
            unanswered = [r for r in new_ours if r.get("requestID") not in answered_rids]
            self.assertLessEqual(len(unanswered), len(burst.cut), ctx)

            # Replaying the log's successes in order gives exactly the state the API shows.
            for rec in records[len(seen):]:
                replay.apply(rec)
            self.assertEqual(replay.violations, [], "the log is no valid history; " + ctx)
            client = Client(server)
            try:
                actual = api_state(client, account)
            finally:
                client.close()
            expected = replay.state()
            for part in ("models", "configs", "users"):
                self.assertEqual(actual[part], expected[part],
                                 "%s differ from the replay of the log; %s" % (part, ctx))
            # What the next round's DeleteAccessKey calls pick from: the keys that exist.
            known_keys.clear()
            known_keys.update({u: set(d["keys"]) for u, d in expected["users"].items()})

            seen = rids
            totals["answered"] += len(burst.answered)
            totals["cut"] += len(burst.cut)
            totals["ok"] += sum(1 for a in burst.answered if a[3].status == 200)
            totals["committed_cut"] += len(unanswered)
            for _, op, _, out in burst.answered:
                per_op.setdefault(op, [0, 0])[out.status != 200] += 1

        # The mix did exercise both outcomes of every kind of call.
        totals["failed"] = totals["answered"] - totals["ok"]
        self.assertGreater(replay.applied, ROUNDS * 200, totals)
        for op, _ in MIX:
            self.assertGreater(min(per_op.get(op, [0, 0])), 0, (op, per_op))
        if os.environ.get("SAGETRAIL_CRASH_VERBOSE"):
            print("\nseed %d: %s; %d records applied; %d IAM failures logged after a change "
                  "they did not see\n(successes, failures) per operation: %s"
                  % (SEED, totals, replay.applied, len(replay.iam_failure_mismatches),
                     per_op))
            for line in replay.iam_failure_mismatches[:5]:
                print("  " + line)


if __name__ == "__main__":
    unittest.main()
