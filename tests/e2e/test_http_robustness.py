"""End-to-end tests of the HTTP layer with raw sockets: body and header limits, garbage and
hostile framing, a bounded seeded fuzz loop, keep-alive and pipelining. After every abuse the
server must still answer (assertServerAlive)."""

import io
import json
import random
import threading
import time
import unittest

from harness import ServerTestCase, parse_response, read_response

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class RawAssertions:

    def assertRejected(self, data, statuses=(400,), timeout=5, allow_silent_close=False):
        """Sends `data` on a new connection; the server must answer with one of `statuses` and
        close the connection (or, if allowed, just close it), then keep serving."""
        out, ended = self.server.raw_ex(data, timeout=timeout)
        if out or not allow_silent_close:
            self.assertTrue(out, "no response to %r... (%s)" % (data[:60], ended))
            resp = parse_response(out)
            self.assertIn(resp.status, statuses, resp)
            self.assertEqual(resp.headers.get("connection", "").lower(), "close", resp)
        self.assertNotEqual(ended, "timeout",
                            "connection left open after rejecting %r..." % data[:60])
        self.assertServerAlive()
        return parse_response(out) if out else None

    def assertListModelsWorks(self):
        r = self.server.client("sagemaker").list_models()
        self.assertEqual(r["Models"], [])


# --------------------------------------------------------------------------------------------
# 8. Body size limit (a server of its own with --max-body-bytes 1000)
# --------------------------------------------------------------------------------------------
class BodyLimitTest(RawAssertions, ServerTestCase):

    server_args = ["--max-body-bytes", "1000"]

    def test_signed_body_over_max_body_bytes_gives_413_json_error_then_new_connection_works(self):
        body = json.dumps({"NameContains": "a" * 4980}).encode()
        self.assertEqual(len(body), 5000)
        st, headers, out = self.server.signed_request("SageMaker.ListModels", body=body)
        self.assertEqual(st, 413, out)
        self.assertEqual(headers.get("connection", "").lower(), "close")
        self.assertRegex(headers.get("x-amzn-requestid", ""), UUID_RE)
        doc = json.loads(out)
        self.assertEqual(doc["__type"], "RequestEntityTooLarge")
        self.assertIn("1000", doc["message"])
        # A normal call on a new connection (a fresh client) still works.
        self.assertListModelsWorks()
        self.assertServerAlive()

    def test_body_of_exactly_max_body_bytes_is_accepted_one_more_is_not(self):
        ok = b"{}" + b" " * 998
        st, _, out = self.server.signed_request("SageMaker.ListModels", body=ok)
        self.assertEqual((st, json.loads(out)), (200, {"Models": []}))
        st, _, out = self.server.signed_request("SageMaker.ListModels", body=ok + b" ")
        self.assertEqual(st, 413, out)

    def test_oversized_body_on_raw_keep_alive_connection_is_answered_and_closed(self):
        req = self.server.signed_bytes("SageMaker.ListModels", body=b"{}" + b" " * 4998)
        resp = self.assertRejected(req, statuses=(413,))
        self.assertEqual(resp.json()["__type"], "RequestEntityTooLarge")
        self.assertListModelsWorks()


