"""End-to-end tests of the foundation: start-up, the aws CLI and boto3 against the real server,
generic validation, unknown and unimplemented operations, SigV4 failures in each wire protocol
flavour, request bodies that do not parse, and that nothing but the health check is served
unsigned.

HTTP robustness (limits, garbage, fuzzing, keep-alive, pipelining) is in test_http_robustness.py,
signals and restarts in test_lifecycle.py.
"""

import configparser
import datetime
import hashlib
import json
import os
import re
import stat
import subprocess
import tempfile
import unittest
import urllib.request
import xml.etree.ElementTree as ET

import botocore
import botocore.exceptions

from harness import BINARY, Server, ServerTestCase

MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
AMZ_DATE = "%Y%m%dT%H%M%SZ"
UNKNOWN_KEY = "AKIAIOSFODNN7EXAMPLE"
WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
GET_CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class AwsAssertions:
    """Assertions on the three error envelopes (awsJson, awsQuery XML, S3 XML)."""

    def assertJsonError(self, resp, status, code, message=None):
        """Checks an awsJson error response; returns its message."""
        st, headers, body = resp
        self.assertEqual(st, status, body)
        self.assertRegex(headers.get("x-amzn-requestid", ""), UUID_RE, headers)
        self.assertTrue(headers.get("content-type", "").startswith("application/x-amz-json-1."),
                        headers)
        doc = json.loads(body)
        self.assertEqual(doc.get("__type"), code, doc)
        if message is not None:
            self.assertEqual(doc.get("message"), message)
        return doc.get("message")

    def assertQueryError(self, resp, status, code, message=None):
        """Checks an awsQuery <ErrorResponse> (STS namespace); returns its message."""
        st, headers, body = resp
        self.assertEqual(st, status, body)
        rid = headers.get("x-amzn-requestid", "")
        self.assertRegex(rid, UUID_RE, headers)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, STS_NS + "ErrorResponse", body)
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Code"), code, body)
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Type"), "Sender", body)
        self.assertEqual(root.findtext(STS_NS + "RequestId"), rid)
        text = root.findtext(STS_NS + "Error/" + STS_NS + "Message")
        if message is not None:
            self.assertEqual(text, message)
        return text

    def assertS3Error(self, resp, status, code, message=None):
        """Checks an S3 <Error>; returns the parsed element."""
        st, headers, body = resp
        self.assertEqual(st, status, body)
        rid = headers.get("x-amz-request-id", "")
        self.assertTrue(rid, headers)
        self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, "Error", body)
        self.assertEqual(root.findtext("Code"), code, body)
        self.assertEqual(root.findtext("RequestId"), rid)
        if message is not None:
            self.assertEqual(root.findtext("Message"), message)
        return root

    def assertClientError(self, call, code, status):
        """Runs a boto3 call that must fail; returns the ClientError's response dict."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call()
        r = cm.exception.response
        self.assertEqual(r["Error"]["Code"], code, r)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], status, r)
        self.assertRegex(r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid", ""),
                         UUID_RE)
        return r


# --------------------------------------------------------------------------------------------
# 1. Start-up
# --------------------------------------------------------------------------------------------
class StartupTest(ServerTestCase):

    def test_startup_prints_exactly_the_four_client_exports(self):
        s = self.server
        printed = [l.rstrip("\n") for l in s.stdout_lines if l.startswith("export ")]
        self.assertEqual([l.split("=")[0] for l in printed],
                         ["export AWS_SHARED_CREDENTIALS_FILE", "export AWS_PROFILE",
                          "export AWS_ENDPOINT_URL", "export AWS_DEFAULT_REGION"], printed)
        e = s.exports
        self.assertTrue(os.path.isabs(e["AWS_SHARED_CREDENTIALS_FILE"]), e)
        self.assertTrue(os.path.samefile(e["AWS_SHARED_CREDENTIALS_FILE"],
                                         os.path.join(s.data_dir, "credentials")), e)
        self.assertEqual(e["AWS_PROFILE"], "admin")
        self.assertRegex(e["AWS_ENDPOINT_URL"], r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual(e["AWS_DEFAULT_REGION"], "us-east-1")
        # The port it printed is the port it answers on (it was started with --port 0).
        self.assertNotEqual(s.port, 0)
        self.assertTrue(s.healthy())

    def _run_printed_exports_in_shell(self, server, command):
        """Evaluates the export lines exactly as printed in sh, then runs `command`; nothing
        else AWS-related in the environment (no user config either)."""
        exports = "".join(l for l in server.stdout_lines if l.startswith("export "))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["AWS_CONFIG_FILE"] = os.path.join(server.data_dir, "no-such-config")
        env["SAGETRAIL_EXPORTS"] = exports
        return subprocess.run(["sh", "-c", 'eval "$SAGETRAIL_EXPORTS" && ' + command],
                              env=env, capture_output=True, text=True, timeout=60)

    def test_printed_exports_pasted_into_a_shell_drive_the_aws_cli(self):
        p = self._run_printed_exports_in_shell(self.server, "aws sagemaker list-models")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"Models": []})

    def test_printed_exports_survive_a_data_dir_path_with_spaces(self):
        # Regression test (this once failed): the printed exports are shell-quoted, so a data dir
        # with spaces still works.
        with tempfile.TemporaryDirectory(prefix="sagetrail e2e ") as d:
            with Server(data_dir=os.path.join(d, "data dir")) as s:
                p = self._run_printed_exports_in_shell(
                    s, 'test -f "$AWS_SHARED_CREDENTIALS_FILE" && aws sagemaker list-models')
                self.assertEqual(p.returncode, 0, "exports printed:\n%s\nstderr: %s" % (
                    "".join(l for l in s.stdout_lines if l.startswith("export ")), p.stderr))
                self.assertEqual(json.loads(p.stdout), {"Models": []})

    def test_credentials_file_is_mode_0600_with_root_and_admin_akia_keys(self):
        path = os.path.join(self.server.data_dir, "credentials")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        self.assertEqual(mode, 0o600, oct(mode))
        cp = configparser.ConfigParser()
        with open(path) as f:
            cp.read_file(f)
        self.assertEqual(sorted(cp.sections()), ["admin", "root"])
        keys = set()
        for profile in ("root", "admin"):
            key = cp[profile]["aws_access_key_id"]
            secret = cp[profile]["aws_secret_access_key"]
            self.assertRegex(key, r"^AKIA[A-Z0-9]{16}$")
            self.assertRegex(secret, r"^[A-Za-z0-9/+]{40}$")
            keys.add(key)
        self.assertEqual(len(keys), 2, "root and admin must have different keys")
        # No temporary file left behind.
        self.assertFalse(os.path.exists(path + ".tmp"))

    def test_version_flag_prints_version_and_botocore_models_version(self):
        p = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        first = p.stdout.splitlines()[0]
        m = re.match(r"^sagetrail (\d+\.\d+\.\d+\S*) \(botocore models (\d+\.\d+\.\d+)\)$", first)
        self.assertIsNotNone(m, p.stdout)
        models = re.search(r"^models: (.+)$", p.stdout, re.M)
        botocore_data = os.path.join(os.path.dirname(botocore.__file__), "data")
        if models and os.path.realpath(models.group(1)) == os.path.realpath(botocore_data):
            # The models in use are the installed botocore's (1.43.11 on this machine).
            self.assertEqual(m.group(2), botocore.__version__)

    def test_health_check_answers_200_unsigned(self):
        with urllib.request.urlopen(self.server.endpoint + "/_sagetrail/health", timeout=5) as r:
            self.assertEqual(r.status, 200)
            doc = json.loads(r.read())
        self.assertEqual(doc["status"], "ok")
        self.assertRegex(doc["version"], r"^sagetrail \S+ \(botocore models \d+\.\d+\.\d+\)$")
        st, _, body = self.server.send("HEAD", "/_sagetrail/health")
        self.assertEqual(st, 200)


# --------------------------------------------------------------------------------------------
# 2. list-models with the aws CLI and boto3
# --------------------------------------------------------------------------------------------
class ListModelsTest(ServerTestCase):

    def test_aws_cli_list_models_with_admin_profile_returns_empty_list(self):
        code, out, err = self.server.aws("sagemaker", "list-models", profile="admin")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, {"Models": []})

    def test_aws_cli_list_models_with_root_profile_returns_empty_list(self):
        code, out, err = self.server.aws("sagemaker", "list-models", profile="root")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, {"Models": []})

    def test_boto3_list_models_with_admin_and_root_returns_empty_list(self):
        for profile in ("admin", "root"):
            r = self.server.client("sagemaker", profile=profile).list_models()
            self.assertEqual(r["Models"], [], profile)
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertRegex(r["ResponseMetadata"]["RequestId"], UUID_RE)

    def test_region_other_than_us_east_1_is_served(self):
        code, out, err = self.server.aws("sagemaker", "list-models", region="eu-west-1")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, {"Models": []})
        for region in ("eu-west-1", "ap-southeast-2"):
            r = self.server.client("sagemaker", region=region).list_models()
            self.assertEqual(r["Models"], [], region)


# --------------------------------------------------------------------------------------------
# 3-5, 7. Validation, unknown / unimplemented operations, bodies that do not parse
# --------------------------------------------------------------------------------------------
class RequestErrorsTest(AwsAssertions, ServerTestCase):

    def test_aws_cli_describe_model_bad_name_prints_exact_validation_message(self):
        code, out, err = self.server.aws("sagemaker", "describe-model", "--model-name", "bad_name")
        self.assertIn(code, (254, 255), err)
        expected = ("An error occurred (ValidationException) when calling the DescribeModel "
                    "operation: 1 validation error detected: Value 'bad_name' at 'modelName' "
                    "failed to satisfy constraint: Member must satisfy regular expression "
                    "pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?")
        self.assertIn(expected, err.splitlines(), err)

    def test_boto3_create_training_job_reports_both_validation_errors_in_order(self):
        sm = self.server.client("sagemaker")
        r = self.assertClientError(lambda: sm.create_training_job(
            TrainingJobName="my_job",
            AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/x:1",
                                    "TrainingInputMode": "File"},
            RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
            OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
            ResourceConfig={"InstanceType": "ml.t2.medium", "InstanceCount": 1,
                            "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600}),
            "ValidationException", 400)
        msg = r["Error"]["Message"]
        prefix = ("2 validation errors detected: Value 'my_job' at 'trainingJobName' failed to "
                  "satisfy constraint: Member must satisfy regular expression pattern: "
                  "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; Value 'ml.t2.medium' at "
                  "'resourceConfig.instanceType'")
        self.assertTrue(msg.startswith(prefix), msg[:400])
        rest = msg[len(prefix):]
        self.assertTrue(rest.startswith(" failed to satisfy constraint: Member must satisfy "
                                        "enum value set: ["), rest[:200])
        self.assertTrue(rest.endswith("]"), rest[-100:])
        self.assertIn("ml.m5.large", rest)
        self.assertNotIn("ml.t2.medium", rest)

    def test_unknown_target_operation_gives_400_unknown_operation_exception(self):
        resp = self.server.signed_request("SageMaker.NoSuchOperation")
        msg = self.assertJsonError(resp, 400, "UnknownOperationException")
        self.assertIn("NoSuchOperation", msg)

    def test_request_naming_no_operation_is_answered_by_the_signed_service(self):
        # JSON: no X-Amz-Target header at all.
        resp = self.server.signed_request(None)
        self.assertJsonError(resp, 400, "UnknownOperationException")
        # Query: a form without Action, signed for STS.
        status, headers, body = self.server.signed_request(
            None, body=b"Version=2011-06-15", service="sts",
            content_type="application/x-www-form-urlencoded")
        self.assertEqual(status, 400, body)
        self.assertIn(b"<Code>MissingAction</Code>", body)
        self.assertServerAlive()

    def test_known_unimplemented_operation_gives_501_not_implemented_naming_it(self):
        sm = self.server.client("sagemaker")
        r = self.assertClientError(lambda: sm.list_clusters(), "NotImplemented", 501)
        self.assertIn("ListClusters", r["Error"]["Message"])
        code, out, err = self.server.aws("sagemaker", "list-clusters")
        self.assertIn(code, (254, 255), err)
        self.assertIn("An error occurred (NotImplemented) when calling the ListClusters "
                      "operation", err)
        self.assertIn("ListClusters yet", err)

    def test_malformed_json_body_gives_serialization_exception(self):
        resp = self.server.signed_request("SageMaker.ListModels", body=b"{not json")
        self.assertJsonError(resp, 400, "SerializationException")

    def test_top_level_json_array_gives_serialization_exception(self):
        resp = self.server.signed_request("SageMaker.ListModels", body=b"[1, 2]")
        self.assertJsonError(resp, 400, "SerializationException")

    def test_string_where_integer_expected_gives_serialization_exception(self):
        resp = self.server.signed_request("SageMaker.ListModels", body=b'{"MaxResults": "ten"}')
        msg = self.assertJsonError(resp, 400, "SerializationException")
        self.assertIn("Integer", msg)

    def test_empty_and_valid_bodies_still_work_after_parse_errors(self):
        # Control: the same signed path with good bodies succeeds (empty body == {}).
        for body in (b"", b"{}", b'{"MaxResults": 10}'):
            st, _, out = self.server.signed_request("SageMaker.ListModels", body=body)
            self.assertEqual((st, json.loads(out)), (200, {"Models": []}), body)


# --------------------------------------------------------------------------------------------
# 6. Authentication failures
# --------------------------------------------------------------------------------------------
class AuthFailuresTest(AwsAssertions, ServerTestCase):

    # -- wrong secret --------------------------------------------------------------------------
    def _check_mismatch_appendix(self, msg, target=None):
        self.assertTrue(msg.startswith(MISMATCH), msg[:300])
        self.assertIn("The Canonical String for this request should have been", msg)
        m = re.search(r"\n\nThe Canonical String for this request should have been\n'(.*)'\n\n"
                      r"The String-to-Sign should have been\n'(.*)'\n$", msg, re.S)
        self.assertIsNotNone(m, msg)
        canonical, string_to_sign = m.group(1), m.group(2)
        lines = canonical.split("\n")
        self.assertEqual(lines[0], "POST")
        self.assertIn("host:127.0.0.1:%d" % self.server.port, lines)
        if target:
            self.assertIn("x-amz-target:" + target, lines)
        # The string to sign is over exactly the canonical request quoted before it.
        sts = string_to_sign.split("\n")
        self.assertEqual(sts[0], "AWS4-HMAC-SHA256")
        self.assertEqual(sts[3], hashlib.sha256(canonical.encode()).hexdigest())

    def test_wrong_secret_with_boto3_gives_invalid_signature_with_canonical_string(self):
        sm = self.server.client("sagemaker", secret=WRONG_SECRET)
        r = self.assertClientError(lambda: sm.list_models(), "InvalidSignatureException", 400)
        self._check_mismatch_appendix(r["Error"]["Message"], "SageMaker.ListModels")

    def test_wrong_secret_signed_request_gives_invalid_signature_with_canonical_string(self):
        resp = self.server.signed_request("SageMaker.ListModels", secret=WRONG_SECRET)
        msg = self.assertJsonError(resp, 400, "InvalidSignatureException")
        self._check_mismatch_appendix(msg, "SageMaker.ListModels")
        # The body hash in the canonical request is that of the body sent.
        self.assertTrue(msg.split("'\n\nThe String-to-Sign")[0].endswith(
            hashlib.sha256(b"{}").hexdigest()))

    def test_aws_cli_with_wrong_secret_in_credentials_file_fails_with_invalid_signature(self):
        path = os.path.join(self.server.data_dir, "wrong-credentials")
        key, _ = self.server.credentials["admin"]
        with open(path, "w") as f:
            f.write("[admin]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (key, WRONG_SECRET))
        os.chmod(path, 0o600)
        code, out, err = self.server.aws("sagemaker", "list-models",
                                         env={"AWS_SHARED_CREDENTIALS_FILE": path})
        self.assertNotEqual(code, 0, out)
        self.assertIn("InvalidSignatureException", err)
        self.assertIn("when calling the ListModels operation", err)

    # -- missing signature -------------------------------------------------------------------
    def test_unsigned_json_post_gives_400_missing_authentication_token(self):
        resp = self.server.send("POST", "/", {"X-Amz-Target": "SageMaker.ListModels",
                                              "Content-Type": "application/x-amz-json-1.1"},
                                b"{}")
        self.assertJsonError(resp, 400, "MissingAuthenticationTokenException",
                             "Missing Authentication Token")

    def test_unsigned_s3_shaped_get_gives_403_access_denied_xml(self):
        resp = self.server.send("GET", "/")
        self.assertS3Error(resp, 403, "AccessDenied", "Access Denied")

    def test_unsigned_query_form_post_gives_403_missing_authentication_token_xml(self):
        resp = self.server.send("POST", "/", {"Content-Type": FORM}, GET_CALLER_IDENTITY)
        self.assertQueryError(resp, 403, "MissingAuthenticationToken",
                              "Request is missing Authentication Token")

    # -- clock skew ----------------------------------------------------------------------------
    def _check_skew_message(self, msg, signed_at, word, sign):
        # The window printed is the one the server applies (15 minutes), and the times printed
        # bear the verdict out.
        pattern = (r"^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) "
                   r"\((\d{8}T\d{6}Z) - 15 min\.\)$" if word == "expired" else
                   r"^Signature not yet current: (\d{8}T\d{6}Z) is still later than "
                   r"(\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ 15 min\.\)$")
        m = re.match(pattern, msg)
        self.assertIsNotNone(m, msg)
        t = [datetime.datetime.strptime(g, AMZ_DATE) for g in m.groups()]
        self.assertEqual(m.group(1), signed_at.strftime(AMZ_DATE))
        self.assertEqual(t[1], t[2] + sign * datetime.timedelta(minutes=15), msg)
        if sign < 0:
            self.assertLess(t[0], t[1], msg)
        else:
            self.assertGreater(t[0], t[1], msg)
        self.assertLess(abs((t[2] - utcnow()).total_seconds()), 120, "server time " + m.group(3))

    def test_signature_one_hour_old_is_rejected_as_expired(self):
        when = utcnow() - datetime.timedelta(hours=1)
        resp = self.server.signed_request("SageMaker.ListModels", when=when)
        msg = self.assertJsonError(resp, 400, "InvalidSignatureException")
        self._check_skew_message(msg, when, "expired", -1)

    def test_signature_20_minutes_in_future_is_rejected_as_not_yet_current(self):
        when = utcnow() + datetime.timedelta(minutes=20)
        resp = self.server.signed_request("SageMaker.ListModels", when=when)
        msg = self.assertJsonError(resp, 400, "InvalidSignatureException")
        self._check_skew_message(msg, when, "not yet", +1)

    def test_signature_10_minutes_old_or_ahead_is_accepted_within_15_minute_skew(self):
        for delta in (-10, 10):
            when = utcnow() + datetime.timedelta(minutes=delta)
            st, _, body = self.server.signed_request("SageMaker.ListModels", when=when)
            self.assertEqual(st, 200, (delta, body))
            self.assertEqual(json.loads(body), {"Models": []})

    # -- unknown key, wrong scope --------------------------------------------------------------
    def test_unknown_access_key_gives_400_unrecognized_client(self):
        resp = self.server.signed_request("SageMaker.ListModels", access_key=UNKNOWN_KEY)
        self.assertJsonError(resp, 400, "UnrecognizedClientException",
                             "The security token included in the request is invalid.")
        sm = self.server.client("sagemaker", access_key=UNKNOWN_KEY)
        self.assertClientError(lambda: sm.list_models(), "UnrecognizedClientException", 400)

    def test_credential_scoped_to_wrong_service_gives_scope_message(self):
        resp = self.server.signed_request("SageMaker.ListModels", service="cloudtrail")
        self.assertJsonError(resp, 400, "InvalidSignatureException",
                             "Credential should be scoped to correct service: 'sagemaker'. ")

    # -- query protocol flavour ----------------------------------------------------------------
    def test_query_protocol_wrong_secret_gives_403_signature_does_not_match_xml(self):
        resp = self.server.signed_request(None, body=GET_CALLER_IDENTITY, service="sts",
                                          content_type=FORM, secret=WRONG_SECRET)
        msg = self.assertQueryError(resp, 403, "SignatureDoesNotMatch")
        self.assertTrue(msg.startswith(MISMATCH), msg[:300])
        self.assertIn("The Canonical String for this request should have been", msg)

    def test_query_protocol_unknown_key_gives_403_invalid_client_token_id_xml(self):
        resp = self.server.signed_request(None, body=GET_CALLER_IDENTITY, service="sts",
                                          content_type=FORM, access_key=UNKNOWN_KEY)
        self.assertQueryError(resp, 403, "InvalidClientTokenId",
                              "The security token included in the request is invalid.")

    # -- S3 flavour ----------------------------------------------------------------------------
    def test_s3_unknown_key_gives_403_invalid_access_key_id_xml(self):
        resp = self.server.signed_request(None, body=b"", method="GET", path="/somebucket",
                                          service="s3", content_type=None,
                                          access_key=UNKNOWN_KEY)
        root = self.assertS3Error(resp, 403, "InvalidAccessKeyId",
                                  "The AWS Access Key Id you provided does not exist in our "
                                  "records.")
        self.assertEqual(root.findtext("AWSAccessKeyId"), UNKNOWN_KEY)

    def test_s3_wrong_secret_gives_403_signature_does_not_match_xml(self):
        resp = self.server.signed_request(None, body=b"", method="GET", path="/somebucket",
                                          service="s3", content_type=None, secret=WRONG_SECRET)
        root = self.assertS3Error(resp, 403, "SignatureDoesNotMatch",
                                  "The request signature we calculated does not match the "
                                  "signature you provided. Check your key and signing method.")
        self.assertEqual(root.findtext("AWSAccessKeyId"), self.server.credentials["admin"][0])
        self.assertTrue(root.findtext("CanonicalRequest", "").startswith("GET\n/somebucket\n"))


# --------------------------------------------------------------------------------------------
# 11. Nothing but the health check is served unsigned
# --------------------------------------------------------------------------------------------
class UnsignedRequestsTest(ServerTestCase):

    TARGETS = ["SageMaker.ListModels", "SageMaker.CreateModel", "SageMaker.DescribeModel",
               "SageMaker.ListClusters", "SageMaker.NoSuchOperation",
               "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
               "Logs_20140328.DescribeLogGroups", "NoSuchService.Op", ""]
    PATHS = [("GET", "/"), ("GET", "/somebucket"), ("PUT", "/somebucket/key"),
             ("DELETE", "/somebucket"), ("POST", "/endpoints/x/invocations"),
             ("POST", "/_sagetrail/health"), ("PUT", "/_sagetrail/health"),
             ("GET", "/_sagetrail"), ("GET", "/_sagetrail/health/x"),
             ("GET", "/?Action=GetCallerIdentity&Version=2011-06-15"),
             ("GET", "/?Action=ListUsers&Version=2010-05-08")]
    FORMS = [b"Action=GetCallerIdentity&Version=2011-06-15",
             b"Action=ListUsers&Version=2010-05-08", b"Action=ListTopics&Version=2010-03-31",
             b"Action=AssumeRole&Version=2011-06-15&RoleArn=x&RoleSessionName=y"]

    def assertNotServed(self, method, path, headers, body, what):
        st, _, out = self.server.send(method, path, headers, body)
        self.assertGreaterEqual(st, 400, "%s was served unsigned: %d %r" % (what, st, out))
        self.assertLess(st, 500, "%s: %d %r" % (what, st, out))

    def test_no_request_but_the_health_check_is_served_unsigned(self):
        for target in self.TARGETS:
            for ctype in ("application/x-amz-json-1.1", "application/x-amz-json-1.0"):
                self.assertNotServed("POST", "/", {"X-Amz-Target": target,
                                                   "Content-Type": ctype}, b"{}", target)
        for method, path in self.PATHS:
            self.assertNotServed(method, path, {}, None if method == "GET" else b"{}",
                                 method + " " + path)
        for form in self.FORMS:
            self.assertNotServed("POST", "/", {"Content-Type": FORM}, form, form)
        # A token-shaped but signature-less Authorization header is no better than none.
        self.assertNotServed("POST", "/", {"X-Amz-Target": "SageMaker.ListModels",
                                           "Content-Type": "application/x-amz-json-1.1",
                                           "Authorization": "Bearer abc"}, b"{}", "bearer")
        # The one unsigned route.
        self.assertTrue(self.server.healthy())


if __name__ == "__main__":
    unittest.main()
