"""End-to-end tests of two SigV4 refusals and their texts, with the aws CLI, boto3 and botocore's
own signers against the real server:

* a credential scope naming a region that no partition of botocore's endpoints.json has
  (`us-east-1x`, `mars-1`, `a`) is refused in each protocol's words and nothing is recorded,
  while the regions of every partition are served;
* an expired presigned request is answered "Request has expired" (AccessDenied), with S3's
  X-Amz-Expires / Expires / ServerTime elements, whose times bear the verdict out.
"""

import datetime
import json
import unittest
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

from audit_common import export_records
from harness import ServerTestCase

STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
BAD_REGIONS = ["us-east-1x", "mars-1", "a"]


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def signed_at(when, sign):
    """Runs sign() with botocore's signing clock set to `when` (naive UTC)."""
    real = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: when
    try:
        return sign()
    finally:
        botocore.auth.get_current_datetime = real


def fetch(url, method="GET", headers=None, data=None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


class RegionTest(ServerTestCase):

    def test_mistyped_regions_are_refused_in_each_protocols_words_and_not_recorded(self):
        s = self.server
        before = export_records(s.data_dir)
        for region in BAD_REGIONS:
            valid = "Credential should be scoped to a valid region, not '%s'. " % region
            # awsJson (SageMaker) with the CLI and boto3 (CloudTrail).
            code, out, err = s.aws("sagemaker", "list-models", region=region)
            self.assertNotEqual(code, 0, out)
            self.assertIn("(InvalidSignatureException) when calling the ListModels operation: "
                          + valid.rstrip(), err)
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                s.client("cloudtrail", region=region).lookup_events(MaxResults=1)
            r = cm.exception.response
            self.assertEqual(r["Error"]["Code"], "InvalidSignatureException")
            self.assertEqual(r["Error"]["Message"], valid)
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
            # awsQuery (STS) with the CLI.
            code, out, err = s.aws("sts", "get-caller-identity", region=region)
            self.assertNotEqual(code, 0, out)
            self.assertIn("(SignatureDoesNotMatch) when calling the GetCallerIdentity "
                          "operation: " + valid.rstrip(), err)
            # S3, with the region it expected.
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                s.client("s3", region=region).list_buckets()
            r = cm.exception.response
            self.assertEqual(r["Error"]["Code"], "AuthorizationHeaderMalformed")
            self.assertEqual(r["Error"]["Message"],
                             "The authorization header is malformed; the region '%s' is wrong; "
                             "expecting 'us-east-1'" % region)
            self.assertEqual(r["Error"].get("Region"), "us-east-1")
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        # None of these calls reached Event history (or any record).
        after = export_records(s.data_dir)
        self.assertEqual(after, before)
        self.assertFalse([r for r in after if r["awsRegion"] in BAD_REGIONS])

    def test_query_refusal_is_a_sender_error_response(self):
        st, headers, body = self.server.signed_request(
            None, body=b"Action=GetCallerIdentity&Version=2011-06-15", service="sts",
            region="mars-1", content_type="application/x-www-form-urlencoded; charset=utf-8")
        self.assertEqual(st, 403, body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Code"),
                         "SignatureDoesNotMatch")
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Message"),
                         "Credential should be scoped to a valid region, not 'mars-1'. ")

    def test_presigned_s3_url_with_a_mistyped_region(self):
        url = self.server.client("s3", region="mars-1").generate_presigned_url(
            "list_buckets", ExpiresIn=60)
        st, body = fetch(url)
        self.assertEqual(st, 400, body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext("Code"), "AuthorizationQueryParametersError")
        self.assertEqual(root.findtext("Message"),
                         "Error parsing the X-Amz-Credential parameter; the region 'mars-1' is "
                         "wrong; expecting 'us-east-1'")
        self.assertEqual(root.findtext("Region"), "us-east-1")

    def test_regions_of_every_partition_are_served(self):
        for region in ("eu-west-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"):
            code, out, err = self.server.aws("sagemaker", "list-models", region=region)
            self.assertEqual(code, 0, (region, err))
            self.assertEqual(out, {"Models": []})
            ident = self.server.client("sts", region=region).get_caller_identity()
            self.assertEqual(ident["Account"], "123456789012")