# --------------------------------------------------------------------------------------------
# 8, 9. Oversized and malformed requests on the default server
# --------------------------------------------------------------------------------------------
class MalformedHttpTest(RawAssertions, ServerTestCase):

    def test_20_mb_content_length_without_body_gives_413_and_closes_connection(self):
        resp = self.assertRejected(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n"
                                   b"X-Amz-Target: SageMaker.ListModels\r\n\r\n", statuses=(413,))
        self.assertEqual(resp.json()["__type"], "RequestEntityTooLarge")
        self.assertListModelsWorks()

    def test_garbage_request_line_gives_400(self):
        resp = self.assertRejected(b"GARBAGE\r\n\r\n")
        self.assertRegex(resp.headers.get("x-amzn-requestid", ""), UUID_RE)

    def test_binary_noise_gives_400(self):
        self.assertRejected(b"\x00\x01\x02\xff" * 100)

    def test_header_over_64_kib_gives_431(self):
        self.assertRejected(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n",
                            statuses=(431,))
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(1000))
        self.assertRejected(b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", statuses=(431,))

    def test_absurd_request_targets_are_refused(self):
        # Longer than the whole header limit.
        self.assertRejected(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                            statuses=(400, 414, 431))
        # Control characters in the target.
        self.assertRejected(b"GET /\x01\x02\x7f HTTP/1.1\r\nHost: x\r\n\r\n")
        # Syntactically valid but meaningless targets: an error (unsigned), never served.
        for target in (b"*", b"http://evil.example/x?y", b"/%zz%%%00", b"//../../etc/passwd",
                       b"/?" + b"&" * 5000, b"/" + b"%" * 30000):
            out = self.server.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n")
            resp = parse_response(out)
            self.assertTrue(400 <= resp.status < 500, (target[:40], resp))
            self.assertServerAlive()

    def test_truncated_requests_then_close_leave_server_alive(self):
        full = self.server.signed_bytes("SageMaker.ListModels", body=b'{"MaxResults": 10}')
        for cut in (1, 10, full.index(b"\r\n\r\n"), len(full) - 5):
            out, ended = self.server.raw_ex(full[:cut], timeout=5, shutdown_write=True)
            self.assertEqual(out, b"", "a truncated request was answered: %r" % out[:100])
            self.assertNotEqual(ended, "timeout")
            self.assertServerAlive()
        # Also a plain close without half-close first.
        with self.server.connect() as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        self.assertServerAlive()
        self.assertListModelsWorks()

    def test_negative_content_length_gives_400(self):
        self.assertRejected(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")

    def test_two_different_content_length_headers_give_400(self):
        self.assertRejected(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            b"Content-Length: 6\r\n\r\nhello!")

    def test_transfer_encoding_together_with_content_length_gives_400(self):
        # The classic request-smuggling framing: must be refused, not guessed at.
        self.assertRejected(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")

    def test_bad_chunked_encoding_and_http_version_give_400(self):
        self.assertRejected(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"zz\r\n")
        self.assertRejected(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")

    def test_seeded_random_byte_fuzz_does_not_disturb_server(self):
        rng = random.Random(20261122)
        valid = self.server.signed_bytes("SageMaker.ListModels", body=b'{"MaxResults": 5}')
        tokens = [b"GET", b"POST", b" ", b"/", b"HTTP/1.1", b"\r\n", b"\r\n\r\n", b":",
                  b"Content-Length: ", b"Transfer-Encoding: chunked", b"Host: x", b"\x00",
                  b"9" * 20, b"-1", b"X-Amz-Target: SageMaker.ListModels", b"Expect: 100-continue",
                  b"Authorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e", b"%", b"\xff"]
        statuses = []
        deadline = time.time() + 40
        for i in range(200):
            self.assertLess(time.time(), deadline, "fuzz loop too slow at iteration %d" % i)
            kind = i % 3
            if kind == 0:  # pure noise
                data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
            elif kind == 1:  # a valid signed request with a few bytes mutated / cut / inserted
                b = bytearray(valid)
                for _ in range(rng.randrange(1, 6)):
                    op = rng.randrange(3)
                    pos = rng.randrange(len(b))
                    if op == 0:
                        b[pos] = rng.randrange(256)
                    elif op == 1:
                        del b[pos:pos + rng.randrange(1, 20)]
                    else:
                        b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
                data = bytes(b)
            else:  # HTTP-ish tokens in random order
                data = b"".join(rng.choice(tokens) for _ in range(rng.randrange(1, 30)))
            out, ended = self.server.raw_ex(data, timeout=2, shutdown_write=True)
            if out:
                # Whatever came back is well-formed HTTP, and never a server fault.
                resp = read_response(io.BytesIO(out))
                self.assertIsNotNone(resp)
                self.assertLess(resp.status, 500, (data[:80], resp))
                statuses.append(resp.status)
            self.assertNotEqual(ended, "timeout", "connection hung on %r" % data[:80])
        self.assertTrue(statuses, "the fuzz loop got no responses at all")
        self.assertServerAlive()
        self.assertListModelsWorks()

    def test_many_idle_and_half_sent_connections_do_not_block_other_clients(self):
        socks = []
        try:
            for i in range(30):
                s = self.server.connect()
                if i % 2:
                    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
                socks.append(s)
            t = time.time()
            self.assertListModelsWorks()
            self.assertServerAlive()
            self.assertLess(time.time() - t, 5)
        finally:
            for s in socks:
                s.close()


# --------------------------------------------------------------------------------------------
# Message framing (RFC 9112 section 6): anything ambiguous is refused and the connection closed,
# so that no request body is ever read as the next request (request smuggling).
# --------------------------------------------------------------------------------------------
IMAGE = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:latest"
SAGEMAKER_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
HEAD = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.ListModels\r\n" \
       b"Content-Type: application/x-amz-json-1.1\r\n"


class FramingTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A role SageMaker may assume, so that the CreateModel calls below are valid ones.
        try:
            cls.role = cls.server.client("iam").create_role(
                RoleName="FramingTestRole",
                AssumeRolePolicyDocument=SAGEMAKER_TRUST)["Role"]["Arn"]
        except BaseException:
            cls.server.cleanup()  # tearDownClass does not run when setUpClass fails
            raise

    def assertFramingRefused(self, head, body=b"", status=400):
        """Sends `head` (request line and fields, no empty line), the empty line and `body` on a
        new connection. The server must answer once with `status` and Connection: close, then
        end the connection in order (recv gives b"", not a reset or a timeout)."""
        out, ended = self.server.raw_ex(head + b"\r\n" + body, timeout=5)
        return self.assertRefusal(out, ended, head, status)

    def assertRefusal(self, out, ended, head, status):
        self.assertEqual(ended, "eof", "connection not closed in order after %r" % head[-80:])
        f = io.BytesIO(out)
        resp = read_response(f)
        self.assertIsNotNone(resp, "no response to %r" % head[-80:])
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(resp.headers.get("connection", "").lower(), "close", resp)
        expected = "NotImplemented" if status == 501 else "MalformedHttpRequest"
        self.assertEqual(resp.json()["__type"], expected, resp)
        self.assertIsNone(read_response(f), "a second response followed: %r" % out)
        self.assertServerAlive()
        return resp

    def signed_chunked(self, target, body, pieces=2, **kwargs):
        """A SigV4-signed request (Content-Length is not signed) sent with
        Transfer-Encoding: chunked instead, its body cut into `pieces` chunks."""
        raw = self.server.signed_bytes(target, body=body, **kwargs)
        head, data = raw.split(b"\r\n\r\n", 1)
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"content-length:")]
        step = max(1, -(-len(data) // pieces))
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + step]), data[i:i + step])
                          for i in range(0, len(data), step))
        return b"\r\n".join(lines + [b"Transfer-Encoding: chunked"]) + b"\r\n\r\n" + chunks + \
            b"0\r\n\r\n"

    def create_model_bytes(self, name):
        body = {"ModelName": name, "PrimaryContainer": {"Image": IMAGE},
                "ExecutionRoleArn": self.role}
        return self.server.signed_bytes("SageMaker.CreateModel", body=json.dumps(body).encode())

    def assertNoModel(self, name):
        sm = self.server.client("sagemaker")
        names = [m["ModelName"] for m in sm.list_models(NameContains=name)["Models"]]
        self.assertNotIn(name, names)
        with self.assertRaises(sm.exceptions.ClientError) as cm:
            sm.describe_model(ModelName=name)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    # -- Transfer-Encoding -------------------------------------------------------------------
    def test_final_coding_not_chunked_is_400(self):
        for te in (b"chunked, identity", b"identity", b"gzip", b"foo", b"chunked;x=1"):
            with self.subTest(te=te):
                self.assertFramingRefused(HEAD + b"Transfer-Encoding: " + te + b"\r\n",
                                          b"0\r\n\r\n")

    def test_unknown_coding_before_chunked_is_501(self):
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: gzip, chunked\r\n",
                                  b"2\r\n{}\r\n0\r\n\r\n", status=501)

    def test_several_transfer_encoding_lines_are_one_list(self):
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: gzip\r\n"
                                  b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n", status=501)
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: chunked\r\n"
                                  b"Transfer-Encoding: identity\r\n", b"0\r\n\r\n")

    def test_chunked_twice_is_400(self):
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: chunked, chunked\r\n",
                                  b"0\r\n\r\n")

    def test_transfer_encoding_in_http_1_0_is_400(self):
        self.assertFramingRefused(HEAD.replace(b"HTTP/1.1", b"HTTP/1.0")
                                  + b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n")

    def test_transfer_encoding_with_content_length_is_400_in_either_order(self):
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                  b"0\r\n\r\n")
        self.assertFramingRefused(HEAD + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                  b"0\r\n\r\n")
        # An unknown coding with a Content-Length (the reported attack served it).
        self.assertFramingRefused(HEAD + b"Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n",
                                  b"{}")

    def test_malformed_chunk_size_is_400(self):
        for chunks in (b"zz\r\n", b"-2\r\n{}\r\n0\r\n\r\n", b"fffffffffffffffffffff\r\n"):
            with self.subTest(chunks=chunks):
                self.assertFramingRefused(HEAD + b"Transfer-Encoding: chunked\r\n", chunks)

    def test_chunk_extension_with_a_control_character_is_400(self):
        # Beast reads a quoted extension value over a bare LF; a reader ending the chunk line
        # there would see the rest as chunk data and another chunk (found by the HTTP fuzzer).
        for ext in (b';a="x\ny"', b';a="\x01"', b';a="\x7f"'):
            for chunks in (b"2" + ext + b"\r\n{}\r\n0\r\n\r\n", b"0" + ext + b"\r\n\r\n"):
                with self.subTest(chunks=chunks):
                    self.assertFramingRefused(HEAD + b"Transfer-Encoding: chunked\r\n", chunks)

    # -- Host ----------------------------------------------------------------------------------
    def test_http_1_1_needs_exactly_one_host(self):
        no_host = HEAD.replace(b"Host: x\r\n", b"")
        pipelined = b"GET /_sagetrail/health HTTP/1.1\r\nHost: x\r\n\r\n"
        for head in (no_host + b"Content-Length: 2\r\n",
                     HEAD + b"Host: y\r\nContent-Length: 2\r\n",
                     HEAD + b"Host: x\r\nContent-Length: 2\r\n"):
            with self.subTest(head=head):
                self.assertFramingRefused(head, b"{}" + pipelined)

    # -- Content-Length ----------------------------------------------------------------------
    def test_content_length_list_is_400(self):
        self.assertFramingRefused(HEAD + b"Content-Length: 2,2\r\n", b"{}")
        self.assertFramingRefused(HEAD + b"Content-Length: 2, 3\r\n", b"{} ")

    def test_repeated_content_length_is_400_even_when_identical(self):
        self.assertFramingRefused(HEAD + b"Content-Length: 2\r\nContent-Length: 2\r\n", b"{}")
        self.assertFramingRefused(HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n", b"{} ")

    def test_content_length_that_is_not_a_plain_decimal_is_400(self):
        for value in (b"+2", b"-2", b"0x2", b"2 2", b"", b"99999999999999999999999"):
            with self.subTest(value=value):
                self.assertFramingRefused(HEAD + b"Content-Length: " + value + b"\r\n", b"{}")

    def test_refused_framing_with_expect_100_continue_gets_no_interim_response(self):
        resp = self.assertFramingRefused(HEAD + b"Expect: 100-continue\r\n"
                                         b"Transfer-Encoding: gzip\r\n")
        self.assertEqual(resp.status, 400)

    # -- Smuggling ---------------------------------------------------------------------------
    def test_signed_create_model_hidden_in_a_refused_body_is_never_executed(self):
        sm = self.server.client("sagemaker")
        # The hidden request is a valid one: sent on its own it creates its model.
        control = "smuggle-control"
        out = self.server.raw(self.create_model_bytes(control), timeout=5,
                              shutdown_write=True)
        self.assertEqual(parse_response(out).status, 200, out)
        self.assertEqual(sm.describe_model(ModelName=control)["ModelName"], control)
        heads = {
            "te-chunked-identity": HEAD + b"Transfer-Encoding: chunked, identity\r\n",
            "te-identity": HEAD + b"Transfer-Encoding: identity\r\n",
            "te-gzip": HEAD + b"Transfer-Encoding: gzip\r\n",
            "te-foo": HEAD + b"Transfer-Encoding: foo\r\n",
            "te-gzip-chunked": HEAD + b"Transfer-Encoding: gzip, chunked\r\n",
            "te-http10": HEAD.replace(b"HTTP/1.1", b"HTTP/1.0") + b"Connection: keep-alive\r\n"
                         b"Transfer-Encoding: chunked\r\n",
            "cl-te": HEAD + b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n",
            "te-cl": HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
            "xchunked-cl": HEAD + b"Transfer-Encoding: xchunked\r\nContent-Length: 0\r\n",
            "cl-twice": HEAD + b"Content-Length: 0\r\nContent-Length: 0\r\n",
            "cl-list": HEAD + b"Content-Length: 0,0\r\n",
        }
        for label, head in heads.items():
            name = "smuggled-" + label
            with self.subTest(label=label):
                out, ended = self.server.raw_ex(head + b"\r\n" + self.create_model_bytes(name),
                                                timeout=5)
                self.assertNoModel(name)
                self.assertRefusal(out, ended, head, 501 if label == "te-gzip-chunked" else 400)
        names = [m["ModelName"] for m in sm.list_models(NameContains="smuggle")["Models"]]
        self.assertEqual(names, [control])

    # -- Valid chunked requests --------------------------------------------------------------
    def test_signed_chunked_requests_are_served_on_a_kept_alive_connection(self):
        body = json.dumps({"ModelName": "chunked-model", "PrimaryContainer": {"Image": IMAGE},
                           "ExecutionRoleArn": self.role}).encode()
        with self.server.connect() as s:
            f = s.makefile("rb")
            s.sendall(self.signed_chunked("SageMaker.CreateModel", body, pieces=3))
            r1 = read_response(f)
            self.assertEqual(r1.status, 200, r1)
            self.assertIn("chunked-model", r1.json()["ModelArn"])
            self.assertNotEqual(r1.headers.get("connection", "").lower(), "close")
            s.sendall(self.signed_chunked("SageMaker.DescribeModel",
                                          json.dumps({"ModelName": "chunked-model"}).encode()))
            r2 = read_response(f)
            self.assertEqual(r2.status, 200, r2)
            self.assertEqual(r2.json()["ModelName"], "chunked-model")
        sm = self.server.client("sagemaker")
        self.assertEqual(sm.describe_model(ModelName="chunked-model")["ExecutionRoleArn"],
                         self.role)


# --------------------------------------------------------------------------------------------
# 10. Keep-alive and pipelining
# --------------------------------------------------------------------------------------------
class KeepAliveTest(RawAssertions, ServerTestCase):

    def test_two_pipelined_requests_in_one_send_get_two_responses_in_order(self):
        a = self.server.signed_bytes("SageMaker.ListModels", body=b"{}")
        b = self.server.signed_bytes("SageMaker.NoSuchOperation", body=b"{}")
        with self.server.connect() as s:
            s.sendall(a + b)  # one send(): both requests arrive together
            f = s.makefile("rb")
            r1 = read_response(f)
            r2 = read_response(f)
            self.assertEqual(r1.status, 200, r1)
            self.assertEqual(r1.json(), {"Models": []})
            self.assertEqual(r2.status, 400, r2)
            self.assertEqual(r2.json()["__type"], "UnknownOperationException")
            self.assertNotEqual(r1.headers["x-amzn-requestid"], r2.headers["x-amzn-requestid"])
            # The connection is still usable afterwards.
            s.sendall(self.server.signed_bytes("SageMaker.ListModels", close=True))
            r3 = read_response(f)
            self.assertEqual(r3.status, 200, r3)
            self.assertEqual(f.read(), b"", "server did not close after Connection: close")

    def test_two_sequential_requests_on_one_connection_are_both_served(self):
        with self.server.connect() as s:
            f = s.makefile("rb")
            s.sendall(self.server.signed_bytes("SageMaker.ListModels"))
            r1 = read_response(f)
            self.assertEqual(r1.status, 200, r1)
            self.assertNotEqual(r1.headers.get("connection", "").lower(), "close")
            time.sleep(0.2)  # idle between requests
            s.sendall(self.server.signed_bytes("SageMaker.ListModels",
                                               body=b'{"MaxResults": 3}'))
            r2 = read_response(f)
            self.assertEqual(r2.status, 200, r2)
            self.assertEqual(r2.json(), {"Models": []})

    def test_burst_of_ten_pipelined_requests_ending_with_close(self):
        reqs = [self.server.signed_bytes("SageMaker.ListModels" if i % 2 == 0
                                         else "SageMaker.ListClusters", close=(i == 9))
                for i in range(10)]
        with self.server.connect() as s:
            s.sendall(b"".join(reqs))
            f = s.makefile("rb")
            got = [read_response(f).status for _ in range(10)]
            self.assertEqual(got, [200, 501] * 5)
            self.assertEqual(f.read(), b"")

    def test_request_pipelined_after_a_malformed_one_is_not_processed(self):
        # Once the framing is broken the rest of the stream cannot be trusted.
        good = self.server.signed_bytes("SageMaker.ListModels")
        out, ended = self.server.raw_ex(b"GARBAGE\r\n\r\n" + good, timeout=5)
        self.assertNotEqual(ended, "timeout")
        f = io.BytesIO(out)
        r1 = read_response(f)
        self.assertEqual(r1.status, 400, r1)
        self.assertIsNone(read_response(f), "a request after a malformed one was answered")
        # And the other way round: a good request, then garbage.
        out, ended = self.server.raw_ex(good + b"\x00\x01garbage\r\n\r\n", timeout=5)
        f = io.BytesIO(out)
        self.assertEqual(read_response(f).status, 200)
        self.assertEqual(read_response(f).status, 400)
        self.assertIsNone(read_response(f))
        self.assertServerAlive()

    def test_head_response_has_no_body_so_the_connection_stays_in_sync(self):
        # Regression test (this once failed): a HEAD response carries no body (RFC 9110 9.3.2), so
        # keep-alive stays in sync.
        for path in (b"/_sagetrail/health", b"/"):
            with self.server.connect() as s:
                f = s.makefile("rb")
                s.sendall(b"HEAD " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                r1 = read_response(f, head=True)
                self.assertIn(r1.status, (200, 403), r1)
                s.sendall(b"GET /_sagetrail/health HTTP/1.1\r\nHost: x\r\n"
                          b"Connection: close\r\n\r\n")
                rest = f.read()
                self.assertTrue(rest.startswith(b"HTTP/1.1 200 "),
                                "HEAD %s: response carried a body; the next response on the "
                                "connection begins with %r" % (path.decode(), rest[:80]))

    def test_concurrent_clients_are_all_served(self):
        sm = self.server.client("sagemaker", max_pool_connections=8)
        errors = []

        def worker():
            try:
                for _ in range(15):
                    self.assertEqual(sm.list_models()["Models"], [])
            except Exception as e:  # collected: assertions in threads do not fail the test
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), "requests hung")
        self.assertEqual(errors, [])
        self.assertServerAlive()

    def test_expect_100_continue_gets_interim_response_then_final(self):
        req = self.server.signed_bytes("SageMaker.ListModels", body=b'{"MaxResults": 7}',
                                       headers={"Expect": "100-continue"})
        head, body = req.split(b"\r\n\r\n", 1)
        with self.server.connect() as s:
            f = s.makefile("rb")
            s.sendall(head + b"\r\n\r\n")
            interim = read_response(f)
            self.assertEqual(interim.status, 100, interim)
            s.sendall(body)
            final = read_response(f)
            self.assertEqual(final.status, 200, final)
            self.assertEqual(final.json(), {"Models": []})


if __name__ == "__main__":
    unittest.main()
