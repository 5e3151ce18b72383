"""Shared harness for end-to-end tests: starts the real `sagetrail serve` binary on a free port
with a temporary data directory and drives it with the aws CLI, boto3 and raw HTTP.

Every server a test starts is stopped (ServerTestCase stops it in tearDownClass, the Server
context manager on exit). Nothing here reaches beyond loopback.
"""

import configparser
import datetime
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("SAGETRAIL_BINARY", os.path.join(REPO, "build", "sagetrail"))
REGION = "us-east-1"
# A trust policy that lets SageMaker assume a role.
SAGEMAKER_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                   "Action": "sts:AssumeRole"}]})


class Server:
    """One sagetrail process. Use as a context manager or call start()/stop()."""

    def __init__(self, data_dir=None, extra_args=()):
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="sagetrail-e2e-")
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.endpoint = None
        self.stdout_lines = []
        self.exports = {}  # the `export AWS_...=...` lines the server printed, parsed
        self.stderr_path = os.path.join(self.data_dir, "server.stderr")

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, timeout=20):
        args = [BINARY, "serve", "--port", "0", "--data-dir", self.data_dir, "--log-level", "warn"]
        args += self.extra_args
        self.port = None
        self.endpoint = None
        self.exports = {}
        self._ready = threading.Event()
        os.makedirs(self.data_dir, exist_ok=True)  # the stderr log lives in it
        self._stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr,
                                     text=True, bufsize=1)
        # One thread reads stdout for the life of the process: it parses the exports and keeps
        # draining so the server never blocks on a full pipe. start() waits on it with a timeout
        # (a blocking readline() here could hang forever on a silent server).
        self._reader = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
        self._reader.start()
        deadline = time.time() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                self._ready.wait(0.5)  # let the reader finish the last lines
                if self._ready.is_set():
                    break
                code = self.proc.returncode
                self.stop()
                raise RuntimeError("sagetrail exited early (code %s):\n%s"
                                   % (code, self.read_stderr()))
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("sagetrail did not report its port within %ss:\n%s"
                                   % (timeout, self.read_stderr()))
        m = re.match(r"http://[^:]+:(\d+)$", self.exports.get("AWS_ENDPOINT_URL", ""))
        if m is None:
            self.stop()
            raise RuntimeError("sagetrail printed no usable AWS_ENDPOINT_URL:\n"
                               + "".join(self.stdout_lines))
        self.port = int(m.group(1))
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.credentials = self.read_credentials()
        return self

    def _drain(self, proc):
        try:
            for line in proc.stdout:
                self.stdout_lines.append(line)
                m = re.match(r"export (AWS_[A-Z_]+)=(.*)$", line.rstrip("\n"))
                if m:
                    value = m.group(2)
                    if value[:1] in ("'", '"'):  # shell-quoted: take the word the shell would
                        value = " ".join(shlex.split(value))
                    self.exports[m.group(1)] = value
                    if m.group(1) == "AWS_DEFAULT_REGION":
                        self._ready.set()
        except (ValueError, OSError):
            pass
        finally:
            try:
                proc.stdout.close()
            except OSError:
                pass

    def stop(self, timeout=10, sig=signal.SIGTERM):
        """Sends `sig` (SIGTERM by default), then SIGKILL if the process has not exited within
        `timeout` seconds. Returns the exit code (negative: killed by that signal)."""
        if self.proc is None:
            return None
        code = self.proc.poll()
        if code is None:
            self.proc.send_signal(sig)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
        self._reader.join(5)  # stdout reaches end-of-file once the process is gone
        self.proc = None
        self._stderr.close()
        return code

    def kill9(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self._reader.join(5)
            self.proc = None
            self._stderr.close()

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()

    def read_stderr(self):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- credentials and clients -------------------------------------------------------------
    @property
    def credentials_file(self):
        return os.path.join(self.data_dir, "credentials")

    def read_credentials(self):
        cp = configparser.ConfigParser()
        cp.read(self.credentials_file)
        return {s: (cp[s]["aws_access_key_id"], cp[s]["aws_secret_access_key"])
                for s in cp.sections()}

    def env(self, profile="admin", region=REGION, **extra):
        """Environment for an aws CLI subprocess: the exports the server printed (parsed from its
        stdout, not rebuilt here) with AWS_PROFILE / AWS_DEFAULT_REGION overridden by `profile` /
        `region`, no inherited AWS_* variable, and no user config file. No retry settings are
        added: the CLI behaves exactly as for a user who pasted the exports (retry settings
        would also change its error text, e.g. "(reached max retries: 0)")."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(self.exports)
        env.update({
            "AWS_CONFIG_FILE": os.path.join(self.data_dir, "no-such-config"),
            "AWS_PROFILE": profile,
            "AWS_DEFAULT_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        env.update(extra)
        return env

    def aws(self, *args, profile="admin", region=REGION, env=None, timeout=60):
        """Runs the aws CLI. Returns (exit code, parsed JSON stdout or raw text, stderr)."""
        e = self.env(profile=profile, region=region)
        if env:
            e.update(env)
        p = subprocess.run(["aws"] + list(args), env=e, capture_output=True, text=True,
                           timeout=timeout)
        out = p.stdout
        try:
            out = json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            pass
        return p.returncode, out, p.stderr

    def client(self, service, profile="admin", region=REGION, access_key=None, secret=None,
               **config):
        """A boto3 client for this server, one attempt only. `access_key` / `secret` replace the
        profile's key id / secret (to provoke authentication failures)."""
        key, sec = self.credentials[profile]
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, **config)
        return boto3.session.Session(
            aws_access_key_id=access_key or key, aws_secret_access_key=secret or sec,
            region_name=region
        ).client(service, endpoint_url=self.endpoint, config=cfg)

    def sagemaker_role(self, name="SageMakerRole", profile="admin", path="/"):
        """The ARN of an IAM role that SageMaker may assume (created on first use), as a user
        creates one before handing it to SageMaker (CreateModel's ExecutionRoleArn, ...)."""
        iam = self.client("iam", profile=profile)
        try:
            return iam.create_role(RoleName=name, Path=path,
                                   AssumeRolePolicyDocument=SAGEMAKER_TRUST)["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            return iam.get_role(RoleName=name)["Role"]["Arn"]

    # -- raw HTTP ----------------------------------------------------------------------------
    def prepare_signed(self, target, body=b"{}", service="sagemaker", profile="admin",
                       region=REGION, when=None, secret=None, access_key=None, headers=None,
                       method="POST", path="/", content_type="application/x-amz-json-1.1"):
        """Builds and signs a request with botocore's own SigV4 signer (optionally at time `when`,
        a naive-UTC or aware datetime, with another secret or key). Returns botocore's
        AWSPreparedRequest; its headers do not include Host (signed as 127.0.0.1:<port>)."""
        key, sec = self.credentials[profile]
        creds = botocore.credentials.Credentials(access_key or key, secret or sec)
        h = {}
        if content_type:
            h["Content-Type"] = content_type
        if target:
            h["X-Amz-Target"] = target
        h.update(headers or {})
        req = botocore.awsrequest.AWSRequest(method=method, url=self.endpoint + path,
                                             data=body, headers=h)
        signer = botocore.auth.SigV4Auth(creds, service, region)
        if when is None:
            signer.add_auth(req)
        else:
            if when.tzinfo is not None:
                when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            # botocore.auth takes the signing time from get_current_datetime(); replace just that
            # (not the datetime module, which other threads use).
            real = botocore.auth.get_current_datetime
            botocore.auth.get_current_datetime = lambda *a, **k: when
            try:
                signer.add_auth(req)
            finally:
                botocore.auth.get_current_datetime = real
        return req.prepare()

    def signed_request(self, target, body=b"{}", service="sagemaker", profile="admin",
                       region=REGION, when=None, secret=None, access_key=None, headers=None,
                       method="POST", path="/", content_type="application/x-amz-json-1.1"):
        """Signs with botocore's own SigV4 signer (optionally at time `when`, with another
        secret or key) and sends. Returns (status, headers dict lower-cased, body bytes)."""
        prepared = self.prepare_signed(target, body=body, service=service, profile=profile,
                                       region=region, when=when, secret=secret,
                                       access_key=access_key, headers=headers, method=method,
                                       path=path, content_type=content_type)
        return self.send(prepared.method, path, dict(prepared.headers), prepared.body)

    def signed_bytes(self, target, body=b"{}", close=False, **kwargs):
        """A signed request (see prepare_signed) serialized as raw HTTP/1.1 bytes with the Host
        and Content-Length it was signed for; `close` adds "Connection: close" (unsigned)."""
        p = self.prepare_signed(target, body=body, **kwargs)
        data = p.body or b""
        if isinstance(data, str):
            data = data.encode()
        path = p.url[len(self.endpoint):] or "/"
        lines = ["%s %s HTTP/1.1" % (p.method, path), "Host: 127.0.0.1:%d" % self.port]
        for k, v in p.headers.items():
            if k.lower() not in ("host", "content-length"):
                lines.append("%s: %s" % (k, v.decode() if isinstance(v, bytes) else v))
        lines.append("Content-Length: %d" % len(data))
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + data

    def send(self, method, path, headers=None, body=b""):
        data = body if isinstance(body, (bytes, type(None))) else body.encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def connect(self, timeout=5):
        """A new TCP connection to the server (caller closes it)."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def raw(self, data, timeout=5, shutdown_write=False):
        """Sends raw bytes on a new connection; returns everything read until close/timeout.
        A reset by the server ends the read like a close (whatever arrived is returned).
        `shutdown_write` half-closes after sending, so the server sees end-of-stream at once."""
        return self.raw_ex(data, timeout, shutdown_write)[0]

    def raw_ex(self, data, timeout=5, shutdown_write=False):
        """Like raw(), but returns (bytes read, how the read ended: "eof", "reset" or
        "timeout")."""
        with self.connect(timeout) as s:
            try:
                s.sendall(data)
                if shutdown_write:
                    s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before reading everything
            chunks = []
            ended = "eof"
            try:
                while True:
                    c = s.recv(65536)
                    if not c:
                        break
                    chunks.append(c)
            except socket.timeout:
                ended = "timeout"
            except ConnectionResetError:
                ended = "reset"
            return b"".join(chunks), ended

    def healthy(self):
        try:
            with urllib.request.urlopen(self.endpoint + "/_sagetrail/health", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False


class HttpResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-cased names; a repeated header keeps its last value
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "HttpResponse(%d %s, %r, %r)" % (self.status, self.reason, self.headers,
                                                  self.body[:200])


def read_response(reader, head=False):
    """Reads one HTTP/1.1 response from a binary file object (socket.makefile("rb")); the body
    is framed by Content-Length (no chunked encoding: the server does not send it). A response
    to HEAD (`head`), a 1xx, 204 or 304 has no body whatever its Content-Length says. Returns an
    HttpResponse, or None if the stream ended before a status line."""
    line = reader.readline(65537)
    if not line:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ?(.*)\r\n$", line)
    if m is None:
        raise ValueError("bad status line %r" % line)
    headers = {}
    while True:
        h = reader.readline(65537)
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "transfer-encoding" in headers:
        raise ValueError("unexpected Transfer-Encoding in %r" % headers)
    status = int(m.group(1))
    n = int(headers.get("content-length", "0"))
    if head or status < 200 or status in (204, 304):
        n = 0
    body = reader.read(n) if n else b""
    if len(body) != n:
        raise ValueError("truncated body: %d of %d bytes" % (len(body), n))
    return HttpResponse(status, m.group(2).decode("latin-1"), headers, body)


def parse_response(data):
    """Parses one complete response held in bytes (see read_response)."""
    return read_response(io.BytesIO(data))


class ServerTestCase(unittest.TestCase):
    """One server per test class, started before the first test and always stopped."""

    server_args = ()
    # Create the role "SageMakerRole" (trusting sagemaker.amazonaws.com) before the tests, as a
    # user must before handing a role to SageMaker.
    with_sagemaker_role = True

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(BINARY):
            raise unittest.SkipTest("no server binary at " + BINARY)
        cls.server = Server(extra_args=cls.server_args)
        try:
            cls.server.start()
            if cls.with_sagemaker_role:
                cls.server.sagemaker_role()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertServerAlive(self):
        self.assertTrue(self.server.alive(), "server process died:\n" + self.server.read_stderr())
        self.assertTrue(self.server.healthy(), "server does not answer its health check")
