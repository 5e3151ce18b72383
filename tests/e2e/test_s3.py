"""The embedded S3 driven by the aws CLI (s3 and s3api) and boto3, as a user would: buckets,
objects, listings, multipart uploads, errors, and the records S3 calls leave in Event history."""

import hashlib
import json
import os
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import botocore.exceptions

from harness import ServerTestCase


def err(exc):
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


class S3BucketTest(ServerTestCase):
    with_sagemaker_role = False

    def setUp(self):
        self.s3 = self.server.client("s3")

    def test_bucket_lifecycle_with_boto3(self):
        self.s3.create_bucket(Bucket="life-bucket")
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn("life-bucket", names)
        self.s3.head_bucket(Bucket="life-bucket")
        loc = self.s3.get_bucket_location(Bucket="life-bucket")
        self.assertIsNone(loc.get("LocationConstraint"))
        self.s3.delete_bucket(Bucket="life-bucket")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.head_bucket(Bucket="life-bucket")
        self.assertEqual(err(cm.exception)[1], 404)

    def test_bucket_errors(self):
        self.s3.create_bucket(Bucket="err-bucket")
        west = self.server.client("s3", region="us-west-2")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            west.create_bucket(Bucket="err-bucket",
                               CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertEqual(err(cm.exception), ("BucketAlreadyOwnedByYou", 409))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.create_bucket(Bucket="Bad_Name")
        self.assertEqual(err(cm.exception), ("InvalidBucketName", 400))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.get_bucket_policy(Bucket="err-bucket")
        self.assertEqual(err(cm.exception), ("NoSuchBucketPolicy", 404))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.list_objects_v2(Bucket="no-such-bucket-here")
        self.assertEqual(err(cm.exception), ("NoSuchBucket", 404))
        self.assertEqual(cm.exception.response["Error"].get("BucketName"), "no-such-bucket-here")
        self.s3.put_object(Bucket="err-bucket", Key="k", Body=b"x")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.delete_bucket(Bucket="err-bucket")
        self.assertEqual(err(cm.exception), ("BucketNotEmpty", 409))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.get_object(Bucket="err-bucket", Key="missing")
        self.assertEqual(err(cm.exception), ("NoSuchKey", 404))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.get_object(Bucket="err-bucket", Key="k", Range="bytes=5-9")
        self.assertEqual(err(cm.exception), ("InvalidRange", 416))

    def test_region_rules(self):
        west = self.server.client("s3", region="us-west-2")
        west.create_bucket(Bucket="west-bucket",
                           CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertEqual(west.get_bucket_location(Bucket="west-bucket")["LocationConstraint"],
                         "us-west-2")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            west.create_bucket(Bucket="west-bucket-2")
        self.assertEqual(err(cm.exception)[0], "IllegalLocationConstraintException")

    def test_policy_round_trip(self):
        self.s3.create_bucket(Bucket="policy-bucket")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::policy-bucket"}]})
        self.s3.put_bucket_policy(Bucket="policy-bucket", Policy=policy)
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket="policy-bucket")["Policy"]),
                         json.loads(policy))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.put_bucket_policy(Bucket="policy-bucket", Policy="not json")
        self.assertEqual(err(cm.exception), ("MalformedPolicy", 400))
        self.s3.delete_bucket_policy(Bucket="policy-bucket")
        acl = self.s3.get_bucket_acl(Bucket="policy-bucket")
        self.assertEqual(acl["Grants"][0]["Permission"], "FULL_CONTROL")
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket="policy-bucket"))
        self.s3.put_bucket_tagging(Bucket="policy-bucket",
                                   Tagging={"TagSet": [{"Key": "team", "Value": "ml"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket="policy-bucket")["TagSet"],
                         [{"Key": "team", "Value": "ml"}])


class S3ObjectTest(ServerTestCase):
    with_sagemaker_role = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.client("s3").create_bucket(Bucket="objects")

    def setUp(self):
        self.s3 = self.server.client("s3")

    def test_put_get_head_with_metadata(self):
        body = os.urandom(100_000)
        put = self.s3.put_object(Bucket="objects", Key="dir/data.bin", Body=body,
                                 ContentType="application/x-test", Metadata={"Owner": "me"},
                                 ContentDisposition="attachment", CacheControl="no-cache")
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        got = self.s3.get_object(Bucket="objects", Key="dir/data.bin")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "application/x-test")
        self.assertEqual(got["Metadata"], {"owner": "me"})
        self.assertEqual(got["ContentDisposition"], "attachment")
        self.assertEqual(got["CacheControl"], "no-cache")
        head = self.s3.head_object(Bucket="objects", Key="dir/data.bin")
        self.assertEqual(head["ContentLength"], len(body))
        self.assertEqual(head["ETag"], put["ETag"])

    def test_ranges_and_conditions(self):
        body = bytes(range(256)) * 4
        put = self.s3.put_object(Bucket="objects", Key="range.bin", Body=body)
        part = self.s3.get_object(Bucket="objects", Key="range.bin", Range="bytes=10-19")
        self.assertEqual(part["Body"].read(), body[10:20])
        self.assertEqual(part["ContentRange"], "bytes 10-19/1024")
        self.assertEqual(part["ResponseMetadata"]["HTTPStatusCode"], 206)
        tail = self.s3.get_object(Bucket="objects", Key="range.bin", Range="bytes=-4")
        self.assertEqual(tail["Body"].read(), body[-4:])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.get_object(Bucket="objects", Key="range.bin", IfMatch='"nope"')
        self.assertEqual(err(cm.exception), ("PreconditionFailed", 412))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.get_object(Bucket="objects", Key="range.bin", IfNoneMatch=put["ETag"])
        self.assertEqual(err(cm.exception)[1], 304)
        over = self.s3.get_object(Bucket="objects", Key="range.bin",
                                  ResponseContentType="text/plain")
        self.assertEqual(over["ContentType"], "text/plain")

    def test_copy_and_batch_delete(self):
        self.s3.put_object(Bucket="objects", Key="src", Body=b"copy me", Metadata={"a": "1"})
        self.s3.copy_object(Bucket="objects", Key="dst", CopySource="objects/src")
        got = self.s3.get_object(Bucket="objects", Key="dst")
        self.assertEqual(got["Body"].read(), b"copy me")
        self.assertEqual(got["Metadata"], {"a": "1"})
        self.s3.copy_object(Bucket="objects", Key="dst2", CopySource={"Bucket": "objects",
                                                                      "Key": "src"},
                            MetadataDirective="REPLACE", Metadata={"b": "2"})
        self.assertEqual(self.s3.head_object(Bucket="objects", Key="dst2")["Metadata"],
                         {"b": "2"})
        out = self.s3.delete_objects(Bucket="objects", Delete={"Objects": [
            {"Key": "src"}, {"Key": "dst"}, {"Key": "dst2"}]})
        self.assertEqual(sorted(d["Key"] for d in out["Deleted"]), ["dst", "dst2", "src"])
        with self.assertRaises(botocore.exceptions.ClientError):
            self.s3.head_object(Bucket="objects", Key="src")

    def test_hostile_keys_are_opaque(self):
        keys = ["/abs", "..x", "a\\b", "a/./b", "a//b", "k" * 1024, "sp ace+plus%25", "ünï/コード"]
        for i, key in enumerate(keys):
            self.s3.put_object(Bucket="objects", Key=key, Body=str(i).encode())
        for i, key in enumerate(keys):
            self.assertEqual(self.s3.get_object(Bucket="objects", Key=key)["Body"].read(),
                             str(i).encode(), key)
        listed = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket="objects"):
            listed += [o["Key"] for o in page.get("Contents", [])]
        for key in keys:
            self.assertIn(key, listed)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3.put_object(Bucket="objects", Key="k" * 1025, Body=b"x")
        self.assertEqual(err(cm.exception)[0], "KeyTooLongError")
        # No file outside the data dir's blob store was made.
        blobs = os.path.join(self.server.data_dir, "s3", "blobs")
        for root, _dirs, files in os.walk(blobs):
            for f in files:
                self.assertRegex(f, r"^[0-9a-f]{32}$")


