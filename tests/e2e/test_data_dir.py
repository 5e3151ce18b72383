"""End-to-end tests of the data directory and the commands that write it: every file the server
and `accounts add` create is 0600 in 0700 folders whatever the umask, an existing directory with
looser modes is tightened at start; `serve` on a busy port creates nothing and says why;
`accounts add` says what is wrong; the root user's CreateDate is the account's creation time
(and, for a data directory saved before that was kept, the time of its earliest entity).
"""

import datetime
import os
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, Server

ACCOUNT = "123456789012"  # the first account of a data directory


def modes_under(root):
    """{relative path: (is_dir, permission bits)} of everything under `root`, root included."""
    out = {".": (True, stat.S_IMODE(os.lstat(root).st_mode))}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (stat.S_ISDIR(st.st_mode), stat.S_IMODE(st.st_mode))
    return out


def run(args, umask=None, timeout=60):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class DataDirModesTest(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(BINARY):
            raise unittest.SkipTest("no server binary at " + BINARY)

    def assertPrivate(self, root):
        modes = modes_under(root)
        loose = {p: oct(m) for p, (d, m) in modes.items() if m != (0o700 if d else 0o600)}
        self.assertEqual(loose, {}, "not 0700 folders / 0600 files under " + root)
        return modes

    def test_everything_written_under_umask_022_is_private(self):
        # The server inherits the umask of whoever starts it; 022 is the usual one.
        server = Server()
        self.addCleanup(server.cleanup)
        old = os.umask(0o022)
        try:
            server.start()
        finally:
            os.umask(old)
        code, out, err = server.aws("iam", "create-user", "--user-name", "modes-user")
        self.assertEqual(code, 0, err)
        code, out, err = server.aws("iam", "create-access-key", "--user-name", "modes-user")
        self.assertEqual(code, 0, err)
        code, out, err = server.aws("sagemaker", "list-models")
        self.assertEqual(code, 0, err)
        modes = self.assertPrivate(server.data_dir)
        # The files that hold secrets are among them.
        for name in ("credentials", "control.sock", os.path.join("db", "CURRENT"),
                     os.path.join("db", "LOCK")):
            self.assertIn(name, modes)
        self.assertTrue([p for p in modes if p.startswith("db" + os.sep)
                         and p.endswith(".log")], sorted(modes))
        p = run([BINARY, "accounts", "add", "--data-dir", server.data_dir], umask=0o022)
        self.assertEqual(p.returncode, 0, p.stderr)
        code, out, err = server.aws("sts", "get-caller-identity",
                                    profile="admin-" + p.stdout.strip())
        self.assertEqual(code, 0, err)
        self.assertPrivate(server.data_dir)
        self.assertEqual(server.stop(), 0, server.read_stderr())

    def test_an_existing_directory_with_looser_modes_is_tightened_at_start(self):
        with Server() as server:
            code, out, err = server.aws("sagemaker", "list-models")
            self.assertEqual(code, 0, err)
            self.assertEqual(server.stop(), 0, server.read_stderr())
            # As an older sagetrail (or a careless copy) would have left it.
            for path, (is_dir, _) in modes_under(server.data_dir).items():
                os.chmod(os.path.join(server.data_dir, path), 0o755 if is_dir else 0o644)
            server.start()
            self.assertPrivate(server.data_dir)
            self.assertIn("made", server.read_stderr())
            self.assertIn("private", server.read_stderr())
            code, out, err = server.aws("sagemaker", "list-models")  # and it still works
            self.assertEqual(code, 0, err)

    def test_accounts_add_tightens_the_directory_too(self):
        with Server() as server:
            self.assertEqual(server.stop(), 0, server.read_stderr())
            for path, (is_dir, _) in modes_under(server.data_dir).items():
                os.chmod(os.path.join(server.data_dir, path), 0o755 if is_dir else 0o644)
            p = run([BINARY, "accounts", "add", "--data-dir", server.data_dir], umask=0o022)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertPrivate(server.data_dir)


class ServeErrorsTest(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(BINARY):
            raise unittest.SkipTest("no server binary at " + BINARY)
        self.tmp = tempfile.mkdtemp(prefix="sagetrail-e2e-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.tmp]))

    def test_a_busy_port_creates_nothing_and_says_so(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            data_dir = os.path.join(self.tmp, "data")
            p = run([BINARY, "serve", "--port", str(port), "--data-dir", data_dir], timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("127.0.0.1:%d" % port, p.stderr)
        self.assertIn("Address already in use", p.stderr)
        self.assertIn("--port", p.stderr)
        self.assertFalse(os.path.exists(data_dir), os.listdir(self.tmp))

    def test_an_older_layout_is_refused_before_anything_is_touched(self):
        for present, label in ((("state.db", "events"), "state.db, events/"),
                               (("events",), "events/")):
            data_dir = os.path.join(self.tmp, "old-" + str(len(present)))
            os.makedirs(data_dir)
            os.chmod(data_dir, 0o755)
            for name in present:
                path = os.path.join(data_dir, name)
                if name == "events":
                    os.makedirs(path)
                    os.chmod(path, 0o755)
                else:
                    with open(path, "w") as f:
                        f.write("old")
                    os.chmod(path, 0o644)
            modes = {n: os.stat(os.path.join(data_dir, n)).st_mode for n in present}
            message = ("%s holds data of an older sagetrail (%s), which this version "
                       "does not read: it keeps everything in db/. Start with a new --data-dir."
                       % (data_dir, label))
            for args in (["serve", "--port", "0"], ["accounts", "add"]):
                with self.subTest(present=present, command=args[0]):
                    p = run([BINARY] + args + ["--data-dir", data_dir], timeout=30)
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertIn(message, p.stderr)
                    self.assertEqual(sorted(os.listdir(data_dir)), sorted(present))
                    self.assertEqual(os.stat(data_dir).st_mode & 0o777, 0o755)
                    for n in present:
                        self.assertEqual(os.stat(os.path.join(data_dir, n)).st_mode, modes[n])

    def test_accounts_add_without_a_data_dir_says_to_start_the_server_first(self):
        missing = os.path.join(self.tmp, "nothing-here")
        p = run([BINARY, "accounts", "add", "--data-dir", missing])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "sagetrail: no sagetrail data in %s (start the server once "
                                   "with --data-dir %s first)\n" % (missing, missing))
        self.assertFalse(os.path.exists(missing))


class AccountsAddTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(BINARY):
            raise unittest.SkipTest("no server binary at " + BINARY)
        cls.started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        cls.server = Server()
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_an_existing_account_id_says_it_exists_and_where(self):
        d = self.server.data_dir
        with open(self.server.credentials_file) as f:
            before = f.read()
        p = run([BINARY, "accounts", "add", "--data-dir", d, "--account-id", ACCOUNT])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, "sagetrail: account %s already exists in %s (omit "
                                   "--account-id to get a new one)\n" % (ACCOUNT, d))
        with open(self.server.credentials_file) as f:
            self.assertEqual(f.read(), before)

    def test_an_account_id_that_is_not_12_digits_is_a_usage_error(self):
        p = run([BINARY, "accounts", "add", "--data-dir", self.server.data_dir,
                 "--account-id", "12345"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("12 digits", p.stderr)

    def test_root_get_user_create_date_is_the_accounts_creation(self):
        code, out, err = self.server.aws("iam", "get-user", profile="root")
        self.assertEqual(code, 0, err)
        created = utc(out["User"]["CreateDate"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreaterEqual(created, self.started - datetime.timedelta(seconds=1))
        self.assertLessEqual(created, now)
        # An account added later dates from its own creation.
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        p = run([BINARY, "accounts", "add", "--data-dir", self.server.data_dir])
        self.assertEqual(p.returncode, 0, p.stderr)
        other = p.stdout.strip()
        self.server.credentials = self.server.read_credentials()
        code, out, err = self.server.aws("iam", "get-user", profile="root-" + other)
        self.assertEqual(code, 0, err)
        self.assertGreaterEqual(utc(out["User"]["CreateDate"]), before)
        self.assertEqual(out["User"]["Arn"], "arn:aws:iam::%s:root" % other)


if __name__ == "__main__":
    unittest.main()