class PresignedExpiryTest(ServerTestCase):

    def presign(self, service, method, path, expires, when, headers=None, body=b""):
        key, secret = self.server.credentials["admin"]
        creds = botocore.credentials.Credentials(key, secret)
        req = botocore.awsrequest.AWSRequest(method=method, url=self.server.endpoint + path,
                                             data=body, headers=headers or {})
        auth = botocore.auth.SigV4QueryAuth(creds, service, "us-east-1", expires=expires)
        signed_at(when, lambda: auth.add_auth(req))
        return req.prepare()

    def test_expired_query_presign_is_access_denied_request_has_expired(self):
        # X-Amz-Expires=0, signed ten seconds ago: expired, and the text says only that.
        p = self.presign("sts", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", 0,
                         utcnow() - datetime.timedelta(seconds=10))
        self.assertIn("X-Amz-Expires=0", p.url)
        st, body = fetch(p.url, headers=dict(p.headers))
        self.assertEqual(st, 403, body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Code"), "AccessDenied")
        self.assertEqual(root.findtext(STS_NS + "Error/" + STS_NS + "Message"),
                         "Request has expired")

    def test_a_query_presign_within_its_expiry_is_served(self):
        p = self.presign("sts", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", 900,
                         utcnow() - datetime.timedelta(minutes=1))
        st, body = fetch(p.url, headers=dict(p.headers))
        self.assertEqual(st, 200, body)
        self.assertIn(b"GetCallerIdentityResult", body)

    def test_expired_json_presign_is_access_denied_exception(self):
        p = self.presign("sagemaker", "POST", "/", 0, utcnow() - datetime.timedelta(seconds=10),
                         headers={"X-Amz-Target": "SageMaker.ListModels",
                                  "Content-Type": "application/x-amz-json-1.1"}, body=b"{}")
        st, body = fetch(p.url, method="POST", headers=dict(p.headers), data=b"{}")
        self.assertEqual(st, 400, body)
        self.assertEqual(json.loads(body), {"__type": "AccessDeniedException",
                                            "message": "Request has expired"})

    def test_expired_s3_presign_names_its_expiry_and_the_server_time(self):
        when = utcnow() - datetime.timedelta(minutes=10)
        s3 = self.server.client("s3", signature_version="s3v4")
        url = signed_at(when, lambda: s3.generate_presigned_url("list_buckets", ExpiresIn=60))
        st, body = fetch(url)
        self.assertEqual(st, 403, body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext("Code"), "AccessDenied")
        self.assertEqual(root.findtext("Message"), "Request has expired")
        self.assertEqual(root.findtext("X-Amz-Expires"), "60")
        expires = iso(root.findtext("Expires"))
        server_time = iso(root.findtext("ServerTime"))
        self.assertEqual(expires, when.replace(microsecond=0) + datetime.timedelta(seconds=60))
        self.assertLess(expires, server_time)  # the times bear "expired" out
        self.assertLess(abs((server_time - utcnow()).total_seconds()), 120)

    def test_s3_presign_dated_in_the_future_is_not_yet_valid(self):
        when = utcnow() + datetime.timedelta(minutes=30)
        s3 = self.server.client("s3", signature_version="s3v4")
        url = signed_at(when, lambda: s3.generate_presigned_url("list_buckets", ExpiresIn=60))
        st, body = fetch(url)
        self.assertEqual(st, 403, body)
        root = ET.fromstring(body)
        self.assertEqual(root.findtext("Code"), "AccessDenied")
        self.assertEqual(root.findtext("Message"), "Request is not yet valid")
        self.assertEqual(int(root.findtext("X-Amz-Date")),
                         int(when.replace(microsecond=0, tzinfo=datetime.timezone.utc)
                             .timestamp()) * 1000)
        self.assertLess(iso(root.findtext("ServerTime")), when)


if __name__ == "__main__":
    unittest.main()