class S3ListingTest(ServerTestCase):
    with_sagemaker_role = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s3 = cls.server.client("s3")
        s3.create_bucket(Bucket="many")
        cls.keys = sorted(["p/%04d" % i for i in range(1100)] + ["q/a", "q/b/c", "r", "é"],
                          key=lambda k: k.encode())
        for k in cls.keys:
            s3.put_object(Bucket="many", Key=k, Body=b"")

    def setUp(self):
        self.s3 = self.server.client("s3")

    def test_v2_paging_over_1000_keys(self):
        got = []
        pages = 0
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket="many"):
            got += [o["Key"] for o in page.get("Contents", [])]
            pages += 1
        self.assertEqual(got, self.keys)
        self.assertEqual(pages, 2)

    def test_v1_paging_with_marker(self):
        got = []
        for page in self.s3.get_paginator("list_objects").paginate(
                Bucket="many", PaginationConfig={"PageSize": 300}):
            got += [o["Key"] for o in page.get("Contents", [])]
        self.assertEqual(got, self.keys)

    def test_delimiter_and_prefixes(self):
        out = self.s3.list_objects_v2(Bucket="many", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in out["CommonPrefixes"]], ["p/", "q/"])
        self.assertEqual([o["Key"] for o in out["Contents"]], ["r", "é"])
        out = self.s3.list_objects_v2(Bucket="many", Prefix="q/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in out["CommonPrefixes"]], ["q/b/"])
        self.assertEqual([o["Key"] for o in out["Contents"]], ["q/a"])
        v1 = self.s3.list_objects(Bucket="many", Prefix="q", EncodingType="url")
        self.assertEqual([o["Key"] for o in v1["Contents"]], ["q/a", "q/b/c"])
        out = self.s3.list_objects_v2(Bucket="many", StartAfter="q/b/c")
        self.assertEqual([o["Key"] for o in out["Contents"]], ["r", "é"])


class S3CliTest(ServerTestCase):
    with_sagemaker_role = False

    def test_cli_round_trip(self):
        work = tempfile.mkdtemp(dir=self.server.data_dir)
        src = os.path.join(work, "src")
        os.makedirs(os.path.join(src, "sub"))
        for name, size in [("a.txt", 10), ("sub/b.bin", 70_000), ("big.bin", 20 * 1024 * 1024)]:
            with open(os.path.join(src, name), "wb") as f:
                f.write(os.urandom(size))
        rc, out, errtext = self.server.aws("s3", "mb", "s3://cli-bucket")
        self.assertEqual(rc, 0, errtext)
        rc, out, errtext = self.server.aws("s3", "cp", os.path.join(src, "big.bin"),
                                           "s3://cli-bucket/big.bin")
        self.assertEqual(rc, 0, errtext)
        dst = os.path.join(work, "big.out")
        rc, out, errtext = self.server.aws("s3", "cp", "s3://cli-bucket/big.bin", dst)
        self.assertEqual(rc, 0, errtext)
        with open(os.path.join(src, "big.bin"), "rb") as a, open(dst, "rb") as b:
            self.assertEqual(hashlib.sha256(a.read()).digest(), hashlib.sha256(b.read()).digest())
        rc, out, errtext = self.server.aws("s3api", "head-object", "--bucket", "cli-bucket",
                                           "--key", "big.bin")
        self.assertEqual(rc, 0, errtext)
        self.assertRegex(out["ETag"], r'^"[0-9a-f]{32}-\d+"$')
        rc, out, errtext = self.server.aws("s3", "sync", src, "s3://cli-bucket/tree")
        self.assertEqual(rc, 0, errtext)
        rc, out, errtext = self.server.aws("s3", "sync", src, "s3://cli-bucket/tree")
        self.assertEqual(rc, 0, errtext)
        self.assertEqual(out, None if out is None else out, "second sync uploads nothing")
        self.assertNotIn("upload:", str(out or ""))
        rc, out, errtext = self.server.aws("s3", "ls", "--recursive", "s3://cli-bucket")
        self.assertEqual(rc, 0, errtext)
        self.assertIn("tree/sub/b.bin", out)
        rc, url, errtext = self.server.aws("s3", "presign", "s3://cli-bucket/tree/a.txt")
        self.assertEqual(rc, 0, errtext)
        with urllib.request.urlopen(url.strip()) as resp:
            with open(os.path.join(src, "a.txt"), "rb") as f:
                self.assertEqual(resp.read(), f.read())
        rc, out, errtext = self.server.aws("s3", "rm", "--recursive", "s3://cli-bucket/tree")
        self.assertEqual(rc, 0, errtext)
        rc, out, errtext = self.server.aws("s3", "rb", "--force", "s3://cli-bucket")
        self.assertEqual(rc, 0, errtext)
        rc, out, errtext = self.server.aws("s3", "ls")
        self.assertNotIn("cli-bucket", out or "")

    def test_boto3_transfers(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="transfers")
        work = tempfile.mkdtemp(dir=self.server.data_dir)
        path = os.path.join(work, "up.bin")
        data = os.urandom(12 * 1024 * 1024)
        with open(path, "wb") as f:
            f.write(data)
        s3.upload_file(path, "transfers", "up.bin")
        s3.download_file("transfers", "up.bin", path + ".down")
        with open(path + ".down", "rb") as f:
            self.assertEqual(f.read(), data)


class S3SecurityTest(ServerTestCase):
    with_sagemaker_role = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.client("s3").create_bucket(Bucket="guarded")
        cls.server.client("s3").put_object(Bucket="guarded", Key="k", Body=b"secret")

    def signed(self, method, path, body=b"", headers=None, payload_hash=None):
        """A SigV4-signed request for S3 as botocore signs it (path-style)."""
        import botocore.auth
        import botocore.awsrequest
        import botocore.credentials
        key, sec = self.server.credentials["admin"]
        req = botocore.awsrequest.AWSRequest(method=method, url=self.server.endpoint + path,
                                             data=body, headers=dict(headers or {}))
        if payload_hash:
            req.headers["X-Amz-Content-SHA256"] = payload_hash
        botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(key, sec), "s3",
                                  "us-east-1").add_auth(req)
        return req

    def send(self, req, body=None):
        import http.client
        import urllib.parse
        u = urllib.parse.urlsplit(req.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        path = u.path + ("?" + u.query if u.query else "")
        conn.request(req.method, path, body=req.body if body is None else body,
                     headers=dict(req.headers))
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def test_bad_credentials_refused(self):
        bad = self.server.client("s3", secret="x" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.get_object(Bucket="guarded", Key="k")
        self.assertEqual(err(cm.exception), ("SignatureDoesNotMatch", 403))
        unknown = self.server.client("s3", access_key="AKIAUNKNOWNKEY000000")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            unknown.get_object(Bucket="guarded", Key="k")
        self.assertEqual(err(cm.exception), ("InvalidAccessKeyId", 403))
        status, _, body = self.server.send("GET", "/guarded/k")
        self.assertEqual(status, 403)
        self.assertNotIn(b"secret", body)
        self.assertServerAlive()

    def test_expired_presigned_url(self):
        s3 = self.server.client("s3", signature_version="s3v4")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "guarded", "Key": "k"},
                                        ExpiresIn=1)
        time.sleep(2.1)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url)
        self.assertEqual(cm.exception.code, 403)
        text = cm.exception.read().decode()
        self.assertIn("<Code>AccessDenied</Code>", text)
        self.assertIn("Request has expired", text)
        v2 = self.server.client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": "guarded", "Key": "k"}, ExpiresIn=60)
        with urllib.request.urlopen(v2) as resp:
            self.assertEqual(resp.read(), b"secret")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(v2.replace("Signature=", "Signature=A"))
        self.assertEqual(cm.exception.code, 403)

    def test_payload_that_does_not_match_its_hash_stores_nothing(self):
        import hashlib as h
        req = self.signed("PUT", "/guarded/tampered", b"good body",
                          payload_hash=h.sha256(b"good body").hexdigest())
        status, _, body = self.send(req, body=b"evil body")
        self.assertEqual(status, 400, body)
        self.assertIn(b"XAmzContentSHA256Mismatch", body)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.server.client("s3").head_object(Bucket="guarded", Key="tampered")
        self.assertEqual(err(cm.exception)[1], 404)
        self.assertEqual(os.listdir(os.path.join(self.server.data_dir, "s3", "tmp")), [])

    def test_checksum_mismatch_is_bad_digest(self):
        req = self.signed("PUT", "/guarded/crc", b"abc", payload_hash="UNSIGNED-PAYLOAD",
                          headers={"x-amz-checksum-crc32": "AAAAAA=="})
        status, _, body = self.send(req)
        self.assertEqual(status, 400, body)
        self.assertIn(b"<Code>BadDigest</Code>", body)
        s3 = self.server.client("s3")
        s3.put_object(Bucket="guarded", Key="crc-ok", Body=b"abc", ChecksumAlgorithm="CRC32")
        head = s3.head_object(Bucket="guarded", Key="crc-ok", ChecksumMode="ENABLED")
        self.assertEqual(head["ChecksumCRC32"], "NSRBwg==")

    def test_response_header_overrides_cannot_split_the_response(self):
        req = self.signed("GET", "/guarded/k?response-content-type=text%2Fplain%0D%0AX-Evil%3A%201")
        status, headers, body = self.send(req)
        self.assertNotIn("X-Evil", headers)
        self.assertServerAlive()


