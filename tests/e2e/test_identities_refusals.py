"""End-to-end tests of refused credentials and of the STS and IAM errors around identities, with
AWS's codes and texts: an inactive access key (then reactivated), a tampered session token, a
session token signed with another secret, trust policies that do not allow the caller, root
assuming a role, session durations beyond a role's limit or the role-chaining hour, STS token
calls with session credentials, IAM quotas and conflicts, malformed policy documents; ListUsers
and ListRoles paging through the aws CLI's paginator.

An expired session is seen by restarting the server with its clock moved ahead
(`serve --clock-offset`), within SigV4's 15-minute skew but past the session's Expiration.
"""

import json
import time
import unittest

from audit_common import request_id_of
from identity_common import (ADMIN_POLICY_ARN, INVALID_TOKEN, SIGNATURE_MISMATCH, Creds,
                             IdentityTestCase, allow, policy, tamper, trust)


class RefusedCredentialsTest(IdentityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_arn = "arn:aws:iam::%s:user/admin" % cls.account
        cls.role_name = "RefRole-" + cls.tag
        cls.role = cls.make_role(cls.role_name, trust(cls.admin_arn),
                                 policy(allow(["sagemaker:*", "sts:*"])))
        cls.session, _ = cls.assume(cls.role["Arn"], "ref-" + cls.tag)
        cls.make_user("someone-else", key=False)  # trusted by roles that do not trust admin

    def refused_everywhere(self, creds, sm_code, sts_code, prefix):
        """SageMaker (JSON), STS and IAM (query) all refuse `creds`; returns the request ids."""
        ids = []
        for fn, code, status in (
                (lambda: self.sm(creds).list_models(), sm_code, 400),
                (lambda: self.sts(creds).get_caller_identity(), sts_code, 403),
                (lambda: self.iam(creds).list_users(), sts_code, 403)):
            e = self.assertClientError(fn, code, prefix=prefix, status=status)
            ids.append(request_id_of(e))
        return ids

    # -- access key status -----------------------------------------------------------------------
    def test_inactive_key_is_refused_until_reactivated(self):
        user, creds = self.make_user("keys-" + self.tag, policy(allow("sagemaker:ListModels")))
        name = user["UserName"]
        self.assertIn("Models", self.sm(creds).list_models())
        self.assertCliOk(self.cli("iam", "update-access-key", "--user-name", name,
                                  "--access-key-id", creds.key, "--status", "Inactive"))
        keys = self.assertCliOk(self.cli("iam", "list-access-keys", "--user-name", name))
        self.assertEqual([(k["AccessKeyId"], k["Status"]) for k in keys["AccessKeyMetadata"]],
                         [(creds.key, "Inactive")])
        message = "The security token included in the request is invalid."
        self.assertCliError(self.cli("sagemaker", "list-models", creds=creds),
                            "UnrecognizedClientException", "ListModels", message=message)
        self.assertCliError(self.cli("sts", "get-caller-identity", creds=creds),
                            "InvalidClientTokenId", "GetCallerIdentity", message=message)
        refused = self.refused_everywhere(creds, "UnrecognizedClientException",
                                          "InvalidClientTokenId", message)
        # Calls that were never authenticated are not in Event history.
        recorded = {json.loads(e["CloudTrailEvent"])["requestID"]
                    for e in self.lookup("AccessKeyId", creds.key)}
        self.assertEqual(len(recorded), 1)  # the first ListModels
        self.assertFalse(set(refused) & recorded)
        # Active again: accepted at once.
        self.assertCliOk(self.cli("iam", "update-access-key", "--user-name", name,
                                  "--access-key-id", creds.key, "--status", "Active"))
        self.assertIn("Models", self.assertCliOk(self.cli("sagemaker", "list-models",
                                                          creds=creds)))
        self.assertEqual(self.sts(creds).get_caller_identity()["Arn"], user["Arn"])

    def test_deleted_key_is_refused(self):
        user, creds = self.make_user("gone-" + self.tag)
        self.sts(creds).get_caller_identity()
        self.iam().delete_access_key(UserName=user["UserName"], AccessKeyId=creds.key)
        self.refused_everywhere(creds, "UnrecognizedClientException", "InvalidClientTokenId",
                                INVALID_TOKEN)

    # -- session tokens ----------------------------------------------------------------------------
    def test_tampered_session_token_is_refused(self):
        bad = self.session.replace(token=tamper(self.session.token))
        self.assertNotEqual(bad.token, self.session.token)
        self.refused_everywhere(bad, "UnrecognizedClientException", "InvalidClientTokenId",
                                INVALID_TOKEN)
        self.assertCliError(self.cli("sagemaker", "list-models", creds=bad),
                            "UnrecognizedClientException", "ListModels", prefix=INVALID_TOKEN)
        self.assertCliError(self.cli("sts", "get-caller-identity", creds=bad),
                            "InvalidClientTokenId", "GetCallerIdentity", prefix=INVALID_TOKEN)
        # The genuine token still works.
        self.assertIn("Models", self.sm(self.session).list_models())

    def test_session_token_with_another_secret_fails_the_signature(self):
        other = self.session.replace(secret="x" * 40)
        self.assertClientError(lambda: self.sm(other).list_models(), "InvalidSignatureException",
                               prefix=SIGNATURE_MISMATCH, status=400)
        self.assertClientError(lambda: self.sts(other).get_caller_identity(),
                               "SignatureDoesNotMatch", prefix=SIGNATURE_MISMATCH, status=403)
        self.assertCliError(self.cli("sagemaker", "list-models", creds=other),
                            "InvalidSignatureException", "ListModels", prefix=SIGNATURE_MISMATCH)

    def test_session_token_of_another_session_is_refused(self):
        second, _ = self.assume(self.role["Arn"], "other-" + self.tag)
        mixed = self.session.replace(token=second.token)
        self.refused_everywhere(mixed, "UnrecognizedClientException", "InvalidClientTokenId",
                                INVALID_TOKEN)

    def test_temporary_key_without_its_token_is_refused(self):
        bare = self.session.replace(token=None)
        self.refused_everywhere(bare, "UnrecognizedClientException", "InvalidClientTokenId",
                                INVALID_TOKEN)

    # -- AssumeRole refusals -----------------------------------------------------------------------
    def assume_denied_prefix(self, caller_arn, role_arn):
        return ("User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                % (caller_arn, role_arn))

    def test_trust_policy_that_does_not_name_the_caller(self):
        role = self.make_role("NotYou-" + self.tag,
                              trust("arn:aws:iam::%s:user/someone-else" % self.account),
                              policy(allow("sagemaker:*")))
        prefix = self.assume_denied_prefix(self.admin_arn, role["Arn"])
        e = self.assertClientError(lambda: self.assume(role["Arn"], "nope"), "AccessDenied",
                                   prefix=prefix, status=403)
        self.assertCliError(self.cli("sts", "assume-role", "--role-arn", role["Arn"],
                                     "--role-session-name", "nope"),
                            "AccessDenied", "AssumeRole", prefix=prefix)
        # The refusal is in the caller's Event history.
        _, rec = self.record(request_id_of(e), "EventName", "AssumeRole")
        self.assertEqual(rec["errorCode"], "AccessDenied")
        self.assertEqual(rec["errorMessage"], e.response["Error"]["Message"])
        self.assertIsNone(rec["responseElements"])
        # A role that does not exist is refused the same way.
        missing = "arn:aws:iam::%s:role/missing-%s" % (self.account, self.tag)
        self.assertClientError(lambda: self.assume(missing, "nope"), "AccessDenied",
                               prefix=self.assume_denied_prefix(self.admin_arn, missing))

    def test_root_sessions_last_at_most_an_hour(self):
        """The root user's GetSessionToken / GetFederationToken default to (and are capped at)
        one hour rather than failing."""
        sts = self.sts(profile="root")
        for call in (lambda: sts.get_session_token(),
                     lambda: sts.get_session_token(DurationSeconds=7200),
                     lambda: sts.get_federation_token(Name="rootfed",
                                                      Policy=policy(allow("sagemaker:*")))):
            t0 = time.time()
            creds = Creds.of(call()["Credentials"])
            self.assertAlmostEqual(creds.expiration.timestamp() - t0, 3600, delta=3)

    def test_trust_policy_principals_must_exist(self):
        """IAM resolves a trust policy's user and role principals when it is saved."""
        ghost = "arn:aws:iam::%s:user/ghost-%s" % (self.account, self.tag)
        self.assertClientError(
            lambda: self.make_role("Ghost-" + self.tag, trust(ghost)), "MalformedPolicyDocument",
            message='Invalid principal in policy: "AWS":"%s"' % ghost, status=400)
        # UpdateAssumeRolePolicy checks the same, then replaces the trust policy.
        role = self.make_role("Retrust-" + self.tag, trust(self.admin_arn),
                              policy(allow("sagemaker:ListModels")))
        iam = self.iam()
        self.assertClientError(
            lambda: iam.update_assume_role_policy(RoleName=role["RoleName"],
                                                  PolicyDocument=trust(ghost)),
            "MalformedPolicyDocument")
        self.assume(role["Arn"], "before")
        other = "arn:aws:iam::%s:user/someone-else" % self.account
        iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=trust(other))
        self.assertClientError(lambda: self.assume(role["Arn"], "after"), "AccessDenied",
                               message=self.assume_denied_prefix(self.admin_arn, role["Arn"]))
        # UpdateRole changes the session limit and the description.
        iam.update_role(RoleName=role["RoleName"], MaxSessionDuration=7200, Description="d")
        got = iam.get_role(RoleName=role["RoleName"])["Role"]
        self.assertEqual((got["MaxSessionDuration"], got["Description"]), (7200, "d"))
        self.assertClientError(lambda: iam.update_role(RoleName="nope-" + self.tag),
                               "NoSuchEntity",
                               message="The role with name nope-%s cannot be found." % self.tag)

    def test_trust_policy_refusal_text(self):
        """A role whose trust policy does not allow the caller is refused with "User: <caller>
        is not authorized to perform: sts:AssumeRole on resource: <role>" and nothing after it
        (as quoted in e.g. aws/karpenter-provider-aws#4680 and
        aws-actions/configure-aws-credentials#1219): no policy type is blamed."""
        role = self.make_role("NotYouEither-" + self.tag,
                              trust("arn:aws:iam::%s:user/someone-else" % self.account))
        self.assertClientError(lambda: self.assume(role["Arn"], "nope"), "AccessDenied",
                               message=self.assume_denied_prefix(self.admin_arn, role["Arn"]))

    def test_account_trust_needs_an_identity_policy_too(self):
        role = self.make_role("AcctTrust-" + self.tag,
                              trust("arn:aws:iam::%s:root" % self.account),
                              policy(allow("sagemaker:ListModels")))
        user, creds = self.make_user("noassume-" + self.tag, policy(allow("sagemaker:*")))
        self.assertClientError(
            lambda: self.assume(role["Arn"], "s1", creds=creds), "AccessDenied",
            message=self.assume_denied_prefix(user["Arn"], role["Arn"])
            + " because no identity-based policy allows the sts:AssumeRole action")
        # The admin (AdministratorAccess allows sts:AssumeRole) gets in.
        session, _ = self.assume(role["Arn"], "s2")
        self.assertIn("Models", self.sm(session).list_models())

    def test_root_may_not_assume_roles(self):
        e = self.assertClientError(lambda: self.assume(self.role["Arn"], "rootsess", profile="root"),
                                   "AccessDenied",
                                   message="Roles may not be assumed by root accounts.",
                                   status=403)
        _, rec = self.record(request_id_of(e), "Username", "root")
        self.assertEqual(rec["errorCode"], "AccessDenied")

    def test_duration_above_max_session_duration(self):
        msg = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        self.assertEqual(self.role["MaxSessionDuration"], 3600)
        self.assertClientError(lambda: self.assume(self.role["Arn"], "long",
                                                   DurationSeconds=3601),
                               "ValidationError", message=msg, status=400)
        self.assertCliError(self.cli("sts", "assume-role", "--role-arn", self.role["Arn"],
                                     "--role-session-name", "long", "--duration-seconds",
                                     "7200"), "ValidationError", "AssumeRole", message=msg)
        # A role allowing two hours issues a two-hour session.
        role = self.make_role("TwoHours-" + self.tag, trust(self.admin_arn),
                              MaxSessionDuration=7200)
        self.assertEqual(role["MaxSessionDuration"], 7200)
        t0 = time.time()
        creds, _ = self.assume(role["Arn"], "long", DurationSeconds=7200)
        ahead = creds.expiration.timestamp() - t0
        self.assertTrue(7199 <= ahead <= 7200 + (time.time() - t0) + 1, ahead)
        self.assertIn("assumed-role/TwoHours-",
                      self.sts(creds).get_caller_identity()["Arn"])  # valid now

    def test_role_chaining_is_limited_to_one_hour(self):
        second = self.make_role("Chained-" + self.tag, trust(self.role["Arn"]),
                                policy(allow("sagemaker:ListModels")), MaxSessionDuration=43200)
        msg = ("The requested DurationSeconds exceeds the 1 hour session limit for roles "
               "assumed by role chaining.")
        self.assertClientError(
            lambda: self.assume(second["Arn"], "chain", creds=self.session, DurationSeconds=3601),
            "ValidationError", message=msg, status=400)
        self.assertCliError(self.cli("sts", "assume-role", "--role-arn", second["Arn"],
                                     "--role-session-name", "chain", "--duration-seconds",
                                     "7200", creds=self.session),
                            "ValidationError", "AssumeRole", message=msg)
        chained, r = self.assume(second["Arn"], "chain", creds=self.session,
                                 DurationSeconds=3600)
        self.assertEqual(self.sts(chained).get_caller_identity()["Arn"],
                         "arn:aws:sts::%s:assumed-role/%s/chain" % (self.account,
                                                                   second["RoleName"]))
        # The chained AssumeRole was made by the first role's session.
        _, rec = self.record(request_id_of(r), "EventName", "AssumeRole")
        self.assertEqual(rec["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(rec["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
                         self.role["Arn"])

    # -- STS token calls with session credentials ----------------------------------------------
    def test_token_calls_with_session_credentials(self):
        admin_role = self.make_role("AdminRole-" + self.tag, trust(self.admin_arn),
                                    managed=(ADMIN_POLICY_ARN,))
        role_session, _ = self.assume(admin_role["Arn"], "adm")
        own_session = Creds.of(self.sts().get_session_token(DurationSeconds=900)["Credentials"])
        fed = Creds.of(self.sts().get_federation_token(
            Name="fedtok", Policy=policy(allow("*")))["Credentials"])
        for label, creds in (("role", role_session), ("session token", own_session),
                             ("federated", fed)):
            with self.subTest(credentials=label):
                self.assertClientError(
                    lambda: self.sts(creds).get_session_token(), "AccessDenied",
                    message="Cannot call GetSessionToken with session credentials", status=403)
            with self.subTest(credentials=label, call="GetFederationToken"):
                self.assertClientError(
                    lambda: self.sts(creds).get_federation_token(Name="again"), "AccessDenied",
                    message="Cannot call GetFederationToken with session credentials")
        self.assertCliError(self.cli("sts", "get-session-token", creds=role_session),
                            "AccessDenied", "GetSessionToken",
                            message="Cannot call GetSessionToken with session credentials")


class IamErrorsTest(IdentityTestCase):

    def test_third_access_key_exceeds_the_quota(self):
        user, _ = self.make_user("quota-" + self.tag)
        name = user["UserName"]
        self.assertCliOk(self.cli("iam", "create-access-key", "--user-name", name))
        self.assertCliError(self.cli("iam", "create-access-key", "--user-name", name),
                            "LimitExceeded", "CreateAccessKey",
                            message="Cannot exceed quota for AccessKeysPerUser: 2")
        self.assertClientError(lambda: self.iam().create_access_key(UserName=name),
                               "LimitExceeded", status=409)
        self.assertEqual(len(self.iam().list_access_keys(UserName=name)["AccessKeyMetadata"]), 2)

    def test_delete_user_with_keys_or_policies_conflicts(self):
        user, creds = self.make_user("del-" + self.tag, policy(allow("sagemaker:*")))
        name = user["UserName"]
        self.assertCliError(self.cli("iam", "delete-user", "--user-name", name),
                            "DeleteConflict", "DeleteUser",
                            message="Cannot delete entity, must delete access keys first.")
        self.iam().delete_access_key(UserName=name, AccessKeyId=creds.key)
        self.assertClientError(lambda: self.iam().delete_user(UserName=name), "DeleteConflict",
                               message="Cannot delete entity, must delete policies first.",
                               status=409)
        self.iam().delete_user_policy(UserName=name, PolicyName="p0")
        self.assertCliOk(self.cli("iam", "delete-user", "--user-name", name))
        self.assertClientError(lambda: self.iam().get_user(UserName=name), "NoSuchEntity")

    def test_missing_user(self):
        name = "ghost-" + self.tag
        msg = "The user with name %s cannot be found." % name
        self.assertCliError(self.cli("iam", "get-user", "--user-name", name), "NoSuchEntity",
                            "GetUser", message=msg)
        self.assertClientError(lambda: self.iam().get_user(UserName=name), "NoSuchEntity",
                               message=msg, status=404)
        self.assertClientError(lambda: self.iam().create_access_key(UserName=name),
                               "NoSuchEntity", message=msg)

    def test_create_user_twice(self):
        name = "twice-" + self.tag
        self.assertCliOk(self.cli("iam", "create-user", "--user-name", name))
        self.assertCliError(self.cli("iam", "create-user", "--user-name", name),
                            "EntityAlreadyExists", "CreateUser",
                            message="User with name %s already exists." % name)
        # IAM names ignore case.
        self.assertClientError(lambda: self.iam().create_user(UserName=name.upper()),
                               "EntityAlreadyExists", status=409)

    def test_malformed_policy_documents(self):
        user, _ = self.make_user("malformed-" + self.tag, key=False)
        name = user["UserName"]
        identity_cases = [
            ("{not json", "Syntax errors in policy."),
            (policy({"Effect": "Allow", "Action": "sagemaker:*"}),
             "Policy statement must contain resources."),
            (policy({"Effect": "Allow", "Resource": "*"}),
             "Policy statement must contain actions."),
            (policy(allow("listmodels")),
             "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
            (policy(allow("sagemaker:*", Principal={"AWS": "*"})),
             "Policy document should not specify a principal."),
        ]
        for doc, msg in identity_cases:
            with self.subTest(message=msg):
                self.assertClientError(
                    lambda: self.iam().put_user_policy(UserName=name, PolicyName="bad",
                                                       PolicyDocument=doc),
                    "MalformedPolicyDocument", message=msg, status=400)
        self.assertCliError(self.cli("iam", "put-user-policy", "--user-name", name,
                                     "--policy-name", "bad", "--policy-document",
                                     identity_cases[1][0]),
                            "MalformedPolicyDocument", "PutUserPolicy",
                            message=identity_cases[1][1])
        self.assertEqual(self.iam().list_user_policies(UserName=name)["PolicyNames"], [])
        self.assertClientError(
            lambda: self.iam().create_policy(PolicyName="old-" + self.tag, PolicyDocument=json.dumps(
                {"Version": "2008-10-17", "Statement": [allow("sagemaker:*")]})),
            "MalformedPolicyDocument",
            message="Policy document must be version 2012-10-17 or greater.")
        role = "badtrust-" + self.tag
        self.assertClientError(
            lambda: self.iam().create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]})),
            "MalformedPolicyDocument",
            message="Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException:"
                    " The passed in policy has a statement with no principals!")
        self.assertCliError(self.cli("iam", "create-role", "--role-name", role,
                                     "--assume-role-policy-document", "{not json"),
                            "MalformedPolicyDocument", "CreateRole",
                            message="This policy contains invalid Json")
        self.assertClientError(lambda: self.iam().get_role(RoleName=role), "NoSuchEntity",
                               message="The role with name %s cannot be found." % role)

    # -- paging ----------------------------------------------------------------------------------
    def test_list_users_and_roles_paging(self):
        path = "/pg%s/" % self.tag
        users = sorted("pg-user-%d-%s" % (i, self.tag) for i in range(5))
        roles = sorted("pg-role-%d-%s" % (i, self.tag) for i in range(3))
        for u in users:
            self.iam().create_user(UserName=u, Path=path)
        for r in roles:
            self.iam().create_role(RoleName=r, Path=path,
                                   AssumeRolePolicyDocument=trust(
                                       "arn:aws:iam::%s:root" % self.account))
        # The CLI's paginator follows Marker with a small page size.
        out = self.assertCliOk(self.cli("iam", "list-users", "--path-prefix", path,
                                        "--page-size", "2"))
        self.assertEqual(sorted(u["UserName"] for u in out["Users"]), users)
        self.assertEqual({u["Arn"] for u in out["Users"]},
                         {"arn:aws:iam::%s:user%s%s" % (self.account, path, u) for u in users})
        out = self.assertCliOk(self.cli("iam", "list-roles", "--path-prefix", path,
                                        "--page-size", "1"))
        self.assertEqual(sorted(r["RoleName"] for r in out["Roles"]), roles)
        # --max-items: a NextToken to resume from.
        seen = []
        args = ["iam", "list-users", "--path-prefix", path, "--max-items", "2"]
        token = None
        for _ in range(5):
            out = self.assertCliOk(self.cli(*(args + (["--starting-token", token]
                                                      if token else []))))
            seen += [u["UserName"] for u in out["Users"]]
            token = out.get("NextToken")
            if not token:
                break
            self.assertEqual(len(out["Users"]), 2)
        self.assertIsNone(token)
        self.assertEqual(sorted(seen), users)  # each once
        # boto3: IsTruncated and Marker.
        iam = self.iam()
        page = iam.list_users(PathPrefix=path, MaxItems=3)
        self.assertTrue(page["IsTruncated"])
        rest = iam.list_users(PathPrefix=path, MaxItems=3, Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertNotIn("Marker", rest)
        self.assertEqual(sorted(u["UserName"] for u in page["Users"] + rest["Users"]), users)
        paginated = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(
            PathPrefix=path, PaginationConfig={"PageSize": 2}) for r in p["Roles"]]
        self.assertEqual(sorted(paginated), roles)


