#!/usr/bin/env python3
"""S3 over loopback against sagetrail's embedded store and moto_server, in the same run:
PutObject and GetObject requests/s for 1 KiB objects (wrk replaying pre-signed URLs), MiB/s for
8 MiB and 1 GiB objects (curl with pre-signed URLs), and the server's RSS sampled during the
1 GiB transfers. Prints one JSON line per figure.

    python3 bench/s3_bench.py [--count 20000] [--moto-count 2000] [--big-mib 1024] [--skip-moto]

Every process started here is stopped on exit. Loopback only; every load is bounded."""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import boto3
import botocore.config

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LUA = os.path.join(REPO, "bench", "s3_presigned.lua")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, timeout=30):
    import urllib.request
    import urllib.error
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return True
        except urllib.error.HTTPError:
            return True
        except Exception:
            time.sleep(0.1)
    return False


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class Target:
    def __init__(self, name, endpoint, key, secret, pid):
        self.name, self.endpoint, self.pid = name, endpoint, pid
        cfg = botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"})
        self.s3 = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                                        region_name="us-east-1").client(
            "s3", endpoint_url=endpoint, config=cfg)


def start_sagetrail(tmp):
    port = free_port()
    data = os.path.join(tmp, "sagetrail-data")
    proc = subprocess.Popen([os.path.join(REPO, "build", "sagetrail"), "serve", "--port",
                             str(port), "--data-dir", data, "--log-level", "warn"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    exports = {}
    for line in proc.stdout:
        m = re.match(r"export (\w+)=(.*)", line.strip())
        if m:
            exports[m.group(1)] = m.group(2).strip("'")
        if "AWS_DEFAULT_REGION" in exports:
            break
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    import configparser
    cp = configparser.ConfigParser()
    cp.read(os.path.join(data, "credentials"))
    return proc, Target("sagetrail", "http://127.0.0.1:%d" % port,
                        cp["admin"]["aws_access_key_id"], cp["admin"]["aws_secret_access_key"],
                        proc.pid)


def start_moto():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_http("http://127.0.0.1:%d/" % port):
        proc.kill()
        return None, None
    return proc, Target("moto", "http://127.0.0.1:%d" % port, "testing", "testing", proc.pid)


def wrk_run(target, method, count, bucket, tmp, conns=16, threads=2):
    pool = os.path.join(tmp, "%s-%s.pool" % (target.name, method))
    n = min(count, 20000)
    with open(pool, "w") as f:
        for i in range(n):
            op = "put_object" if method == "PUT" else "get_object"
            key = "small/%06d" % (i if method == "PUT" else i % 100)
            url = target.s3.generate_presigned_url(op, Params={"Bucket": bucket, "Key": key},
                                                   ExpiresIn=3600)
            f.write("%s\t%s\n" % (method, url[len(target.endpoint):]))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", "120s", "-s", LUA,
                          target.endpoint + "/", "--", pool, str(count), str(threads), "1024"],
                         capture_output=True, text=True, timeout=200).stdout
    m = re.search(r"WRKJSON (\{.*\})", out)
    return json.loads(m.group(1)) if m else {"error": out[-500:]}


def curl_transfer(target, method, bucket, key, path, size):
    op = "put_object" if method == "PUT" else "get_object"
    url = target.s3.generate_presigned_url(op, Params={"Bucket": bucket, "Key": key},
                                           ExpiresIn=3600)
    peak = [0.0]
    base = rss_mib(target.pid)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib(target.pid))
            time.sleep(0.05)
    t = threading.Thread(target=sample)
    t.start()
    start = time.time()
    if method == "PUT":
        cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
               "-H", "Content-Type: binary/octet-stream", "--upload-file", path, url]
    else:
        cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url]
    code = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    secs = time.time() - start
    stop.set()
    t.join()
    return {"status": code, "mib_per_s": round(size / 1048576.0 / secs, 1),
            "seconds": round(secs, 3), "rss_before_mib": round(base, 1),
            "rss_peak_mib": round(peak[0], 1), "rss_growth_mib": round(peak[0] - base, 1)}


def bench(target, args, tmp, count):
    emit = lambda fig, **kv: print(json.dumps(dict(server=target.name, figure=fig, **kv)),
                                   flush=True)
    bucket = "bench-bucket"
    target.s3.create_bucket(Bucket=bucket)
    emit("put_1kib", **wrk_run(target, "PUT", count, bucket, tmp))
    emit("get_1kib", **wrk_run(target, "GET", count, bucket, tmp))
    for mib in (8, args.big_mib):
        path = os.path.join(tmp, "blob-%d" % mib)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                chunk = os.urandom(1 << 20)
                for _ in range(mib):
                    f.write(chunk)
        emit("put_%dmib" % mib, **curl_transfer(target, "PUT", bucket, "big-%d" % mib, path,
                                                mib << 20))
        emit("get_%dmib" % mib, **curl_transfer(target, "GET", bucket, "big-%d" % mib, path,
                                                mib << 20))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--moto-count", type=int, default=2000)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--skip-moto", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="s3bench-")
    procs = []
    try:
        proc, st = start_sagetrail(tmp)
        procs.append(proc)
        bench(st, args, tmp, args.count)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if not args.skip_moto:
            proc, moto = start_moto()
            if proc:
                procs.append(proc)
                bench(moto, args, tmp, args.moto_count)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