class S3AuditTest(ServerTestCase):
    with_sagemaker_role = False

    def test_bucket_calls_in_event_history_object_calls_not(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="audited")
        s3.put_object(Bucket="audited", Key="obj", Body=b"x")
        s3.get_object(Bucket="audited", Key="obj")["Body"].read()
        ct = self.server.client("cloudtrail")
        deadline = time.time() + 10
        names = []
        while time.time() < deadline:
            events = ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}])["Events"]
            names = [e["EventName"] for e in events]
            if "CreateBucket" in names:
                break
            time.sleep(0.2)
        self.assertIn("CreateBucket", names)
        self.assertNotIn("PutObject", names)
        self.assertNotIn("GetObject", names)
        ev = next(e for e in events if e["EventName"] == "CreateBucket")
        record = json.loads(ev["CloudTrailEvent"])
        self.assertEqual(record["eventSource"], "s3.amazonaws.com")
        self.assertEqual(record["requestParameters"]["bucketName"], "audited")
        self.assertIn("Host", record["requestParameters"])
        self.assertEqual(record["additionalEventData"]["SignatureVersion"], "SigV4")
        self.assertIn({"accountId": record["recipientAccountId"], "type": "AWS::S3::Bucket",
                       "ARN": "arn:aws:s3:::audited"}, record["resources"])


if __name__ == "__main__":
    unittest.main()