class SessionAcrossRestartTest(IdentityTestCase):
    """Session tokens are sealed with a key kept in the data directory."""

    def test_session_survives_a_restart(self):
        admin_arn = "arn:aws:iam::%s:user/admin" % self.account
        role = self.make_role("Restart-" + self.tag, trust(admin_arn),
                              policy(allow("sagemaker:ListModels")))
        session, _ = self.assume(role["Arn"], "before")
        self.assertIn("Models", self.sm(session).list_models())
        self.server.restart()
        self.assertIn("Models", self.sm(session).list_models())
        self.assertEqual(self.sts(session).get_caller_identity()["Arn"],
                         "arn:aws:sts::%s:assumed-role/%s/before" % (self.account,
                                                                    role["RoleName"]))
        self.assertClientError(
            lambda: self.sm(session.replace(token=tamper(session.token))).list_models(),
            "UnrecognizedClientException")


class ExpiredSessionTest(IdentityTestCase):
    """Sessions past their Expiration are refused with ExpiredToken(Exception); long-term keys
    are not affected."""

    OFFSET = 895  # seconds: under the 900 s signature skew, so requests are still in time

    def test_expired_sessions_are_refused(self):
        admin_arn = "arn:aws:iam::%s:user/admin" % self.account
        role = self.make_role("Expiring-" + self.tag, trust(admin_arn),
                              policy(allow(["sagemaker:*", "sts:*"])))
        issued = time.time()
        role_session, _ = self.assume(role["Arn"], "soon-over", DurationSeconds=900)
        user_session = Creds.of(self.sts().get_session_token(DurationSeconds=900)["Credentials"])
        for creds in (role_session, user_session):
            self.assertIn("Models", self.sm(creds).list_models())
            self.assertLessEqual(creds.expiration.timestamp(), issued + 901)
        # Past Expiration once the moved clock reads issued + 900 s.
        time.sleep(max(0.0, issued + 900 - self.OFFSET + 1 - time.time()))
        self.server.extra_args += ["--clock-offset", str(self.OFFSET)]
        self.server.restart()
        expired = "The security token included in the request is expired"
        for creds in (role_session, user_session):
            self.assertClientError(lambda: self.sm(creds).list_models(), "ExpiredTokenException",
                                   message=expired, status=400)
            self.assertClientError(lambda: self.sts(creds).get_caller_identity(), "ExpiredToken",
                                   message=expired, status=403)
            self.assertClientError(lambda: self.iam(creds).list_users(), "ExpiredToken",
                                   message=expired, status=403)
        code, _, err = self.cli("sagemaker", "list-models", creds=role_session)
        self.assertNotEqual(code, 0)
        self.assertIn("(ExpiredTokenException) when calling the ListModels operation: " + expired,
                      err)
        # The same user's long-term key still works, and a fresh session too.
        self.assertIn("Models", self.sm().list_models())
        fresh, _ = self.assume(role["Arn"], "fresh")
        self.assertIn("Models", self.sm(fresh).list_models())


if __name__ == "__main__":
    unittest.main()
