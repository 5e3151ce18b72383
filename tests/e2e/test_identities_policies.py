"""End-to-end tests of authorization with IAM policies, driven with the aws CLI and boto3: a user
without a policy is denied with AWS's AccessDenied texts (SageMaker and IAM) and the denial is
in Event history; wildcard actions and resources, NotAction, NotResource, explicit denies over
AdministratorAccess, managed policies attached and detached, policy variables and session
policies on AssumeRole behave as IAM's evaluation logic says.

Identities in records: test_identities.py. Refused credentials: test_identities_refusals.py.
"""

import json
import unittest

from audit_common import request_id_of
from identity_common import (ADMIN_POLICY_ARN, IMAGE, Creds, IdentityTestCase, allow, deny,
                             policy, trust)

DENIED = "AccessDeniedException"


class PolicyEvaluationTest(IdentityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tag = cls.tag
        cls.exec_role = "arn:aws:iam::%s:role/SageMakerRole" % cls.account
        model_arn = "arn:aws:sagemaker:*:*:model/"
        users = {
            "nopol": (),
            "describe": (policy(allow("sagemaker:Describe*")),),
            "devmodels": (policy(allow("sagemaker:*Model*", model_arn + "dev-*"),
                                 allow("iam:PassRole", cls.exec_role)),),
            "denydel": (policy(deny("sagemaker:DeleteModel")),),
            "notaction": (policy(allow("sagemaker:Delete*", not_action=True)),),
            "denynotaction": (policy(deny("sagemaker:List*", not_action=True)),),
            "notresource": (policy(allow("sagemaker:*", model_arn + "secret-*",
                                         not_resource=True), allow("iam:PassRole")),),
            "anycase": (policy(allow("SageMaker:listmodels")),),
            "self": (policy(allow(["iam:GetUser", "iam:ListAccessKeys"],
                                  "arn:aws:iam::*:user/${aws:username}")),),
            "managed": (),
        }
        managed = {"denydel": (ADMIN_POLICY_ARN,), "denynotaction": (ADMIN_POLICY_ARN,)}
        cls.users = {}
        cls.keys = {}
        for short, docs in users.items():
            user, creds = cls.make_user("%s-%s" % (short, tag), *docs,
                                        managed=managed.get(short, ()))
            cls.users[short] = user
            cls.keys[short] = creds
        # Models the admin owns, for describe/delete calls.
        cls.dev_model = "dev-" + tag
        cls.prod_model = "prod-" + tag
        for name in (cls.dev_model, cls.prod_model, "keep-" + tag):
            cls.create_model(cls.sm(), name)

    @classmethod
    def create_model(cls, client, name):
        return client.create_model(ModelName=name, PrimaryContainer={"Image": IMAGE},
                                   ExecutionRoleArn=cls.exec_role)

    def arn(self, short):
        return self.users[short]["Arn"]

    def model_arn(self, name):
        return "arn:aws:sagemaker:us-east-1:%s:model/%s" % (self.account, name.lower())

    def denied_text(self, short, action, resource=None, why="no identity-based policy allows"):
        text = "User: %s is not authorized to perform: %s" % (self.arn(short), action)
        if resource:
            text += " on resource: " + resource
        if why.startswith("no "):
            return text + " because %s the %s action" % (why, action)
        return text + " with an explicit deny in " + why

    def assertModelExists(self, name, exists=True):
        try:
            self.sm().describe_model(ModelName=name)
            found = True
        except self.sm().exceptions.ClientError:
            found = False
        self.assertEqual(found, exists, name)

    # -- no policy -------------------------------------------------------------------------------
    def test_user_without_policy_is_denied_list_models_cli(self):
        msg = self.denied_text("nopol", "sagemaker:ListModels")  # List*: no resource clause
        got = self.assertCliError(self.cli("sagemaker", "list-models", creds=self.keys["nopol"]),
                                  DENIED, "ListModels", message=msg)
        self.assertEqual(
            got, "User: arn:aws:iam::%s:user/nopol-%s is not authorized to perform: "
                 "sagemaker:ListModels because no identity-based policy allows the "
                 "sagemaker:ListModels action" % (self.account, self.tag))
        # The denial is in Event history, under the user's name.
        user = "nopol-" + self.tag
        recs = [json.loads(e["CloudTrailEvent"]) for e in self.lookup("Username", user)
                if e["EventName"] == "ListModels"]
        self.assertEqual(len(recs), 1, recs)
        rec = recs[0]
        self.assertEqual(rec["errorCode"], DENIED)
        self.assertEqual(rec["errorMessage"], msg)
        self.assertIsNone(rec["responseElements"])
        self.assertEqual(rec["userIdentity"]["userName"], user)
        self.assertEqual(rec["userIdentity"]["accessKeyId"], self.keys["nopol"].key)

    def test_user_without_policy_is_denied_create_model_boto3(self):
        name = "Denied-" + self.tag
        e = self.assertClientError(
            lambda: self.create_model(self.sm(self.keys["nopol"]), name), DENIED, status=400,
            message=self.denied_text("nopol", "sagemaker:CreateModel", self.model_arn(name)))
        self.assertModelExists(name, False)
        ev, rec = self.record(request_id_of(e), "ResourceName", name)
        self.assertEqual(rec["errorCode"], DENIED)
        self.assertEqual(rec["errorMessage"], e.response["Error"]["Message"])
        self.assertEqual(rec["requestParameters"]["modelName"], name)
        self.assertEqual(ev["Username"], "nopol-" + self.tag)

    def test_user_without_policy_is_denied_iam_calls(self):
        admin_arn = "arn:aws:iam::%s:user/admin" % self.account
        e = self.assertClientError(
            lambda: self.iam(self.keys["nopol"]).get_user(UserName="admin"), "AccessDenied",
            status=403, message=self.denied_text("nopol", "iam:GetUser", admin_arn))
        ev, rec = self.record(request_id_of(e), "EventName", "GetUser")
        self.assertEqual(rec["errorCode"], "AccessDenied")
        self.assertEqual(rec["errorMessage"], e.response["Error"]["Message"])
        self.assertEqual(rec["eventSource"], "iam.amazonaws.com")
        # The aws CLI shows the same text.
        self.assertCliError(self.cli("iam", "create-user", "--user-name", "x-" + self.tag,
                                     creds=self.keys["nopol"]),
                            "AccessDenied", "CreateUser",
                            message=self.denied_text(
                                "nopol", "iam:CreateUser",
                                "arn:aws:iam::%s:user/x-%s" % (self.account, self.tag)))
        # Listing users is authorized on the listed path; LookupEvents names no resource.
        self.assertCliError(self.cli("iam", "list-users", creds=self.keys["nopol"]),
                            "AccessDenied", "ListUsers",
                            message=self.denied_text("nopol", "iam:ListUsers",
                                                     "arn:aws:iam::%s:user/" % self.account))
        self.assertCliError(self.cli("cloudtrail", "lookup-events", creds=self.keys["nopol"]),
                            "AccessDeniedException", "LookupEvents",
                            message=self.denied_text("nopol", "cloudtrail:LookupEvents"))

    def test_user_without_policy_may_still_ask_who_it_is(self):
        out = self.assertCliOk(self.cli("sts", "get-caller-identity", creds=self.keys["nopol"]))
        self.assertEqual(out["Arn"], self.arn("nopol"))

    # -- wildcards ---------------------------------------------------------------------------------
    def test_wildcard_action_describe(self):
        c = self.sm(self.keys["describe"])
        self.assertEqual(c.describe_model(ModelName=self.prod_model)["ModelName"],
                         self.prod_model)
        # A Describe* call on a missing model gets past authorization to the API's own error.
        self.assertClientError(lambda: c.describe_model(ModelName="missing-" + self.tag),
                               "ValidationException")
        self.assertClientError(lambda: c.list_models(), DENIED,
                               message=self.denied_text("describe", "sagemaker:ListModels"))
        self.assertClientError(
            lambda: c.delete_model(ModelName=self.prod_model), DENIED,
            message=self.denied_text("describe", "sagemaker:DeleteModel",
                                     self.model_arn(self.prod_model)))

    def test_wildcard_action_and_resource(self):
        creds = self.keys["devmodels"]
        c = self.sm(creds)
        name = "dev-made-" + self.tag
        self.assertTrue(self.create_model(c, name)["ModelArn"].endswith("model/" + name))
        self.assertEqual(c.describe_model(ModelName=self.dev_model)["ModelName"], self.dev_model)
        c.delete_model(ModelName=name)
        self.assertModelExists(name, False)
        # Outside model/dev-*: denied, naming the resource.
        other = "prod-made-" + self.tag
        self.assertCliError(
            self.cli("sagemaker", "create-model", "--model-name", other, "--primary-container",
                     "Image=" + IMAGE, "--execution-role-arn", self.exec_role, creds=creds),
            DENIED, "CreateModel",
            message=self.denied_text("devmodels", "sagemaker:CreateModel",
                                     self.model_arn(other)))
        self.assertClientError(
            lambda: c.describe_model(ModelName=self.prod_model), DENIED,
            message=self.denied_text("devmodels", "sagemaker:DescribeModel",
                                     self.model_arn(self.prod_model)))
        # ListModels matches the action pattern but its resource ("*") is not a dev- model.
        self.assertClientError(lambda: c.list_models(), DENIED,
                               message=self.denied_text("devmodels", "sagemaker:ListModels"))
        # Another action on the same resource pattern: no.
        self.assertClientError(lambda: c.list_endpoints(), DENIED)

    def test_action_names_match_case_insensitively(self):
        self.assertIn("Models", self.sm(self.keys["anycase"]).list_models())
        self.assertClientError(lambda: self.sm(self.keys["anycase"]).list_endpoints(), DENIED)

    # -- explicit deny -------------------------------------------------------------------------------
    def test_explicit_deny_beats_administrator_access(self):
        creds = self.keys["denydel"]
        name = "admin-made-" + self.tag
        self.create_model(self.sm(creds), name)  # AdministratorAccess allows the rest
        self.assertIn("Models", self.sm(creds).list_models())
        msg = self.denied_text("denydel", "sagemaker:DeleteModel", self.model_arn(name),
                               why="an identity-based policy")
        self.assertEqual(msg, "User: %s is not authorized to perform: sagemaker:DeleteModel on "
                              "resource: %s with an explicit deny in an identity-based policy"
                         % (self.arn("denydel"), self.model_arn(name)))
        self.assertCliError(self.cli("sagemaker", "delete-model", "--model-name", name,
                                     creds=creds), DENIED, "DeleteModel", message=msg)
        self.assertModelExists(name, True)
        e = self.assertClientError(lambda: self.sm(creds).delete_model(ModelName=name), DENIED,
                                   message=msg)
        _, rec = self.record(request_id_of(e), "EventName", "DeleteModel")
        self.assertEqual(rec["errorMessage"], msg)

    # -- NotAction / NotResource -----------------------------------------------------------------------
    def test_not_action_allow(self):
        c = self.sm(self.keys["notaction"])
        self.assertIn("Models", c.list_models())
        self.assertEqual(c.describe_model(ModelName=self.prod_model)["ModelName"],
                         self.prod_model)
        self.assertClientError(
            lambda: c.delete_model(ModelName=self.prod_model), DENIED,
            message=self.denied_text("notaction", "sagemaker:DeleteModel",
                                     self.model_arn(self.prod_model)))
        # NotAction reaches other services too.
        self.iam(self.keys["notaction"]).get_user(UserName="admin")

    def test_not_action_deny(self):
        c = self.sm(self.keys["denynotaction"])
        self.assertIn("Models", c.list_models())
        self.assertClientError(
            lambda: c.describe_model(ModelName=self.prod_model), DENIED,
            message=self.denied_text("denynotaction", "sagemaker:DescribeModel",
                                     self.model_arn(self.prod_model),
                                     why="an identity-based policy"))

    def test_not_resource(self):
        c = self.sm(self.keys["notresource"])
        open_name, secret_name = "open-" + self.tag, "secret-" + self.tag
        self.create_model(c, open_name)
        self.assertIn("Models", c.list_models())
        self.assertClientError(
            lambda: self.create_model(c, secret_name), DENIED,
            message=self.denied_text("notresource", "sagemaker:CreateModel",
                                     self.model_arn(secret_name)))
        self.assertModelExists(secret_name, False)
        # Only sagemaker actions are allowed.
        self.assertClientError(lambda: self.iam(self.keys["notresource"]).list_users(),
                               "AccessDenied")

    # -- managed policies ------------------------------------------------------------------------------
    def test_managed_policy_attach_and_detach(self):
        creds = self.keys["managed"]
        user = self.users["managed"]["UserName"]
        name = "SmList-" + self.tag
        deny_list = self.denied_text("managed", "sagemaker:ListModels")
        self.assertCliError(self.cli("sagemaker", "list-models", creds=creds), DENIED,
                            "ListModels", message=deny_list)
        out = self.assertCliOk(self.cli("iam", "create-policy", "--policy-name", name,
                                        "--policy-document", policy(allow("sagemaker:List*"))))
        arn = out["Policy"]["Arn"]
        self.assertEqual(arn, "arn:aws:iam::%s:policy/%s" % (self.account, name))
        self.assertRegex(out["Policy"]["PolicyId"], r"^ANPA[A-Z2-7]{17}$")
        self.assertEqual(out["Policy"]["AttachmentCount"], 0)
        self.assertCliOk(self.cli("iam", "attach-user-policy", "--user-name", user,
                                  "--policy-arn", arn))
        self.assertIn("Models", self.assertCliOk(self.cli("sagemaker", "list-models",
                                                          creds=creds)))
        attached = self.assertCliOk(self.cli("iam", "list-attached-user-policies",
                                             "--user-name", user))
        self.assertEqual(attached["AttachedPolicies"], [{"PolicyName": name, "PolicyArn": arn}])
        self.assertEqual(self.iam().get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
        self.assertClientError(lambda: self.iam().delete_policy(PolicyArn=arn), "DeleteConflict",
                               message="Cannot delete a policy attached to entities.",
                               status=409)
        # Only List*.
        self.assertClientError(lambda: self.sm(creds).describe_model(ModelName=self.dev_model),
                               DENIED)
        # Detached: denied again.
        self.assertCliOk(self.cli("iam", "detach-user-policy", "--user-name", user,
                                  "--policy-arn", arn))
        self.assertCliError(self.cli("sagemaker", "list-models", creds=creds), DENIED,
                            "ListModels", message=deny_list)
        self.assertCliOk(self.cli("iam", "delete-policy", "--policy-arn", arn))

    def test_removing_an_inline_policy_removes_the_permission(self):
        user, creds = self.make_user("inline-" + self.tag, policy(allow("sagemaker:ListModels")))
        self.assertIn("Models", self.sm(creds).list_models())
        self.iam().delete_user_policy(UserName=user["UserName"], PolicyName="p0")
        self.assertClientError(lambda: self.sm(creds).list_models(), DENIED)

    # -- policy variables ------------------------------------------------------------------------------
    def test_policy_variable_username(self):
        creds = self.keys["self"]
        me = self.users["self"]["UserName"]
        out = self.assertCliOk(self.cli("iam", "get-user", "--user-name", me, creds=creds))
        self.assertEqual(out["User"]["Arn"], self.arn("self"))
        self.iam(creds).list_access_keys(UserName=me)
        self.assertCliError(
            self.cli("iam", "get-user", "--user-name", "admin", creds=creds), "AccessDenied",
            "GetUser", message=self.denied_text("self", "iam:GetUser",
                                                "arn:aws:iam::%s:user/admin" % self.account))

    def test_calls_about_oneself_name_the_callers_own_arn(self):
        """An IAM call that names no UserName acts on the caller (GetUser, ListAccessKeys,
        CreateAccessKey, ...), and IAM authorizes it against the caller's own user ARN: the
        self-service policy of IAM's docs (Resource "arn:aws:iam::*:user/${aws:username}")
        lets a user run `aws iam get-user`, and a denial names the user's ARN, not "*"."""
        creds = self.keys["self"]
        out = self.assertCliOk(self.cli("iam", "get-user", creds=creds))
        self.assertEqual(out["User"]["Arn"], self.arn("self"))
        keys = self.assertCliOk(self.cli("iam", "list-access-keys", creds=creds))
        self.assertEqual([k["AccessKeyId"] for k in keys["AccessKeyMetadata"]], [creds.key])
        self.assertClientError(
            lambda: self.iam(self.keys["nopol"]).get_user(), "AccessDenied",
            message=self.denied_text("nopol", "iam:GetUser", self.arn("nopol")))


class SessionPolicyTest(IdentityTestCase):
    """Session policies passed to AssumeRole narrow the role's permissions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin_arn = "arn:aws:iam::%s:user/admin" % cls.account
        cls.role_name = "SessRole-" + cls.tag
        cls.role = cls.make_role(cls.role_name, trust(admin_arn),
                                 policy(allow(["sagemaker:*", "sts:GetCallerIdentity"])))

    def session_arn(self, session):
        return "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, self.role_name, session)

    def test_session_policy_narrows_the_role(self):
        session = "narrow-" + self.tag
        creds, r = self.assume(self.role["Arn"], session,
                               Policy=policy(allow("sagemaker:ListModels")))
        self.assertIn("PackedPolicySize", r)
        self.assertIn("Models", self.sm(creds).list_models())
        name = "narrow-" + self.tag
        arn = "arn:aws:sagemaker:us-east-1:%s:model/%s" % (self.account, name)
        msg = ("User: %s is not authorized to perform: sagemaker:CreateModel on resource: %s "
               "because no session policy allows the sagemaker:CreateModel action"
               % (self.session_arn(session), arn))
        self.assertCliError(
            self.cli("sagemaker", "create-model", "--model-name", name, "--primary-container",
                     "Image=" + IMAGE, "--execution-role-arn", self.role["Arn"], creds=creds),
            DENIED, "CreateModel", message=msg)
        # The role's own permissions still bound the session: iam is in the session policy
        # below but not in the role's.
        creds2, _ = self.assume(self.role["Arn"], session + "2",
                                Policy=policy(allow(["sagemaker:*", "iam:*"])))
        self.assertClientError(
            lambda: self.iam(creds2).get_user(UserName="admin"), "AccessDenied",
            message="User: %s is not authorized to perform: iam:GetUser on resource: "
                    "arn:aws:iam::%s:user/admin because no identity-based policy allows the "
                    "iam:GetUser action" % (self.session_arn(session + "2"), self.account))
        self.assertIn("Models", self.sm(creds2).list_models())

    def test_session_policy_explicit_deny(self):
        session = "denied-" + self.tag
        creds, _ = self.assume(self.role["Arn"], session,
                               Policy=policy(allow("*"), deny("sagemaker:ListModels")))
        self.assertClientError(
            lambda: self.sm(creds).list_models(), DENIED,
            message="User: %s is not authorized to perform: sagemaker:ListModels with an "
                    "explicit deny in a session policy" % self.session_arn(session))
        self.sm(creds).list_endpoints()

    def test_managed_session_policy(self):
        arn = self.iam().create_policy(PolicyName="SessList-" + self.tag,
                                       PolicyDocument=policy(allow("sagemaker:List*")))[
            "Policy"]["Arn"]
        creds, _ = self.assume(self.role["Arn"], "arns-" + self.tag, PolicyArns=[{"arn": arn}])
        self.assertIn("Models", self.sm(creds).list_models())
        self.assertClientError(lambda: self.sm(creds).describe_model(ModelName="x"), DENIED)

    def test_session_without_policy_has_the_roles_permissions(self):
        creds, r = self.assume(self.role["Arn"], "full-" + self.tag)
        self.assertNotIn("PackedPolicySize", r)
        self.assertIn("Models", self.sm(creds).list_models())
        self.assertClientError(lambda: self.iam(creds).list_users(), "AccessDenied")

    def test_malformed_session_policy(self):
        self.assertClientError(
            lambda: self.assume(self.role["Arn"], "bad-" + self.tag, Policy="{not json"),
            "MalformedPolicyDocument")


if __name__ == "__main__":
    unittest.main()
