"""End-to-end tests of the process lifecycle: SIGTERM / SIGINT shut down cleanly (exit 0,
promptly, even with open connections), a restart on the same data directory keeps the account
and its credentials, and every server binds a free port."""

import os
import signal
import time
import unittest

from harness import BINARY, Server


@unittest.skipUnless(os.path.exists(BINARY), "no server binary at " + BINARY)
class LifecycleTest(unittest.TestCase):

    def _stop_with(self, sig):
        with Server() as s:
            self.assertTrue(s.healthy())
            # Open connections must not hold the shutdown up: one idle keep-alive connection
            # and one with a half-sent request.
            idle = s.connect()
            half = s.connect()
            half.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            try:
                t = time.time()
                code = s.stop(timeout=5, sig=sig)
                elapsed = time.time() - t
            finally:
                idle.close()
                half.close()
            self.assertEqual(code, 0, "exit code after %s\n%s" % (sig.name, s.read_stderr()))
            self.assertLess(elapsed, 5)
            self.assertNotIn("error", s.read_stderr().lower())

    def test_sigterm_exits_0_within_a_few_seconds(self):
        self._stop_with(signal.SIGTERM)

    def test_sigint_exits_0_within_a_few_seconds(self):
        self._stop_with(signal.SIGINT)

    def test_restart_on_same_data_dir_keeps_the_same_credentials(self):
        with Server() as s:
            path = s.credentials_file
            with open(path, "rb") as f:
                before = f.read()
            st_before = os.stat(path)
            creds = dict(s.credentials)
            self.assertEqual(s.client("sagemaker").list_models()["Models"], [])

            self.assertEqual(s.stop(), 0)
            s.start()  # same data dir, a new free port
            with open(path, "rb") as f:
                self.assertEqual(f.read(), before, "credentials file rewritten on restart")
            st_after = os.stat(path)
            self.assertEqual((st_after.st_ino, st_after.st_mtime_ns),
                             (st_before.st_ino, st_before.st_mtime_ns))
            self.assertEqual(s.credentials, creds)
            self.assertEqual(sorted(os.listdir(s.data_dir)).count("credentials"), 1)
            # The keys from the first run still authenticate, for both profiles.
            for profile in ("admin", "root"):
                code, out, err = s.aws("sagemaker", "list-models", profile=profile)
                self.assertEqual((code, out), (0, {"Models": []}), err)

    def test_restart_after_kill9_keeps_the_same_credentials(self):
        with Server() as s:
            with open(s.credentials_file, "rb") as f:
                before = f.read()
            s.kill9()
            s.start()
            with open(s.credentials_file, "rb") as f:
                self.assertEqual(f.read(), before)
            self.assertEqual(s.client("sagemaker", profile="root").list_models()["Models"], [])

    def test_concurrent_servers_each_bind_their_own_free_port(self):
        with Server() as a, Server() as b:
            self.assertNotEqual(a.port, b.port)
            self.assertTrue(a.healthy() and b.healthy())
            # Separate data dirs: separate accounts' keys.
            self.assertNotEqual(a.credentials["admin"], b.credentials["admin"])
            # Keys of one server are unknown to the other.
            key, secret = a.credentials["admin"]
            st, _, body = b.signed_request("SageMaker.ListModels", access_key=key, secret=secret)
            self.assertEqual(st, 400, body)
            self.assertIn(b"UnrecognizedClientException", body)

    def test_binds_loopback_only_by_default(self):
        with Server() as s:
            listening = set()
            for table in ("/proc/net/tcp", "/proc/net/tcp6"):
                try:
                    lines = open(table).read().splitlines()[1:]
                except FileNotFoundError:
                    continue
                for line in lines:
                    local, state = line.split()[1], line.split()[3]
                    addr, port = local.split(":")
                    if state == "0A" and int(port, 16) == s.port:  # LISTEN
                        listening.add(addr)
            # 127.0.0.1 in /proc's byte order; never 0.0.0.0 or an IPv6 wildcard.
            self.assertEqual(listening, {"0100007F"})

    def test_config_file_sets_options_the_command_line_does_not(self):
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, "sagetrail.ini")
            with open(cfg, "w") as f:
                # The harness gives --port and --data-dir: those win over the file's.
                f.write("# serve options\n[serve]\nport = 1\naccount-id = 210987654321\n"
                        "log-level = \"warn\"\n")
            with Server(extra_args=["--config", cfg]) as s:
                who = s.client("sts", profile="root").get_caller_identity()
                self.assertEqual(who["Account"], "210987654321")
            # A file that is missing, or names an option serve does not have, is refused.
            with open(cfg, "w") as f:
                f.write("prot = 4566\n")
            for path, message in ((cfg, cfg + ": unknown option `prot`"),
                                  (cfg + ".missing",
                                   "cannot read the config file " + cfg + ".missing")):
                p = subprocess.run([BINARY, "serve", "--config", path, "--data-dir",
                                    os.path.join(tmp, "data"), "--port", "0"],
                                   capture_output=True, text=True, timeout=20)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(message, p.stderr)
                self.assertFalse(os.path.exists(os.path.join(tmp, "data")))


if __name__ == "__main__":
    unittest.main()
