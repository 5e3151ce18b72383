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
