"""End-to-end tests of several accounts: `sagetrail accounts add` while the server runs (profiles
appended to the credentials file), state and Event history kept per account, the root user of an
account with an alias, and cross-account AssumeRole: allowed by the role's trust policy and the
caller's own policy, recorded in both accounts (one sharedEventID, a recipientAccountId each),
with the session's calls recorded in the role's account only.
"""

import configparser
import json
import os
import stat
import subprocess
import unittest

from audit_common import aws_with_request_id, request_id_of
from harness import BINARY
from identity_common import (ADMIN_POLICY_ARN, IMAGE, UUID_RE, Creds, IdentityTestCase,
                             accounts_add, allow, policy, statement, trust)

FIXED_ID = "333344445555"


class AccountsTest(IdentityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = accounts_add(cls.server.data_dir, alias="team-b-" + cls.tag)
        cls.c = accounts_add(cls.server.data_dir, account_id=FIXED_ID)
        cls.server.credentials = cls.server.read_credentials()

    def admin_of(self, account):
        return "admin-" + account

    # -- accounts add ------------------------------------------------------------------------
    def test_profiles_are_appended_to_the_credentials_file(self):
        cp = configparser.ConfigParser()
        cp.read(self.server.credentials_file)
        for acct in (self.b, self.c):
            for profile in ("root-" + acct, "admin-" + acct):
                self.assertIn(profile, cp.sections())
                self.assertRegex(cp[profile]["aws_access_key_id"], r"^AKIA[A-Z0-9]{16}$")
                self.assertEqual(len(cp[profile]["aws_secret_access_key"]), 40)
        self.assertIn("root", cp.sections())  # the first account's profiles are kept
        self.assertIn("admin", cp.sections())
        mode = stat.S_IMODE(os.stat(self.server.credentials_file).st_mode)
        self.assertEqual(mode, 0o600)
        self.assertNotEqual(self.b, self.account)
        self.assertEqual(self.c, FIXED_ID)

    def test_an_existing_account_id_is_refused(self):
        p = subprocess.run([BINARY, "accounts", "add", "--data-dir", self.server.data_dir,
                            "--account-id", FIXED_ID], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("account %s already exists in %s" % (FIXED_ID, self.server.data_dir),
                      p.stderr)

    def test_new_accounts_answer_who_they_are(self):
        for acct in (self.b, self.c):
            out = self.assertCliOk(self.cli("sts", "get-caller-identity",
                                            profile=self.admin_of(acct)))
            self.assertEqual(out["Account"], acct)
            self.assertEqual(out["Arn"], "arn:aws:iam::%s:user/admin-%s" % (acct, acct))
            root = self.sts(profile="root-" + acct).get_caller_identity()
            self.assertEqual(root["Arn"], "arn:aws:iam::%s:root" % acct)
            self.assertEqual(root["UserId"], acct)
        # The new admin holds AdministratorAccess.
        attached = self.iam(profile=self.admin_of(self.b)).list_attached_user_policies(
            UserName=self.admin_of(self.b))["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in attached], [ADMIN_POLICY_ARN])

    # -- per-account state and events --------------------------------------------------------
    def test_resources_and_events_stay_in_their_account(self):
        name = "shared-name-" + self.tag
        created = {}
        for acct, profile in ((self.account, "admin"), (self.b, self.admin_of(self.b))):
            # Each account hands SageMaker a role of its own.
            role = self.server.sagemaker_role("Exec-" + self.tag, profile=profile)
            r = self.sm(profile=profile).create_model(
                ModelName=name, PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=role)
            self.assertEqual(r["ModelArn"],
                             "arn:aws:sagemaker:us-east-1:%s:model/%s" % (acct, name))
            created[acct] = request_id_of(r)
        # Account C has neither.
        names = [m["ModelName"] for m in
                 self.sm(profile=self.admin_of(self.c)).list_models()["Models"]]
        self.assertNotIn(name, names)
        # Each account's Event history has its own call and not the other's.
        for acct, profile in ((self.account, "admin"), (self.b, self.admin_of(self.b))):
            ids = {json.loads(e["CloudTrailEvent"])["requestID"]
                   for e in self.lookup("ResourceName", name, profile=profile)}
            other = [a for a in created if a != acct][0]
            self.assertIn(created[acct], ids)
            self.assertNotIn(created[other], ids)
            _, rec = self.record(created[acct], "ResourceName", name, profile=profile)
            self.assertEqual(rec["recipientAccountId"], acct)
            self.assertEqual(rec["userIdentity"]["accountId"], acct)
        ids_c = {json.loads(e["CloudTrailEvent"])["requestID"]
                 for e in self.lookup("ResourceName", name, profile=self.admin_of(self.c))}
        self.assertEqual(ids_c, set())

    def test_root_of_an_aliased_account(self):
        key = self.creds("root-" + self.b).key
        r = self.sm(profile="root-" + self.b).list_models()
        ev, rec = self.record(request_id_of(r), "AccessKeyId", key,
                              profile=self.admin_of(self.b))
        self.assertEqual(rec["userIdentity"], {
            "type": "Root",
            "principalId": self.b,
            "arn": "arn:aws:iam::%s:root" % self.b,
            "accountId": self.b,
            "accessKeyId": key,
            "userName": "team-b-" + self.tag,  # the account alias
        })
        self.assertEqual(ev["Username"], "root")

    # -- cross-account roles -----------------------------------------------------------------
    def test_cross_account_assume_role(self):
        """A role in account B trusts account A; A's admin assumes it with the aws CLI and
        creates a model in B."""
        a, b = self.account, self.b
        role = self.make_role("FromA-" + self.tag,
                              trust("arn:aws:iam::%s:root" % a,
                                    services=["sagemaker.amazonaws.com"]),
                              policy(allow("sagemaker:*"), allow("iam:PassRole")),
                              profile=self.admin_of(b))
        self.assertTrue(role["Arn"].startswith("arn:aws:iam::%s:role/" % b))
        session = "x-" + self.tag
        code, out, err, rid = aws_with_request_id(
            self.server, "sts", "assume-role", "--role-arn", role["Arn"],
            "--role-session-name", session)
        self.assertEqual(code, 0, err)
        creds = Creds.of(out["Credentials"])
        assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (b, role["RoleName"], session)
        self.assertEqual(out["AssumedRoleUser"]["Arn"], assumed_arn)
        self.assertEqual(self.sts(creds).get_caller_identity()["Account"], b)

        # The AssumeRole call: one record in each account, linked by sharedEventID.
        admin_arn = "arn:aws:iam::%s:user/admin" % a
        ev_a, rec_a = self.record(rid, "EventName", "AssumeRole")
        ev_b, rec_b = self.record(rid, "EventName", "AssumeRole", profile=self.admin_of(b))
        self.assertEqual(rec_a["recipientAccountId"], a)
        self.assertEqual(rec_b["recipientAccountId"], b)
        self.assertRegex(rec_a["sharedEventID"], UUID_RE)
        self.assertEqual(rec_a["sharedEventID"], rec_b["sharedEventID"])
        self.assertNotEqual(rec_a["eventID"], rec_b["eventID"])
        self.assertEqual(rec_a["userIdentity"]["type"], "IAMUser")
        self.assertEqual(rec_a["userIdentity"]["arn"], admin_arn)
        # The role's account sees the caller as another AWS account.
        self.assertEqual(rec_b["userIdentity"], {
            "type": "AWSAccount", "principalId": rec_a["userIdentity"]["principalId"],
            "accountId": a})
        for rec in (rec_a, rec_b):
            self.assertEqual(rec["resources"], [
                {"accountId": b, "type": "AWS::IAM::Role", "ARN": role["Arn"]}])
            self.assertEqual(rec["requestParameters"]["roleArn"], role["Arn"])
            self.assertEqual(rec["responseElements"]["assumedRoleUser"]["arn"], assumed_arn)
        self.assertEqual(ev_a["Username"], "admin")
        self.assertNotIn("Username", ev_b)

        # Calls made with the session land in B only.
        model = "cross-" + self.tag
        r = self.sm(creds).create_model(ModelName=model, PrimaryContainer={"Image": IMAGE},
                                        ExecutionRoleArn=role["Arn"])
        self.assertEqual(r["ModelArn"], "arn:aws:sagemaker:us-east-1:%s:model/%s" % (b, model))
        ev, rec = self.record(request_id_of(r), "Username", session, profile=self.admin_of(b))
        self.assertEqual(rec["recipientAccountId"], b)
        self.assertNotIn("sharedEventID", rec)
        identity = rec["userIdentity"]
        self.assertEqual(identity["type"], "AssumedRole")
        self.assertEqual(identity["arn"], assumed_arn)
        self.assertEqual(identity["accountId"], b)
        self.assertEqual(identity["principalId"], "%s:%s" % (role["RoleId"], session))
        self.assertEqual(identity["sessionContext"]["sessionIssuer"], {
            "type": "Role", "principalId": role["RoleId"], "arn": role["Arn"],
            "accountId": b, "userName": role["RoleName"]})
        in_a = [e for e in self.lookup("ResourceName", model)
                if json.loads(e["CloudTrailEvent"])["requestID"] == request_id_of(r)]
        self.assertEqual(in_a, [])
        self.sm(profile=self.admin_of(b)).describe_model(ModelName=model)
        self.assertClientError(lambda: self.sm().describe_model(ModelName=model),
                               "ValidationException")

    def test_cross_account_needs_the_callers_own_permission(self):
        """B's trust policy names account A, but an A user whose policies do not allow
        sts:AssumeRole is refused; one whose policies do is let in."""
        a, b = self.account, self.b
        role = self.make_role("AnyoneInA-" + self.tag, trust(a), policy(allow("sagemaker:*")),
                              profile=self.admin_of(b))
        _, weak = self.make_user("weak-" + self.tag, policy(allow("sagemaker:List*")))
        _, strong = self.make_user("strong-" + self.tag, policy(statement(
            "Allow", "sts:AssumeRole", "arn:aws:iam::%s:role/*" % b)))
        e = self.assertClientError(
            lambda: self.assume(role["Arn"], "weak", creds=weak), "AccessDenied",
            prefix="User: arn:aws:iam::%s:user/weak-%s is not authorized to perform: "
                   "sts:AssumeRole on resource: %s" % (a, self.tag, role["Arn"]), status=403)
        # Recorded in the caller's account as a denial.
        _, rec = self.record(request_id_of(e), "EventName", "AssumeRole")
        self.assertEqual(rec["errorCode"], "AccessDenied")
        session, _ = self.assume(role["Arn"], "strong", creds=strong)
        self.assertEqual(self.sts(session).get_caller_identity()["Arn"],
                         "arn:aws:sts::%s:assumed-role/%s/strong" % (b, role["RoleName"]))

    def test_trust_naming_another_user_refuses_the_caller(self):
        a, b = self.account, self.b
        self.make_user("bob-" + self.tag, key=False)
        role = self.make_role("OnlyBob-" + self.tag,
                              trust("arn:aws:iam::%s:user/bob-%s" % (a, self.tag)),
                              policy(allow("sagemaker:*")), profile=self.admin_of(b))
        self.assertClientError(
            lambda: self.assume(role["Arn"], "nope"), "AccessDenied",
            message="User: arn:aws:iam::%s:user/admin is not authorized to perform: "
                    "sts:AssumeRole on resource: %s" % (a, role["Arn"]))


if __name__ == "__main__":
    unittest.main()
