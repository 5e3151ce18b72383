"""End-to-end crash test of the embedded S3: SIGKILL while 50 clients upload objects (single
PutObject and multipart), then restart. Every upload the server answered is complete and
readable with the right bytes and ETag; no object is listed that was not uploaded whole; the
temporaries of the uploads the kill cut short are gone; the server serves again."""

import concurrent.futures
import hashlib
import os
import random
import threading
import time
import unittest

import botocore.config
import botocore.exceptions

from harness import BINARY, Server

CLIENTS = 50
ROUNDS = 3
SEED = int(os.environ.get("SAGETRAIL_CRASH_SEED", random.SystemRandom().randrange(1 << 31)))


def body_for(key, size):
    # Bytes that tell which object and how long: a torn object cannot pass for another.
    seed = hashlib.sha256(key.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


class S3CrashTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(BINARY):
            self.skipTest("no server binary at " + BINARY)
        self.server = Server()
        self.server.start()
        self.addCleanup(self.server.cleanup)

    def client(self):
        return self.server.client("s3", max_pool_connections=CLIENTS, connect_timeout=5,
                                  read_timeout=20)

    def upload(self, s3, key, size, multipart):
        data = body_for(key, size)
        if not multipart:
            r = s3.put_object(Bucket="crash", Key=key, Body=data)
            return key, r["ETag"], hashlib.md5(data).hexdigest()
        up = s3.create_multipart_upload(Bucket="crash", Key=key)
        part = 5 * 1024 * 1024
        parts = []
        for i in range(0, len(data), part):
            r = s3.upload_part(Bucket="crash", Key=key, UploadId=up["UploadId"],
                               PartNumber=len(parts) + 1, Body=data[i:i + part])
            parts.append({"PartNumber": len(parts) + 1, "ETag": r["ETag"]})
        r = s3.complete_multipart_upload(Bucket="crash", Key=key, UploadId=up["UploadId"],
                                         MultipartUpload={"Parts": parts})
        md5s = b"".join(hashlib.md5(data[i:i + part]).digest()
                        for i in range(0, len(data), part))
        return key, r["ETag"], hashlib.md5(md5s).hexdigest() + "-%d" % len(parts)

    def test_kill_during_uploads(self):
        rng = random.Random(SEED)
        s3 = self.client()
        s3.create_bucket(Bucket="crash")
        answered = {}  # key -> ETag the server answered
        for rnd in range(ROUNDS):
            s3 = self.client()
            jobs = []
            for i in range(CLIENTS):
                multipart = i % 5 == 0
                size = rng.randrange(6 << 20, 11 << 20) if multipart else rng.randrange(1, 400_000)
                jobs.append(("r%d/k%03d" % (rnd, i), size, multipart))
            done = []
            lock = threading.Lock()

            def run(job):
                try:
                    key, etag, want = self.upload(s3, *job)
                    self.assertEqual(etag.strip('"'), want, "seed %d" % SEED)
                    with lock:
                        done.append((key, etag))
                except (botocore.exceptions.BotoCoreError,
                        botocore.exceptions.ClientError):
                    pass  # cut by the kill

            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                futures = [pool.submit(run, j) for j in jobs]
                time.sleep(rng.uniform(0.3, 1.5))
                self.server.kill9()
                for f in futures:
                    f.result()
            for key, etag in done:
                answered[key] = etag
            self.server.start()
            s3 = self.client()
            listed = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="crash"):
                for o in page.get("Contents", []):
                    listed[o["Key"]] = o["ETag"]
            for key, etag in answered.items():
                self.assertIn(key, listed, "answered upload lost (seed %d)" % SEED)
                self.assertEqual(listed[key], etag, "seed %d" % SEED)
            sizes = {j[0]: j[1] for j in jobs}
            for key, etag in listed.items():
                got = s3.get_object(Bucket="crash", Key=key)["Body"].read()
                if key in sizes:
                    self.assertEqual(got, body_for(key, sizes[key]),
                                     "partial object %s (seed %d)" % (key, SEED))
                if "-" not in etag:
                    self.assertEqual(hashlib.md5(got).hexdigest(), etag.strip('"'), key)
            tmp = os.path.join(self.server.data_dir, "s3", "tmp")
            self.assertEqual(os.listdir(tmp), [], "temporaries left (seed %d)" % SEED)


if __name__ == "__main__":
    unittest.main()
