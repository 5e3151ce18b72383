"""End-to-end tests of caller identities in CloudTrail records: the root user, an IAM user, an
assumed role, a federated user and an IAM user's GetSessionToken session each make SageMaker
calls (aws CLI and boto3), and Event history returns records whose userIdentity matches the
CloudTrail user guide field by field; GetCallerIdentity answers as AWS does for each; the
AssumeRole call's own record; IAM calls recorded in us-east-1.

Denials and policy evaluation: test_identities_policies.py. Refused credentials and STS/IAM
errors: test_identities_refusals.py. Several accounts and cross-account roles:
test_identities_accounts.py.
"""

import json
import time
import unittest

from audit_common import aws_with_request_id, request_id_of
from identity_common import (IMAGE, ISO_SECONDS_RE, LONG_TERM_KEY_RE, ROLE_ID_RE,
                             TEMPORARY_KEY_RE, USER_ID_RE, Creds, IdentityTestCase, allow,
                             policy, record_param_time, trust)


class IdentityRecordsTest(IdentityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        tag = cls.tag
        acct = cls.account
        cls.admin = cls.iam().get_user()["User"]
        cls.role_name = "IdRole-" + tag
        cls.role = cls.make_role(cls.role_name,
                                 trust(cls.admin["Arn"], services=["sagemaker.amazonaws.com"]),
                                 policy(allow("sagemaker:*"), allow("iam:PassRole")))
        exec_role = "arn:aws:iam::%s:role/%s" % (acct, cls.role_name)

        def create_model(client, name):
            return client.create_model(ModelName=name, PrimaryContainer={"Image": IMAGE},
                                       ExecutionRoleArn=exec_role)

        # Root: boto3 CreateModel.
        cls.root_model = "root-" + tag
        cls.root_rid = request_id_of(create_model(cls.sm(profile="root"), cls.root_model))

        # IAM user (admin): aws CLI create-model.
        cls.admin_model = "adm-" + tag
        code, out, err, cls.admin_rid = aws_with_request_id(
            s, "sagemaker", "create-model", "--model-name", cls.admin_model,
            "--primary-container", "Image=" + IMAGE, "--execution-role-arn", exec_role)
        assert code == 0, err

        # Assumed role: aws CLI assume-role (900 s), then CLI list-models and boto3
        # create-model with the session's credentials.
        cls.session_name = "cli-" + tag
        cls.assume_t0 = time.time()
        code, cls.assume_out, err, cls.assume_rid = aws_with_request_id(
            s, "sts", "assume-role", "--role-arn", cls.role["Arn"], "--role-session-name",
            cls.session_name, "--duration-seconds", "900")
        cls.assume_t1 = time.time()
        assert code == 0, err
        cls.ar = Creds.of(cls.assume_out["Credentials"])
        code, out, err, cls.ar_list_rid = aws_with_request_id(
            s, "sagemaker", "list-models", env=cls.ar.env())
        assert code == 0, err
        cls.ar_model = "ar-" + tag
        cls.ar_create = create_model(cls.sm(cls.ar), cls.ar_model)

        # Federated user: boto3 GetFederationToken with a session policy allowing sagemaker:*.
        cls.fed_name = "fed-" + tag
        r = cls.sts().get_federation_token(Name=cls.fed_name, DurationSeconds=900,
                                           Policy=policy(allow("sagemaker:*")))
        cls.fed_response = r
        cls.fed = Creds.of(r["Credentials"])
        cls.fed_rid = request_id_of(cls.sm(cls.fed).list_models())

        # The admin's own session: GetSessionToken, then boto3 CreateModel.
        r = cls.sts().get_session_token(DurationSeconds=900)
        cls.st = Creds.of(r["Credentials"])
        cls.st_model = "st-" + tag
        cls.st_rid = request_id_of(create_model(cls.sm(cls.st), cls.st_model))

    def session_epoch(self, creds, duration=900):
        """A session's creation time: its expiration minus its duration."""
        return creds.expiration.timestamp() - duration

    # -- userIdentity by kind ------------------------------------------------------------------
    def test_root_identity(self):
        key = self.creds("root").key
        ev, rec = self.record(self.root_rid, "AccessKeyId", key)
        self.assertRegex(key, LONG_TERM_KEY_RE)
        self.assertEqual(rec["userIdentity"], {
            "type": "Root",
            "principalId": self.account,
            "arn": "arn:aws:iam::%s:root" % self.account,
            "accountId": self.account,
            "accessKeyId": key,
        })  # no userName: the account has no alias
        self.assertEqual(ev["Username"], "root")
        self.assertEqual(ev["AccessKeyId"], key)
        self.assertEqual(rec["eventName"], "CreateModel")
        # Found by its user name too.
        self.record(self.root_rid, "Username", "root")

    def test_iam_user_identity(self):
        key = self.creds("admin").key
        ev, rec = self.record(self.admin_rid, "Username", "admin")
        self.assertRegex(self.admin["UserId"], USER_ID_RE)
        self.assertEqual(rec["userIdentity"], {
            "type": "IAMUser",
            "principalId": self.admin["UserId"],
            "arn": "arn:aws:iam::%s:user/admin" % self.account,
            "accountId": self.account,
            "accessKeyId": key,
            "userName": "admin",
        })  # long-term key: no sessionContext
        self.assertEqual(ev["Username"], "admin")
        self.assertEqual(ev["AccessKeyId"], key)
        self.assertTrue(rec["userAgent"].startswith("aws-cli/"), rec["userAgent"])
        self.record(self.admin_rid, "AccessKeyId", key)

    def test_assumed_role_identity(self):
        role = self.role
        self.assertRegex(role["RoleId"], ROLE_ID_RE)
        self.assertRegex(self.ar.key, TEMPORARY_KEY_RE)
        expected = {
            "type": "AssumedRole",
            "principalId": "%s:%s" % (role["RoleId"], self.session_name),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, self.role_name,
                                                          self.session_name),
            "accountId": self.account,
            "accessKeyId": self.ar.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role["RoleId"],
                    "arn": "arn:aws:iam::%s:role/%s" % (self.account, self.role_name),
                    "accountId": self.account,
                    "userName": self.role_name,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "?", "mfaAuthenticated": "false"},
            },
        }
        for rid, via, ua in ((self.ar_list_rid, "Username", "aws-cli/"),
                             (request_id_of(self.ar_create), "AccessKeyId", "Boto3/")):
            with self.subTest(request=rid):
                value = self.session_name if via == "Username" else self.ar.key
                ev, rec = self.record(rid, via, value)
                ui = rec["userIdentity"]
                self.assertCreationDate(ui["sessionContext"]["attributes"],
                                        self.session_epoch(self.ar))
                ui["sessionContext"]["attributes"]["creationDate"] = "?"
                self.assertEqual(ui, expected)  # no top-level userName
                self.assertEqual(ev["Username"], self.session_name)
                self.assertEqual(ev["AccessKeyId"], self.ar.key)
                self.assertTrue(rec["userAgent"].startswith(ua), rec["userAgent"])
        # The session began when AssumeRole was called.
        created = self.session_epoch(self.ar)
        self.assertTrue(int(self.assume_t0) <= created <= self.assume_t1 + 1,
                        (self.assume_t0, created, self.assume_t1))

    def test_federated_user_identity(self):
        ev, rec = self.record(self.fed_rid, "AccessKeyId", self.fed.key)
        self.assertRegex(self.fed.key, TEMPORARY_KEY_RE)
        ui = rec["userIdentity"]
        self.assertCreationDate(ui["sessionContext"]["attributes"], self.session_epoch(self.fed))
        ui["sessionContext"]["attributes"]["creationDate"] = "?"
        self.assertEqual(ui, {
            "type": "FederatedUser",
            "principalId": "%s:%s" % (self.account, self.fed_name),
            "arn": "arn:aws:sts::%s:federated-user/%s" % (self.account, self.fed_name),
            "accountId": self.account,
            "accessKeyId": self.fed.key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "principalId": self.admin["UserId"],
                    "arn": self.admin["Arn"],
                    "accountId": self.account,
                    "userName": "admin",
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "?", "mfaAuthenticated": "false"},
            },
        })
        self.assertEqual(ev["Username"], self.fed_name)
        self.record(self.fed_rid, "Username", self.fed_name)
        # GetFederationToken's answer names the same federated user.
        self.assertEqual(self.fed_response["FederatedUser"], {
            "FederatedUserId": "%s:%s" % (self.account, self.fed_name),
            "Arn": "arn:aws:sts::%s:federated-user/%s" % (self.account, self.fed_name)})
        self.assertIn("PackedPolicySize", self.fed_response)

    def test_federated_user_without_policy_can_do_nothing(self):
        name = "bare-" + self.tag
        r = self.sts().get_federation_token(Name=name)
        fed = Creds.of(r["Credentials"])
        arn = "arn:aws:sts::%s:federated-user/%s" % (self.account, name)
        e = self.assertClientError(
            lambda: self.sm(fed).list_models(), "AccessDeniedException", status=400,
            message="User: %s is not authorized to perform: sagemaker:ListModels because no "
                    "session policy allows the sagemaker:ListModels action" % arn)
        # The denial is in Event history under the federated user's name.
        ev, rec = self.record(request_id_of(e), "Username", name)
        self.assertEqual(rec["errorCode"], "AccessDeniedException")
        self.assertEqual(rec["errorMessage"], e.response["Error"]["Message"])
        self.assertEqual(rec["userIdentity"]["type"], "FederatedUser")
        # Asking who it is needs no permission.
        self.assertEqual(self.sts(fed).get_caller_identity()["Arn"], arn)

    def test_session_token_identity(self):
        ev, rec = self.record(self.st_rid, "AccessKeyId", self.st.key)
        self.assertRegex(self.st.key, TEMPORARY_KEY_RE)
        ui = rec["userIdentity"]
        ctx = ui.get("sessionContext", {})
        self.assertEqual(ctx.get("sessionIssuer"), {})  # a session with no issuer
        self.assertEqual(ctx.get("webIdFederationData"), {})
        self.assertCreationDate(ctx.get("attributes", {}), self.session_epoch(self.st))
        del ui["sessionContext"]
        self.assertEqual(ui, {
            "type": "IAMUser",
            "principalId": self.admin["UserId"],
            "arn": self.admin["Arn"],
            "accountId": self.account,
            "accessKeyId": self.st.key,
            "userName": "admin",
        })
        self.assertEqual(ev["Username"], "admin")

    # -- GetCallerIdentity -----------------------------------------------------------------------
    def test_get_caller_identity_of_each_kind(self):
        acct = self.account
        expected = {
            "root": (dict(profile="root"),
                     {"UserId": acct, "Account": acct, "Arn": "arn:aws:iam::%s:root" % acct}),
            "admin": (dict(profile="admin"),
                      {"UserId": self.admin["UserId"], "Account": acct,
                       "Arn": self.admin["Arn"]}),
            "assumed": (dict(creds=self.ar),
                        {"UserId": "%s:%s" % (self.role["RoleId"], self.session_name),
                         "Account": acct,
                         "Arn": "arn:aws:sts::%s:assumed-role/%s/%s"
                                % (acct, self.role_name, self.session_name)}),
            "federated": (dict(creds=self.fed),
                          {"UserId": "%s:%s" % (acct, self.fed_name), "Account": acct,
                           "Arn": "arn:aws:sts::%s:federated-user/%s" % (acct, self.fed_name)}),
            "session": (dict(creds=self.st),
                        {"UserId": self.admin["UserId"], "Account": acct,
                         "Arn": self.admin["Arn"]}),
        }
        for kind, (who, answer) in expected.items():
            with self.subTest(kind=kind, client="aws CLI"):
                out = self.assertCliOk(self.cli("sts", "get-caller-identity", **who))
                self.assertEqual(out, answer)
            with self.subTest(kind=kind, client="boto3"):
                r = self.sts(**who).get_caller_identity()
                r.pop("ResponseMetadata")
                self.assertEqual(r, answer)

    # -- the AssumeRole call's own record ------------------------------------------------------------
    def test_assume_role_answer(self):
        out = self.assume_out
        self.assertEqual(out["AssumedRoleUser"], {
            "AssumedRoleId": "%s:%s" % (self.role["RoleId"], self.session_name),
            "Arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, self.role_name,
                                                          self.session_name)})
        self.assertEqual(set(out["Credentials"]),
                         {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"})
        self.assertEqual(len(self.ar.secret), 40)

    def test_900_second_session_expires_15_minutes_later(self):
        ahead = self.ar.expiration.timestamp() - self.assume_t0
        self.assertTrue(899 <= ahead <= 900 + (self.assume_t1 - self.assume_t0) + 1, ahead)
        self.assertEqual(self.ar.expiration.timestamp() % 1, 0)  # whole seconds
        # ...and it is accepted now.
        self.assertEqual(self.sts(self.ar).get_caller_identity()["Account"], self.account)

    def test_assume_role_record(self):
        ev, rec = self.record(self.assume_rid, "EventName", "AssumeRole")
        acct, role_arn = self.account, self.role["Arn"]
        assumed_id = "%s:%s" % (self.role["RoleId"], self.session_name)
        assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, self.role_name,
                                                             self.session_name)
        self.assertEqual(rec["eventSource"], "sts.amazonaws.com")
        self.assertEqual(rec["eventName"], "AssumeRole")
        self.assertEqual(rec["awsRegion"], "us-east-1")
        self.assertEqual(rec["eventType"], "AwsApiCall")
        self.assertIs(rec["readOnly"], True)  # CloudTrail marks every STS call read-only
        self.assertEqual(rec["recipientAccountId"], acct)
        self.assertNotIn("sharedEventID", rec)  # caller and role in the same account
        self.assertEqual(rec["userIdentity"]["type"], "IAMUser")
        self.assertEqual(rec["userIdentity"]["arn"], self.admin["Arn"])
        self.assertEqual(rec["requestParameters"], {
            "roleArn": role_arn, "roleSessionName": self.session_name, "durationSeconds": 900})
        resp = rec["responseElements"]
        self.assertEqual(set(resp), {"credentials", "assumedRoleUser"})
        self.assertEqual(resp["credentials"], {
            "accessKeyId": self.ar.key,
            "sessionToken": self.ar.token,
            "expiration": record_param_time(self.ar.expiration.timestamp()),
        })  # no secretAccessKey
        self.assertNotIn(self.ar.secret, ev["CloudTrailEvent"])
        self.assertEqual(resp["assumedRoleUser"], {"assumedRoleId": assumed_id,
                                                   "arn": assumed_arn})
        self.assertEqual(rec["resources"], [
            {"accountId": acct, "type": "AWS::IAM::Role", "ARN": role_arn}])
        # Event history indexes the role, the new session (by name, id and ARN) and its key.
        resources = {(r["ResourceType"], r["ResourceName"]) for r in ev["Resources"]}
        for pair in [("AWS::IAM::Role", role_arn),
                     ("AWS::STS::AssumedRole", self.session_name),
                     ("AWS::STS::AssumedRole", assumed_id),
                     ("AWS::STS::AssumedRole", assumed_arn),
                     ("AWS::IAM::AccessKey", self.ar.key)]:
            self.assertIn(pair, resources)
        self.assertEqual(ev["Username"], "admin")
        self.assertEqual(ev["ReadOnly"], "true")
        # ...and finds the call by each of them.
        self.record(self.assume_rid, "ResourceName", assumed_id)
        self.record(self.assume_rid, "ResourceType", "AWS::STS::AssumedRole")
        self.record(self.assume_rid, "ResourceName", role_arn)

    def sts_record(self, event_name, temporary_key):
        """The record of the GetSessionToken / GetFederationToken call that issued the key
        (Event history indexes the issued key as an AWS::IAM::AccessKey resource)."""
        found = [(e, json.loads(e["CloudTrailEvent"]))
                 for e in self.lookup("ResourceName", temporary_key)
                 if e["EventName"] == event_name]
        self.assertEqual(len(found), 1, found)
        return found[0]

    def test_session_and_federation_token_records_hide_the_secret(self):
        for name, creds in (("GetSessionToken", self.st), ("GetFederationToken", self.fed)):
            with self.subTest(event=name):
                ev, rec = self.sts_record(name, creds.key)
                self.assertNotIn(creds.secret, ev["CloudTrailEvent"])
                self.assertEqual(rec["userIdentity"]["userName"], "admin")
                self.assertEqual(rec["eventSource"], "sts.amazonaws.com")
                self.assertIn(("AWS::IAM::AccessKey", creds.key),
                              {(r["ResourceType"], r["ResourceName"]) for r in ev["Resources"]})
        _, rec = self.sts_record("GetFederationToken", self.fed.key)
        self.assertEqual(rec["requestParameters"]["name"], self.fed_name)
        self.assertEqual(rec["requestParameters"]["durationSeconds"], 900)

    def test_session_and_federation_token_records_show_the_issued_credentials(self):
        """GetSessionToken and GetFederationToken are read-only, yet CloudTrail records the
        credentials they issue, less the secret, as it does for AssumeRole: responseElements
        {credentials {accessKeyId, sessionToken, expiration}} and, for GetFederationToken,
        federatedUser {federatedUserId, arn} and packedPolicySize; investigators tie a session
        key back to its issuing call this way."""
        for name, creds in (("GetSessionToken", self.st), ("GetFederationToken", self.fed)):
            with self.subTest(event=name):
                _, rec = self.sts_record(name, creds.key)
                resp = rec["responseElements"]
                self.assertIsInstance(resp, dict, "responseElements is %r" % (resp,))
                self.assertEqual(resp.get("credentials"), {
                    "accessKeyId": creds.key,
                    "sessionToken": creds.token,
                    "expiration": record_param_time(creds.expiration.timestamp()),
                })
                if name == "GetFederationToken":
                    self.assertEqual(resp.get("federatedUser"), {
                        "federatedUserId": "%s:%s" % (self.account, self.fed_name),
                        "arn": "arn:aws:sts::%s:federated-user/%s" % (self.account,
                                                                     self.fed_name)})
                    self.assertIn("packedPolicySize", resp)

    # -- IAM is a global service ------------------------------------------------------------------
    def test_iam_calls_are_recorded_in_us_east_1(self):
        name = "eu-user-" + self.tag
        code, out, err, rid = aws_with_request_id(self.server, "iam", "create-user",
                                                  "--user-name", name, region="eu-west-1")
        self.assertEqual(code, 0, err)
        self.assertEqual(out["User"]["UserName"], name)
        ev, rec = self.record(rid, "EventName", "CreateUser", region="us-east-1")
        self.assertEqual(rec["awsRegion"], "us-east-1")
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")
        self.assertEqual(rec["requestParameters"], {"userName": name})
        self.assertEqual(rec["responseElements"]["user"]["userName"], name)
        self.assertEqual(rec["responseElements"]["user"]["arn"], out["User"]["Arn"])
        self.assertIn(("AWS::IAM::User", name),
                      {(r["ResourceType"], r["ResourceName"]) for r in ev["Resources"]})
        # Not in eu-west-1's Event history.
        eu = [e for e in self.lookup("EventName", "CreateUser", region="eu-west-1")
              if json.loads(e["CloudTrailEvent"])["requestID"] == rid]
        self.assertEqual(eu, [])


if __name__ == "__main__":
    unittest.main()
