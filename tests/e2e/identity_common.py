"""Helpers shared by the identity end-to-end tests (test_identities*.py): credentials of every
kind (long-term keys, AssumeRole / GetFederationToken / GetSessionToken sessions) for boto3 and
the aws CLI, IAM users and roles with policies, CloudTrail records found by request id, and
`sagetrail accounts add`.

Not a test module itself (no test_ prefix, so no ctest entry of its own).
"""

import datetime
import json
import re
import subprocess
import time

import boto3
import botocore.config
import botocore.exceptions

from audit_common import lookup_all
from harness import BINARY, REGION, ServerTestCase

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
IMAGE = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:latest"
ISO_SECONDS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
USER_ID_RE = r"^AIDA[A-Z2-7]{17}$"
ROLE_ID_RE = r"^AROA[A-Z2-7]{17}$"
LONG_TERM_KEY_RE = r"^AKIA[A-Z0-9]{16}$"
TEMPORARY_KEY_RE = r"^ASIA[A-Z0-9]{16}$"
INVALID_TOKEN = "The security token included in the request is invalid"
SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method.")

# One boto3 session for every client: its loaders cache the service models, so a client per
# set of credentials costs little.
_SESSION = boto3.session.Session()


def statement(effect, action, resource="*", not_action=False, not_resource=False, **extra):
    st = {"Effect": effect,
          ("NotAction" if not_action else "Action"): action,
          ("NotResource" if not_resource else "Resource"): resource}
    st.update(extra)
    return st


def allow(action, resource="*", **kw):
    return statement("Allow", action, resource, **kw)


def deny(action, resource="*", **kw):
    return statement("Deny", action, resource, **kw)


