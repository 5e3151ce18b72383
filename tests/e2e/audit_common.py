"""Helpers shared by the audit end-to-end tests (test_audit*.py): CloudTrail lookups with paging,
request ids of aws CLI calls, and `sagetrail events export`.

Not a test module itself (no test_ prefix, so no ctest entry of its own).
"""

import datetime
import json
import re
import subprocess
import time

from harness import BINARY

IMAGE = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:latest"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EVENT_TIME_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
MAX_PAGES = 40  # every paging loop is bounded


def utc(epoch):
    """An aware UTC datetime for epoch seconds."""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def iso(epoch):
    """Epoch seconds as the CLI-friendly 'YYYY-MM-DDTHH:MM:SSZ' (whole seconds, floored)."""
    return utc(int(epoch)).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_time(record):
    """A record's eventTime ("2026-11-22T04:34:54Z") as epoch seconds."""
    return datetime.datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def next_second_boundary():
    """Sleeps until just past the next whole second; returns that whole second (epoch int).
    CloudTrail event times are whole seconds, so everything that happened before the call has
    an event time of at most the boundary - 1 (an inclusive EndTime), and everything after it
    at least the boundary (a StartTime)."""
    t = int(time.time()) + 1
    while time.time() < t + 0.02:
        time.sleep(0.02)
    return t


def lookup_all(ct, max_pages=MAX_PAGES, **params):
    """Runs boto3 LookupEvents following NextToken (at most `max_pages` pages); returns the
    events in the order returned. Fails loudly rather than looping forever."""
    events = []
    token = None
    for _ in range(max_pages):
        kw = dict(params)
        if token:
            kw["NextToken"] = token
        r = ct.lookup_events(**kw)
        events.extend(r["Events"])
        token = r.get("NextToken")
        if not token:
            return events
    raise AssertionError("LookupEvents still returned a NextToken after %d pages" % max_pages)


def attr(key, value):
    return [{"AttributeKey": key, "AttributeValue": value}]


def by_request_id(events):
    """{requestID: (event, parsed CloudTrailEvent)} of LookupEvents events."""
    out = {}
    for e in events:
        rec = json.loads(e["CloudTrailEvent"])
        out[rec.get("requestID")] = (e, rec)
    return out


def request_id_of(response_or_error):
    """The x-amzn-RequestId of a boto3 response dict or a ClientError."""
    r = getattr(response_or_error, "response", response_or_error)
    return r["ResponseMetadata"]["RequestId"]


def aws_with_request_id(server, *args, **kwargs):
    """Runs the aws CLI with --debug and returns (code, output, stderr, request id): the
    x-amzn-RequestId the CLI received, taken from botocore's debug log of the response headers.
    The output is the normal (non-debug) JSON output."""
    code, out, err = server.aws("--debug", *args, **kwargs)
    ids = re.findall(r"Response headers: \{.*?'x-amzn-requestid': '([0-9a-f-]{36})'", err,
                     re.I)
    rid = ids[-1] if ids else None
    # The last line of a failing call is the error message; keep the non-debug lines only.
    plain = "\n".join(l for l in err.splitlines()
                      if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - ", l)
                      and not l.startswith(("  ", "Traceback", "\t")))
    return code, out, plain, rid


def export(data_dir, *args, timeout=60):
    """Runs `sagetrail events export --data-dir DIR ARGS`; returns the CompletedProcess."""
    return subprocess.run([BINARY, "events", "export", "--data-dir", data_dir] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def export_records(data_dir, *args):
    """The records of a JSON export (checked to be {"Records": [...]})."""
    p = export(data_dir, "--format", "json", *args)
    if p.returncode != 0:
        raise AssertionError("export failed (%d): %s" % (p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    if list(doc) != ["Records"] or not isinstance(doc["Records"], list):
        raise AssertionError("export is not {\"Records\": [...]}: %r" % p.stdout[:300])
    return doc["Records"]