def policy(*statements):
    """A policy document (JSON text) with the given statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(*aws_principals, services=()):
    """A trust policy letting the given AWS principals (and AWS services, e.g.
    "sagemaker.amazonaws.com" for a role handed to SageMaker) call sts:AssumeRole."""
    principal = aws_principals[0] if len(aws_principals) == 1 else list(aws_principals)
    statements = [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]
    if services:
        statements.append({"Effect": "Allow", "Principal": {"Service": list(services)},
                           "Action": "sts:AssumeRole"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class Creds:
    """Credentials of any kind: a key id, a secret and, for temporary ones, a session token."""

    def __init__(self, key, secret, token=None, expiration=None):
        self.key = key
        self.secret = secret
        self.token = token
        self.expiration = expiration  # aware datetime, or None

    @classmethod
    def of(cls, credentials):
        """From an STS Credentials structure (boto3's dict or the CLI's JSON output)."""
        exp = credentials.get("Expiration")
        if isinstance(exp, str):
            exp = datetime.datetime.fromisoformat(exp.replace("Z", "+00:00"))
        return cls(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                   credentials.get("SessionToken"), exp)

    def env(self):
        """Variables that make the aws CLI use these credentials (they win over AWS_PROFILE)."""
        e = {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret}
        if self.token:
            e["AWS_SESSION_TOKEN"] = self.token
        return e

    def replace(self, **kw):
        c = Creds(self.key, self.secret, self.token, self.expiration)
        for k, v in kw.items():
            setattr(c, k, v)
        return c


def tamper(token):
    """The token with one character in its middle changed (still in the token's alphabet)."""
    i = len(token) // 2
    return token[:i] + ("B" if token[i] != "B" else "C") + token[i + 1:]


def error_of(fn):
    """Runs fn; returns the botocore ClientError it raised (fails if it raised none)."""
    try:
        r = fn()
    except botocore.exceptions.ClientError as e:
        return e
    raise AssertionError("the call succeeded but should have failed: %r" % (r,))


def cli_error(stderr, code, operation):
    """The message of the aws CLI's "An error occurred (CODE) when calling the OP operation: MSG"
    line in stderr, or None."""
    m = re.search(r"An error occurred \(%s\) when calling the %s operation: (.*)"
                  % (re.escape(code), re.escape(operation)), stderr, re.S)
    return m.group(1).strip() if m else None


def accounts_add(data_dir, alias=None, account_id=None, timeout=30):
    """Runs `sagetrail accounts add`; returns the new account id (the line it prints)."""
    args = [BINARY, "accounts", "add", "--data-dir", data_dir]
    if alias:
        args += ["--alias", alias]
    if account_id:
        args += ["--account-id", account_id]
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("accounts add failed (%d): %s" % (p.returncode, p.stderr))
    ids = re.findall(r"\b\d{12}\b", p.stdout)
    if not ids:
        raise AssertionError("accounts add printed no account id: %r" % p.stdout)
    return ids[-1]


def record_param_time(epoch):
    """A timestamp as records show it inside parameters: "Nov 22, 2026, 7:08:18 AM"."""
    t = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return "%s %d, %04d, %d:%02d:%02d %s" % (t.strftime("%b"), t.day, t.year,
                                             t.hour % 12 or 12, t.minute, t.second,
                                             "AM" if t.hour < 12 else "PM")


def iso_epoch(text):
    """'2026-11-22T06:53:18Z' as epoch seconds."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class IdentityTestCase(ServerTestCase):
    """A server per class, with helpers to make identities and read their records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = "%x" % (int(time.time() * 1000) % 0xffffff)
        cls.account = cls.sts().get_caller_identity()["Account"]

    # -- clients -------------------------------------------------------------------------------
    @classmethod
    def creds(cls, profile="admin"):
        key, secret = cls.server.credentials[profile]
        return Creds(key, secret)

    @classmethod
    def boto(cls, service, creds=None, profile="admin", region=REGION):
        """A boto3 client (one attempt) with `creds` (a Creds) or the profile's credentials."""
        c = creds or cls.creds(profile)
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
        return _SESSION.client(service, region_name=region, endpoint_url=cls.server.endpoint,
                               aws_access_key_id=c.key, aws_secret_access_key=c.secret,
                               aws_session_token=c.token, config=cfg)

    @classmethod
    def iam(cls, creds=None, profile="admin"):
        return cls.boto("iam", creds, profile)

    @classmethod
    def sts(cls, creds=None, profile="admin"):
        return cls.boto("sts", creds, profile)

    @classmethod
    def sm(cls, creds=None, profile="admin", region=REGION):
        return cls.boto("sagemaker", creds, profile, region)

    @classmethod
    def cli(cls, *args, creds=None, profile="admin", region=REGION):
        """Runs the aws CLI as `creds` (environment variables) or as the profile."""
        return cls.server.aws(*args, profile=profile, region=region,
                              env=creds.env() if creds else None)

    def assertCliOk(self, result):
        code, out, err = result
        self.assertEqual(code, 0, "aws CLI failed: %s" % err)
        return out

    def assertCliError(self, result, code, operation, message=None, prefix=None):
        rc, out, err = result
        self.assertNotEqual(rc, 0, "the aws CLI call succeeded: %r" % (out,))
        got = cli_error(err, code, operation)
        self.assertIsNotNone(got, "no (%s) error for %s in: %s" % (code, operation, err))
        if message is not None:
            self.assertEqual(got, message)
        if prefix is not None:
            self.assertTrue(got.startswith(prefix), "%r does not start with %r" % (got, prefix))
        return got

    def assertClientError(self, fn, code, message=None, status=None, prefix=None):
        e = error_of(fn)
        self.assertEqual(e.response["Error"]["Code"], code, e.response["Error"])
        got = e.response["Error"]["Message"]
        if message is not None:
            self.assertEqual(got, message)
        if prefix is not None:
            self.assertTrue(got.startswith(prefix), "%r does not start with %r" % (got, prefix))
        if status is not None:
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return e

    # -- identities ----------------------------------------------------------------------------
    @classmethod
    def make_user(cls, name, *inline_policies, managed=(), profile="admin", key=True):
        """Creates an IAM user (with inline policies, attached managed policies and an access
        key). Returns (user dict from CreateUser, Creds or None)."""
        iam = cls.iam(profile=profile)
        user = iam.create_user(UserName=name)["User"]
        for i, doc in enumerate(inline_policies):
            iam.put_user_policy(UserName=name, PolicyName="p%d" % i, PolicyDocument=doc)
        for arn in managed:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        creds = None
        if key:
            k = iam.create_access_key(UserName=name)["AccessKey"]
            creds = Creds(k["AccessKeyId"], k["SecretAccessKey"])
        return user, creds

    @classmethod
    def make_role(cls, name, trust_policy, *inline_policies, managed=(), profile="admin",
                  **kw):
        iam = cls.iam(profile=profile)
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy,
                               **kw)["Role"]
        for i, doc in enumerate(inline_policies):
            iam.put_role_policy(RoleName=name, PolicyName="p%d" % i, PolicyDocument=doc)
        for arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        return role

    @classmethod
    def assume(cls, role_arn, session, creds=None, profile="admin", **kw):
        """boto3 AssumeRole; returns (Creds, the whole response)."""
        r = cls.sts(creds, profile).assume_role(RoleArn=role_arn, RoleSessionName=session, **kw)
        return Creds.of(r["Credentials"]), r

    # -- Event history -------------------------------------------------------------------------
    @classmethod
    def lookup(cls, key, value, profile="admin", creds=None, region=REGION, **params):
        ct = cls.boto("cloudtrail", creds, profile, region)
        return lookup_all(ct, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}],
                          **params)

    def record(self, request_id, key, value, profile="admin", creds=None, region=REGION):
        """(LookupEvents event, parsed record) of the one call with `request_id` found by the
        lookup attribute key=value in the profile's (or creds') account."""
        found = []
        for ev in self.lookup(key, value, profile=profile, creds=creds, region=region):
            rec = json.loads(ev["CloudTrailEvent"])
            if rec.get("requestID") == request_id:
                found.append((ev, rec))
        self.assertEqual(len(found), 1, "%d events with request id %s found by %s=%s"
                         % (len(found), request_id, key, value))
        return found[0]

    def assertCreationDate(self, attributes, expected_epoch):
        self.assertEqual(set(attributes), {"creationDate", "mfaAuthenticated"})
        self.assertRegex(attributes["creationDate"], ISO_SECONDS_RE)
        self.assertEqual(iso_epoch(attributes["creationDate"]), expected_epoch)
        self.assertEqual(attributes["mfaAuthenticated"], "false")  # a string, not a boolean
