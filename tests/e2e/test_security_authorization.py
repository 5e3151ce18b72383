"""End-to-end tests of authorization defects an attacker's trial found, driven with the aws CLI and
boto3 as the attacker would:

1. An explicit Deny on a user, role or SageMaker resource cannot be side-stepped by spelling its
   name (or the name part of its ARN) in another case: every call is authorized on the resource
   as stored, the refusal names the stored ARN, the target is unchanged, and Event history finds
   the refused calls under the stored name.
2. Credentials outlive neither the user or role they stand for nor its name: a session (AssumeRole,
   GetSessionToken, GetFederationToken) of a deleted principal is refused even once another
   principal of the same name (in any case) has been created with more rights, and a trust policy
   naming a deleted principal keeps that principal's unique id, so a successor cannot assume the
   role.
3. Handing a role to SageMaker needs iam:PassRole on the role as stored (passed to
   sagemaker.amazonaws.com).
4. SageMaker refuses a role that does not exist or that does not trust sagemaker.amazonaws.com.
"""

import json
import time
import unittest

from audit_common import request_id_of
from identity_common import (ADMIN_POLICY_ARN, IMAGE, INVALID_TOKEN, Creds, IdentityTestCase,
                             allow, deny, error_of, policy, trust)

FAST = ["--endpoint-seconds", "0.2", "--training-job-seconds", "0.3", "--notebook-seconds", "0.2",
        "--processing-job-seconds", "0.2", "--transform-job-seconds", "0.2",
        "--stopping-seconds", "0.2"]
SM_DENIED = "AccessDeniedException"  # SageMaker (JSON): HTTP 400
IAM_DENIED = "AccessDenied"  # IAM and STS (query): HTTP 403
SAGEMAKER_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
SAGEMAKER_READ_ONLY = "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"
INVALID = INVALID_TOKEN + "."
EXPLICIT = " with an explicit deny in an identity-based policy"


def wait_until(fn, predicate, timeout=10.0):
    """Polls fn() until predicate(result) holds (bounded); returns the last result."""
    deadline = time.time() + timeout
    while True:
        r = fn()
        if predicate(r) or time.time() > deadline:
            return r
        time.sleep(0.05)


def denied(caller_arn, action, resource, why=EXPLICIT):
    """AWS's AccessDenied text; `why` is EXPLICIT or the implicit "because no ..." clause."""
    return "User: %s is not authorized to perform: %s on resource: %s%s" % (
        caller_arn, action, resource, why)


def implicit(action):
    return " because no identity-based policy allows the %s action" % action


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# -- SageMaker requests (admin creates the resources the attacker goes after) --------------------
def model_args(name, role):
    return dict(ModelName=name, PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=role)


def endpoint_config_args(name, model, role=None):
    args = dict(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "v", "ModelName": model, "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}])
    if role:
        args["ExecutionRoleArn"] = role
    return args


def training_job_args(name, role):
    return dict(TrainingJobName=name, RoleArn=role,
                AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                                "VolumeSizeInGB": 5},
                StoppingCondition={"MaxRuntimeInSeconds": 600})


def processing_job_args(name, role):
    return dict(ProcessingJobName=name, RoleArn=role, AppSpecification={"ImageUri": IMAGE},
                ProcessingResources={"ClusterConfig": {
                    "InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}})


def notebook_args(name, role):
    return dict(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=role)


def transform_job_args(name, model):
    return dict(TransformJobName=name, ModelName=model,
                TransformInput={"DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/in"}}},
                TransformOutput={"S3OutputPath": "s3://bucket/transformed"},
                TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1})


# Creations that hand SageMaker a role: (operation, arguments for a name and a role ARN, the
# describe call that would find what was created). The model "pass-base" must exist.
ROLE_CREATIONS = [
    ("create_model", model_args, "describe_model", "ModelName"),
    ("create_training_job", training_job_args, "describe_training_job", "TrainingJobName"),
    ("create_processing_job", processing_job_args, "describe_processing_job",
     "ProcessingJobName"),
    ("create_notebook_instance", notebook_args, "describe_notebook_instance",
     "NotebookInstanceName"),
    ("create_endpoint_config", lambda n, r: endpoint_config_args(n, "pass-base", r),
     "describe_endpoint_config", "EndpointConfigName"),
]


class SecurityTestCase(IdentityTestCase):
    server_args = FAST

    @classmethod
    def root_iam(cls):
        """IAM as the account's root user: unaffected by whatever an attack did to admin."""
        return cls.iam(profile="root")

    @classmethod
    def delete_user(cls, name):
        """Deletes a user as IAM requires: its keys and policies first."""
        iam = cls.root_iam()
        for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
        for p in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=p)
        for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
        iam.delete_user(UserName=name)

    @classmethod
    def delete_role(cls, name):
        iam = cls.root_iam()
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=p)
        for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
        iam.delete_role(RoleName=name)

    def assertRefusedCredentials(self, creds):
        """Every service refuses `creds` as unknown credentials (nothing succeeds)."""
        for label, fn, code, status in (
                ("sagemaker", lambda: self.sm(creds).list_models(),
                 "UnrecognizedClientException", 400),
                ("sts", lambda: self.sts(creds).get_caller_identity(), "InvalidClientTokenId",
                 403),
                ("iam", lambda: self.iam(creds).list_users(), "InvalidClientTokenId", 403)):
            with self.subTest(service=label):
                self.assertClientError(fn, code, message=INVALID, status=status)
        self.assertCliError(self.cli("sts", "get-caller-identity", creds=creds),
                            "InvalidClientTokenId", "GetCallerIdentity", message=INVALID)
        self.assertCliError(self.cli("sagemaker", "list-models", creds=creds),
                            "UnrecognizedClientException", "ListModels", message=INVALID)

    def assertRecordedUnder(self, resource_name, refusals, code):
        """Event history finds each refused call ({request id: (operation, message)}) by
        ResourceName=`resource_name` (the name as stored), with its error."""
        found = {}
        for ev in self.lookup("ResourceName", resource_name, profile="root"):
            found[json.loads(ev["CloudTrailEvent"])["requestID"]] = ev
        for rid, (op, message) in refusals.items():
            with self.subTest(recorded=op, request_id=rid):
                self.assertIn(rid, found)
                ev = found[rid]
                rec = json.loads(ev["CloudTrailEvent"])
                self.assertEqual(ev["EventName"], op)
                self.assertEqual(rec["errorCode"], code)
                self.assertEqual(rec["errorMessage"], message)
                self.assertEqual(rec["userIdentity"]["arn"], self.attacker_arn)
                self.assertIn(resource_name, [r["ResourceName"] for r in ev["Resources"]])

    def assertMissing(self, describe):
        """A SageMaker Describe* call finds nothing (ValidationException)."""
        self.assertEqual(error_of(describe).response["Error"]["Code"], "ValidationException")


# ---------------------------------------------------------------------------------------------
# 1. Explicit Deny versus the case of a name
# ---------------------------------------------------------------------------------------------
class IamCaseDenyTest(SecurityTestCase):
    """The attacker may do anything in IAM except touch the users admin and /ops/OpsLead and the
    roles Guarded and /ops/Vault, which its policy denies by their (stored) ARNs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        acct = cls.account
        cls.keep_doc = policy(allow("sagemaker:ListModels"))
        # Victim users: admin itself (AdministratorAccess attached) and a user under a path.
        cls.root_iam().put_user_policy(UserName="admin", PolicyName="keep",
                                       PolicyDocument=cls.keep_doc)
        ops = cls.iam().create_user(UserName="OpsLead", Path="/ops/")["User"]
        cls.iam().put_user_policy(UserName="OpsLead", PolicyName="keep",
                                  PolicyDocument=cls.keep_doc)
        cls.iam().attach_user_policy(UserName="OpsLead", PolicyArn=SAGEMAKER_READ_ONLY)
        ops_key = cls.iam().create_access_key(UserName="OpsLead")["AccessKey"]["AccessKeyId"]
        # (stored name, ARN, the access key to go after, the managed policy attached)
        cls.victim_users = [
            ("admin", "arn:aws:iam::%s:user/admin" % acct, cls.server.credentials["admin"][0],
             ADMIN_POLICY_ARN),
            ("OpsLead", ops["Arn"], ops_key, SAGEMAKER_READ_ONLY),
        ]
        # Victim roles: one at the root path, one under /ops/.
        cls.victim_roles = []
        for name, path in (("Guarded", "/"), ("Vault", "/ops/")):
            role = cls.make_role(name, trust("arn:aws:iam::%s:root" % acct), cls.keep_doc,
                                 managed=(SAGEMAKER_READ_ONLY,), Path=path,
                                 Description="untouched")
            cls.victim_roles.append((name, role["Arn"], SAGEMAKER_READ_ONLY))
        guarded = [arn for _, arn, _, _ in cls.victim_users]
        guarded += [arn for _, arn, _ in cls.victim_roles]
        cls.attacker, cls.attacker_creds = cls.make_user(
            "mallory", policy(allow(["iam:*", "sagemaker:*"]), deny("iam:*", guarded)))
        cls.attacker_arn = cls.attacker["Arn"]

    @staticmethod
    def spellings(name):
        """The name in other cases (never the stored spelling)."""
        out = [name.lower(), name.upper(), name[:1].upper() + name[1:].lower(),
               "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(name))]
        return [s for i, s in enumerate(out) if s != name and s not in out[:i]]

    def user_state(self, name):
        iam = self.root_iam()
        inline = iam.list_user_policies(UserName=name)["PolicyNames"]
        return {
            "user": iam.get_user(UserName=name)["User"],
            "keys": iam.list_access_keys(UserName=name)["AccessKeyMetadata"],
            "inline": {p: iam.get_user_policy(UserName=name, PolicyName=p)["PolicyDocument"]
                       for p in inline},
            "attached": iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
        }

    def role_state(self, name):
        iam = self.root_iam()
        inline = iam.list_role_policies(RoleName=name)["PolicyNames"]
        return {
            "role": iam.get_role(RoleName=name)["Role"],
            "inline": {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                       for p in inline},
            "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
        }

    def assertDeniedOnEveryOperation(self, operations, stored_arn, refusals):
        """Each (operation, call) is refused with AccessDenied naming `stored_arn`; adds the
        refusals to `refusals` ({request id: (operation, message)})."""
        for op, call in operations:
            with self.subTest(operation=op):
                message = denied(self.attacker_arn, "iam:" + op, stored_arn)
                e = self.assertClientError(call, IAM_DENIED, status=403, message=message)
                refusals[request_id_of(e)] = (op, message)

    def test_user_denied_by_arn_whatever_the_case_of_its_name(self):
        iam = self.iam(self.attacker_creds)
        pwn = policy(allow("*"))
        for stored, arn, key, managed in self.victim_users:
            before = self.user_state(stored)
            refusals = {}
            for name in self.spellings(stored):
                ops = [
                    ("CreateAccessKey", lambda: iam.create_access_key(UserName=name)),
                    ("ListAccessKeys", lambda: iam.list_access_keys(UserName=name)),
                    ("UpdateAccessKey", lambda: iam.update_access_key(
                        UserName=name, AccessKeyId=key, Status="Inactive")),
                    ("DeleteAccessKey", lambda: iam.delete_access_key(UserName=name,
                                                                      AccessKeyId=key)),
                    ("GetUser", lambda: iam.get_user(UserName=name)),
                    ("PutUserPolicy", lambda: iam.put_user_policy(
                        UserName=name, PolicyName="pwn", PolicyDocument=pwn)),
                    ("PutUserPolicy", lambda: iam.put_user_policy(
                        UserName=name, PolicyName="keep", PolicyDocument=pwn)),
                    ("GetUserPolicy", lambda: iam.get_user_policy(UserName=name,
                                                                  PolicyName="keep")),
                    ("ListUserPolicies", lambda: iam.list_user_policies(UserName=name)),
                    ("DeleteUserPolicy", lambda: iam.delete_user_policy(UserName=name,
                                                                        PolicyName="keep")),
                    ("AttachUserPolicy", lambda: iam.attach_user_policy(
                        UserName=name, PolicyArn=SAGEMAKER_FULL_ACCESS)),
                    ("DetachUserPolicy", lambda: iam.detach_user_policy(UserName=name,
                                                                        PolicyArn=managed)),
                    ("ListAttachedUserPolicies",
                     lambda: iam.list_attached_user_policies(UserName=name)),
                    ("DeleteUser", lambda: iam.delete_user(UserName=name)),
                ]
                with self.subTest(user=stored, spelled=name):
                    self.assertDeniedOnEveryOperation(ops, arn, refusals)
            with self.subTest(user=stored, check="unchanged"):
                self.assertEqual(self.user_state(stored), before)
            self.assertRecordedUnder(stored, refusals, IAM_DENIED)
        # The stored spelling is denied too (the policy works at all), and admin still works.
        self.assertClientError(lambda: iam.create_access_key(UserName="admin"), IAM_DENIED,
                               message=denied(self.attacker_arn, "iam:CreateAccessKey",
                                              self.victim_users[0][1]))
        self.assertEqual(self.sts().get_caller_identity()["Arn"], self.victim_users[0][1])

    def test_user_denied_with_the_cli(self):
        admin_arn = self.victim_users[0][1]
        for name in ("Admin", "ADMIN"):
            with self.subTest(spelled=name):
                self.assertCliError(
                    self.cli("iam", "create-access-key", "--user-name", name,
                             creds=self.attacker_creds),
                    IAM_DENIED, "CreateAccessKey",
                    message=denied(self.attacker_arn, "iam:CreateAccessKey", admin_arn))
                self.assertCliError(
                    self.cli("iam", "attach-user-policy", "--user-name", name, "--policy-arn",
                             SAGEMAKER_FULL_ACCESS, creds=self.attacker_creds),
                    IAM_DENIED, "AttachUserPolicy",
                    message=denied(self.attacker_arn, "iam:AttachUserPolicy", admin_arn))
        ops_arn = self.victim_users[1][1]
        self.assertCliError(
            self.cli("iam", "put-user-policy", "--user-name", "opslead", "--policy-name", "pwn",
                     "--policy-document", policy(allow("*")), creds=self.attacker_creds),
            IAM_DENIED, "PutUserPolicy",
            message=denied(self.attacker_arn, "iam:PutUserPolicy", ops_arn))
        self.assertEqual(len(self.root_iam().list_access_keys(UserName="admin")[
            "AccessKeyMetadata"]), 1)  # no key was made for admin
        self.assertEqual(self.root_iam().list_user_policies(UserName="OpsLead")["PolicyNames"],
                         ["keep"])

    def test_role_denied_by_arn_whatever_the_case_of_its_name(self):
        iam = self.iam(self.attacker_creds)
        pwn = policy(allow("*"))
        for stored, arn, managed in self.victim_roles:
            before = self.role_state(stored)
            refusals = {}
            for name in self.spellings(stored):
                ops = [
                    ("GetRole", lambda: iam.get_role(RoleName=name)),
                    ("UpdateRole", lambda: iam.update_role(RoleName=name, Description="pwned",
                                                           MaxSessionDuration=43200)),
                    ("UpdateAssumeRolePolicy", lambda: iam.update_assume_role_policy(
                        RoleName=name, PolicyDocument=trust(self.attacker_arn))),
                    ("PutRolePolicy", lambda: iam.put_role_policy(
                        RoleName=name, PolicyName="pwn", PolicyDocument=pwn)),
                    ("GetRolePolicy", lambda: iam.get_role_policy(RoleName=name,
                                                                  PolicyName="p0")),
                    ("ListRolePolicies", lambda: iam.list_role_policies(RoleName=name)),
                    ("DeleteRolePolicy", lambda: iam.delete_role_policy(RoleName=name,
                                                                        PolicyName="p0")),
                    ("AttachRolePolicy", lambda: iam.attach_role_policy(
                        RoleName=name, PolicyArn=ADMIN_POLICY_ARN)),
                    ("DetachRolePolicy", lambda: iam.detach_role_policy(RoleName=name,
                                                                        PolicyArn=managed)),
                    ("ListAttachedRolePolicies",
                     lambda: iam.list_attached_role_policies(RoleName=name)),
                    ("DeleteRole", lambda: iam.delete_role(RoleName=name)),
                ]
                with self.subTest(role=stored, spelled=name):
                    self.assertDeniedOnEveryOperation(ops, arn, refusals)
            with self.subTest(role=stored, check="unchanged"):
                self.assertEqual(self.role_state(stored), before)
            self.assertRecordedUnder(stored, refusals, IAM_DENIED)
        vault_arn = self.victim_roles[1][1]
        self.assertCliError(
            self.cli("iam", "update-assume-role-policy", "--role-name", "VAULT",
                     "--policy-document", trust(self.attacker_arn), creds=self.attacker_creds),
            IAM_DENIED, "UpdateAssumeRolePolicy",
            message=denied(self.attacker_arn, "iam:UpdateAssumeRolePolicy", vault_arn))
        self.assertEqual(self.root_iam().get_role(RoleName="Vault")["Role"][
            "AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            {"AWS": "arn:aws:iam::%s:root" % self.account})

    def test_other_users_and_roles_stay_reachable(self):
        """The attacker's Allow works where no Deny applies (the refusals above are the
        Deny's)."""
        iam = self.iam(self.attacker_creds)
        iam.create_user(UserName="bystander")
        self.assertEqual(iam.get_user(UserName="BYSTANDER")["User"]["UserName"], "bystander")
        iam.put_user_policy(UserName="Bystander", PolicyName="x", PolicyDocument=self.keep_doc)
        self.assertEqual(iam.list_user_policies(UserName="bystander")["PolicyNames"], ["x"])
        iam.create_role(RoleName="Helper", Path="/ops/",
                        AssumeRolePolicyDocument=trust("arn:aws:iam::%s:root" % self.account))
        iam.update_role(RoleName="HELPER", Description="changed")
        self.assertEqual(iam.get_role(RoleName="helper")["Role"]["Description"], "changed")


class SageMakerCaseDenyTest(SecurityTestCase):
    """Resources named PROTECTED of every kind, created by admin; the attacker may do anything
    in SageMaker except act on them, which its policy denies by their (stored) ARNs."""

    # kind: (name member, describe operation, the other calls that name it: (operation, extra))
    KINDS = {
        "model": ("ModelName", "describe_model", [("delete_model", {})]),
        "endpoint-config": ("EndpointConfigName", "describe_endpoint_config",
                            [("delete_endpoint_config", {})]),
        "endpoint": ("EndpointName", "describe_endpoint",
                     [("update_endpoint", {"EndpointConfigName": "spare"}),
                      ("delete_endpoint", {})]),
        "training-job": ("TrainingJobName", "describe_training_job",
                         [("stop_training_job", {}), ("delete_training_job", {})]),
        "processing-job": ("ProcessingJobName", "describe_processing_job",
                           [("stop_processing_job", {})]),
        "transform-job": ("TransformJobName", "describe_transform_job",
                          [("stop_transform_job", {})]),
        "notebook-instance": ("NotebookInstanceName", "describe_notebook_instance",
                              [("stop_notebook_instance", {}), ("start_notebook_instance", {}),
                               ("update_notebook_instance", {"VolumeSizeInGB": 50}),
                               ("delete_notebook_instance", {}),
                               ("create_presigned_notebook_instance_url", {})]),
        "notebook-instance-lifecycle-config": (
            "NotebookInstanceLifecycleConfigName", "describe_notebook_instance_lifecycle_config",
            [("update_notebook_instance_lifecycle_config",
              {"OnStart": [{"Content": "ZWNobyBwd25lZA=="}]}),
             ("delete_notebook_instance_lifecycle_config", {})]),
    }
    NAME = "PROTECTED"
    SPELLINGS = ("protected", "Protected", "PROTECTED")
    TAGS = [{"Key": "owner", "Value": "admin"}]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sm = cls.sm()
        role = cls.server.sagemaker_role()
        n = cls.NAME
        sm.create_model(**model_args(n, role), Tags=cls.TAGS)
        sm.create_endpoint_config(**endpoint_config_args(n, n), Tags=cls.TAGS)
        sm.create_endpoint_config(**endpoint_config_args("spare", n))
        sm.create_endpoint(EndpointName=n, EndpointConfigName=n, Tags=cls.TAGS)
        sm.create_training_job(**training_job_args(n, role), Tags=cls.TAGS)
        sm.create_processing_job(**processing_job_args(n, role), Tags=cls.TAGS)
        sm.create_transform_job(**transform_job_args(n, n), Tags=cls.TAGS)
        sm.create_notebook_instance(**notebook_args(n, role), Tags=cls.TAGS)
        sm.create_notebook_instance_lifecycle_config(
            NotebookInstanceLifecycleConfigName=n, OnStart=[{"Content": "ZWNobyBoaQ=="}],
            Tags=cls.TAGS)
        settled = {
            "describe_endpoint": ("EndpointStatus", "InService"),
            "describe_training_job": ("TrainingJobStatus", "Completed"),
            "describe_processing_job": ("ProcessingJobStatus", "Completed"),
            "describe_transform_job": ("TransformJobStatus", "Completed"),
            "describe_notebook_instance": ("NotebookInstanceStatus", "InService"),
        }
        for kind, (member, describe, _) in cls.KINDS.items():
            if describe in settled:
                field, status = settled[describe]
                got = wait_until(lambda: getattr(sm, describe)(**{member: n}),
                                 lambda r: r[field] == status)
                if got[field] != status:
                    raise AssertionError("%s %s did not reach %s: %r" % (kind, n, status, got))
        cls.arns = {kind: "arn:aws:sagemaker:us-east-1:%s:%s/%s" % (cls.account, kind, n.lower())
                    for kind in cls.KINDS}
        cls.attacker, cls.attacker_creds = cls.make_user(
            "mallory", policy(allow(["iam:*", "sagemaker:*"]),
                              deny("sagemaker:*", sorted(cls.arns.values()))))
        cls.attacker_arn = cls.attacker["Arn"]

    def arn_spellings(self, kind):
        """The resource's ARN as stored (name lower-cased) and with the name in other cases."""
        stored = self.arns[kind]
        prefix = stored[:stored.rindex("/") + 1]
        return [stored, prefix + self.NAME, prefix + "Protected"]

    def state(self, kind):
        """What admin sees of the resource: its description and its tags."""
        member, describe, _ = self.KINDS[kind]
        sm = self.sm()
        described = without_metadata(getattr(sm, describe)(**{member: self.NAME}))
        return described, sm.list_tags(ResourceArn=self.arns[kind])["Tags"]

    def assertDenied(self, fn, operation, kind, refusals=None):
        message = denied(self.attacker_arn, "sagemaker:" + operation, self.arns[kind])
        e = self.assertClientError(fn, SM_DENIED, status=400, message=message)
        if refusals is not None:
            refusals[request_id_of(e)] = (operation, message)
        return e

    def test_calls_by_name_in_any_case_are_denied(self):
        sm = self.sm(self.attacker_creds)
        api = sm.meta.method_to_api_mapping
        refusals = {}
        for kind, (member, describe, others) in self.KINDS.items():
            before = self.state(kind)
            for name in self.SPELLINGS:
                for method, extra in [(describe, {})] + others:
                    with self.subTest(kind=kind, spelled=name, operation=api[method]):
                        call = getattr(sm, method)
                        args = dict(extra, **{member: name})
                        self.assertDenied(lambda: call(**args), api[method], kind, refusals)
            with self.subTest(kind=kind, check="unchanged"):
                self.assertEqual(self.state(kind), before)
        # Event history finds every refused call under the stored name, whatever the spelling.
        self.assertRecordedUnder(self.NAME, refusals, SM_DENIED)

    def test_tag_calls_by_arn_in_any_case_are_denied(self):
        sm = self.sm(self.attacker_creds)
        refusals = {}
        for kind in self.KINDS:
            before = self.state(kind)
            for arn in self.arn_spellings(kind):
                with self.subTest(kind=kind, arn=arn):
                    self.assertDenied(lambda: sm.list_tags(ResourceArn=arn), "ListTags", kind,
                                      refusals)
                    self.assertDenied(lambda: sm.add_tags(
                        ResourceArn=arn, Tags=[{"Key": "owner", "Value": "mallory"}]),
                        "AddTags", kind, refusals)
                    self.assertDenied(lambda: sm.delete_tags(ResourceArn=arn,
                                                             TagKeys=["owner"]),
                                      "DeleteTags", kind, refusals)
            with self.subTest(kind=kind, check="unchanged"):
                self.assertEqual(self.state(kind), before)
                self.assertEqual(before[1], self.TAGS)
        self.assertRecordedUnder(self.NAME, refusals, SM_DENIED)

    def test_calls_naming_a_protected_resource_as_their_second_are_denied(self):
        """Deploying the protected config, or running the protected model, under a new name."""
        sm = self.sm(self.attacker_creds)
        for spelling in self.SPELLINGS:
            with self.subTest(operation="CreateEndpoint", config=spelling):
                self.assertDenied(lambda: sm.create_endpoint(EndpointName="mine-" + spelling,
                                                             EndpointConfigName=spelling),
                                  "CreateEndpoint", "endpoint-config")
                self.assertMissing(lambda: self.sm().describe_endpoint(
                    EndpointName="mine-" + spelling))
            with self.subTest(operation="CreateTransformJob", model=spelling):
                self.assertDenied(lambda: sm.create_transform_job(
                    **dict(transform_job_args("mine-" + spelling, spelling))),
                    "CreateTransformJob", "model")
                self.assertMissing(lambda: self.sm().describe_transform_job(
                    TransformJobName="mine-" + spelling))
        with self.subTest(operation="UpdateEndpoint"):
            self.assertDenied(lambda: sm.update_endpoint(EndpointName="nosuch",
                                                         EndpointConfigName="PROTECTED"),
                              "UpdateEndpoint", "endpoint-config")
        self.assertCliError(
            self.cli("sagemaker", "create-endpoint", "--endpoint-name", "mine-cli",
                     "--endpoint-config-name", "protected", creds=self.attacker_creds),
            SM_DENIED, "CreateEndpoint",
            message=denied(self.attacker_arn, "sagemaker:CreateEndpoint",
                           self.arns["endpoint-config"]))

    def test_members_the_operation_does_not_define_choose_no_resource(self):
        """SageMaker ignores members its input does not define; they must not pick the resource
        the call is authorized (and recorded) against either. Raw signed requests, since the
        SDKs refuse unknown members."""
        key, secret = self.attacker_creds.key, self.attacker_creds.secret

        def call(op, body):
            return self.server.signed_request("SageMaker." + op, body=json.dumps(body).encode(),
                                              access_key=key, secret=secret)

        decoys = {"ModelName": "decoy", "EndpointName": "decoy", "TrainingJobName": "decoy",
                  "EndpointConfigName": "decoy"}
        for kind in self.KINDS:
            before = self.state(kind)
            for op, body in (
                    ("AddTags", {"ResourceArn": self.arns[kind],
                                 "Tags": [{"Key": "owner", "Value": "mallory"}]}),
                    ("DeleteTags", {"ResourceArn": self.arns[kind], "TagKeys": ["owner"]}),
                    ("ListTags", {"ResourceArn": self.arns[kind]})):
                for member, value in decoys.items():
                    with self.subTest(kind=kind, operation=op, extra=member):
                        status, _, out = call(op, dict(body, **{member: value}))
                        self.assertEqual(status, 400, out)
                        err = json.loads(out)
                        self.assertEqual(err["__type"], SM_DENIED)
                        self.assertEqual(err["message"], denied(
                            self.attacker_arn, "sagemaker:" + op, self.arns[kind]))
            with self.subTest(kind=kind, check="unchanged"):
                self.assertEqual(self.state(kind), before)
        for member, value in decoys.items():
            with self.subTest(operation="CreatePresignedNotebookInstanceUrl", extra=member):
                status, _, out = call("CreatePresignedNotebookInstanceUrl",
                                      {"NotebookInstanceName": self.NAME, member: value})
                self.assertEqual(status, 400, out)
                self.assertEqual(json.loads(out)["message"], denied(
                    self.attacker_arn, "sagemaker:CreatePresignedNotebookInstanceUrl",
                    self.arns["notebook-instance"]))
        # The decoys are in no record's resources.
        self.assertEqual(self.lookup("ResourceName", "decoy"), [])

    def test_denied_with_the_cli(self):
        model_arn = self.arns["model"]
        self.assertCliError(
            self.cli("sagemaker", "describe-model", "--model-name", "protected",
                     creds=self.attacker_creds),
            SM_DENIED, "DescribeModel",
            message=denied(self.attacker_arn, "sagemaker:DescribeModel", model_arn))
        self.assertCliError(
            self.cli("sagemaker", "delete-model", "--model-name", "Protected",
                     creds=self.attacker_creds),
            SM_DENIED, "DeleteModel",
            message=denied(self.attacker_arn, "sagemaker:DeleteModel", model_arn))
        upper = model_arn[:model_arn.rindex("/") + 1] + "PROTECTED"
        self.assertCliError(
            self.cli("sagemaker", "add-tags", "--resource-arn", upper, "--tags",
                     "Key=owner,Value=mallory", creds=self.attacker_creds),
            SM_DENIED, "AddTags",
            message=denied(self.attacker_arn, "sagemaker:AddTags", model_arn))
        self.assertEqual(self.sm().list_tags(ResourceArn=model_arn)["Tags"], self.TAGS)
        self.assertEqual(self.sm().describe_model(ModelName="PROTECTED")["ModelName"],
                         "PROTECTED")

    def test_other_resources_stay_reachable(self):
        """The attacker's Allow works where no Deny applies (the refusals above are the
        Deny's)."""
        sm = self.sm(self.attacker_creds)
        arn = sm.create_model(**model_args("Mine", self.server.sagemaker_role()))["ModelArn"]
        self.assertEqual(sm.describe_model(ModelName="MINE")["ModelName"], "Mine")
        sm.add_tags(ResourceArn=arn[:arn.rindex("/") + 1] + "MINE",
                    Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(sm.list_tags(ResourceArn=arn)["Tags"], [{"Key": "k", "Value": "v"}])


# ---------------------------------------------------------------------------------------------
# 2. Credentials and trust policies bound to the principal, not to its name
# ---------------------------------------------------------------------------------------------
class SuccessorCredentialsTest(SecurityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_arn = "arn:aws:iam::%s:user/admin" % cls.account

    def test_role_session_outlives_neither_the_role_nor_its_name(self):
        for old, new in (("Temp", "Temp"), ("TempCase", "tempcase")):
            with self.subTest(deleted=old, recreated=new):
                role = self.make_role(old, trust(self.admin_arn))
                session, _ = self.assume(role["Arn"], "ss")
                self.assertEqual(self.sts(session).get_caller_identity()["Arn"],
                                 "arn:aws:sts::%s:assumed-role/%s/ss" % (self.account, old))
                self.assertClientError(lambda: self.sm(session).list_models(), SM_DENIED)
                self.delete_role(old)
                successor = self.make_role(new, trust(self.admin_arn),
                                           managed=(ADMIN_POLICY_ARN,))
                self.assertNotEqual(successor["RoleId"], role["RoleId"])
                self.assertRefusedCredentials(session)
                # The successor's own sessions have its rights.
                fresh, _ = self.assume(successor["Arn"], "ss")
                self.assertIn("Models", self.sm(fresh).list_models())

    def test_user_sessions_outlive_neither_the_user_nor_its_name(self):
        name = "tmpu"
        user, creds = self.make_user(name, policy(allow("sts:GetFederationToken")))
        session = Creds.of(self.sts(creds).get_session_token()["Credentials"])
        federated = Creds.of(self.sts(creds).get_federation_token(
            Name="fed", Policy=policy(allow("*")))["Credentials"])
        for label, c in (("GetSessionToken", session), ("GetFederationToken", federated)):
            with self.subTest(credentials=label, check="before"):
                self.assertClientError(lambda: self.sm(c).list_models(), SM_DENIED)
        self.delete_user(name)
        successor, _ = self.make_user(name, managed=(ADMIN_POLICY_ARN,), key=False)
        self.assertEqual(successor["Arn"], user["Arn"])
        self.assertNotEqual(successor["UserId"], user["UserId"])
        for label, c in (("GetSessionToken", session), ("GetFederationToken", federated)):
            with self.subTest(credentials=label):
                self.assertRefusedCredentials(c)
        # A successor spelled in another case is no different.
        _, creds2 = self.make_user("TmpV")
        session2 = Creds.of(self.sts(creds2).get_session_token()["Credentials"])
        self.delete_user("TmpV")
        self.make_user("tmpv", managed=(ADMIN_POLICY_ARN,), key=False)
        with self.subTest(credentials="GetSessionToken", recreated="tmpv"):
            self.assertRefusedCredentials(session2)

    def assertTrustShowsId(self, role_name, stale_arn, unique_id):
        """GetRole (boto3 and the CLI) shows the deleted principal's unique id in its place."""
        doc = self.iam().get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        self.assertEqual(doc["Statement"][0]["Principal"], {"AWS": unique_id})
        self.assertNotIn(stale_arn, json.dumps(doc))
        out = self.assertCliOk(self.cli("iam", "get-role", "--role-name", role_name))
        self.assertEqual(
            out["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"],
            unique_id)
        listed = [r for r in self.iam().list_roles()["Roles"] if r["RoleName"] == role_name]
        self.assertEqual(listed[0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
                         {"AWS": unique_id})

    def test_trust_policy_naming_a_deleted_user(self):
        may_assume = policy(allow("sts:AssumeRole"))
        alice, creds = self.make_user("alice", may_assume)
        gate = self.make_role("Gate", trust(alice["Arn"]), policy(allow("sagemaker:*")))
        self.assume(gate["Arn"], "before", creds=creds)
        self.delete_user("alice")
        new_alice, new_creds = self.make_user("alice", may_assume)
        self.assertEqual(new_alice["Arn"], alice["Arn"])
        e = self.assertClientError(
            lambda: self.assume(gate["Arn"], "after", creds=new_creds), IAM_DENIED, status=403,
            message="User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                    % (alice["Arn"], gate["Arn"]))
        self.assertCliError(self.cli("sts", "assume-role", "--role-arn", gate["Arn"],
                                     "--role-session-name", "after", creds=new_creds),
                            IAM_DENIED, "AssumeRole", message=e.response["Error"]["Message"])
        self.assertRegex(alice["UserId"], r"^AIDA")
        self.assertTrustShowsId("Gate", alice["Arn"], alice["UserId"])
        # Saving the trust policy again names the new alice.
        self.iam().update_assume_role_policy(RoleName="Gate", PolicyDocument=trust(alice["Arn"]))
        session, _ = self.assume(gate["Arn"], "again", creds=new_creds)
        self.assertIn("Models", self.sm(session).list_models())

    def test_trust_policy_naming_a_deleted_role(self):
        may_assume = policy(allow("sts:AssumeRole"))
        hopper = self.make_role("Hopper", trust(self.admin_arn), may_assume)
        gate = self.make_role("Gate2", trust(hopper["Arn"]), policy(allow("sagemaker:*")))
        old_session, _ = self.assume(hopper["Arn"], "hop")
        self.assume(gate["Arn"], "before", creds=old_session)
        self.delete_role("Hopper")
        new_hopper = self.make_role("Hopper", trust(self.admin_arn), may_assume)
        self.assertEqual(new_hopper["Arn"], hopper["Arn"])
        new_session, _ = self.assume(new_hopper["Arn"], "hop")
        self.assertClientError(
            lambda: self.assume(gate["Arn"], "after", creds=new_session), IAM_DENIED,
            status=403,
            message="User: arn:aws:sts::%s:assumed-role/Hopper/hop is not authorized to perform: "
                    "sts:AssumeRole on resource: %s" % (self.account, gate["Arn"]))
        self.assertRegex(hopper["RoleId"], r"^AROA")
        self.assertTrustShowsId("Gate2", hopper["Arn"], hopper["RoleId"])
        self.assertRefusedCredentials(old_session)


# ---------------------------------------------------------------------------------------------
# 3. iam:PassRole
# ---------------------------------------------------------------------------------------------
class NonUserCallersTest(SecurityTestCase):
    """IAM operations about "the calling user" (GetUser, the access-key operations) default to the
    caller only for users. A role's or a federated user's session that names no user is refused
    with IAM's ValidationError, and can never reach the root user's keys."""

    MESSAGE = "Must specify userName when calling with non-User credentials"

    def root_keys(self):
        return self.iam(profile="root").list_access_keys()["AccessKeyMetadata"]

    def sessions(self):
        role = self.make_role("KeyOps", trust("arn:aws:iam::%s:user/admin" % self.account),
                              policy(allow("iam:*")))
        assumed, _ = self.assume(role["Arn"], "keys")
        _, creds = self.make_user("fedmaker", policy(allow(["sts:GetFederationToken", "iam:*"])))
        federated = Creds.of(self.sts(creds).get_federation_token(
            Name="fed", Policy=policy(allow("*")))["Credentials"])
        return (("AssumeRole", assumed), ("GetFederationToken", federated))

    def test_sessions_that_name_no_user_are_refused(self):
        before = self.root_keys()
        root_key = before[0]["AccessKeyId"]
        calls = (
            ("GetUser", lambda iam: iam.get_user()),
            ("CreateAccessKey", lambda iam: iam.create_access_key()),
            ("ListAccessKeys", lambda iam: iam.list_access_keys()),
            ("UpdateAccessKey",
             lambda iam: iam.update_access_key(AccessKeyId=root_key, Status="Inactive")),
            ("DeleteAccessKey", lambda iam: iam.delete_access_key(AccessKeyId=root_key)),
        )
        for label, creds in self.sessions():
            for op, call in calls:
                with self.subTest(session=label, operation=op):
                    e = self.assertClientError(lambda: call(self.iam(creds)), "ValidationError",
                                               message=self.MESSAGE, status=400)
                    # Recorded as the failed call it is.
                    _, rec = self.record(request_id_of(e), "EventName", op)
                    self.assertEqual(rec["errorCode"], "ValidationError")
                    self.assertEqual(rec["errorMessage"], self.MESSAGE)
            with self.subTest(session=label, client="cli"):
                self.assertCliError(self.cli("iam", "create-access-key", creds=creds),
                                    "ValidationError", "CreateAccessKey", message=self.MESSAGE)
        after = self.root_keys()
        self.assertEqual([(k["AccessKeyId"], k["Status"]) for k in after],
                         [(k["AccessKeyId"], k["Status"]) for k in before])
        self.assertIn("Models", self.sm(profile="root").list_models())
        # Naming a user works for a session allowed to act on it.
        for label, creds in self.sessions_named():
            with self.subTest(session=label, named=True):
                keys = self.iam(creds).list_access_keys(UserName="fedmaker")["AccessKeyMetadata"]
                self.assertEqual(len(keys), 1)

    def sessions_named(self):
        assumed, _ = self.assume("arn:aws:iam::%s:role/KeyOps" % self.account, "named")
        return (("AssumeRole", assumed),)


class PassRoleTest(SecurityTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role = cls.server.sagemaker_role()  # trusts sagemaker.amazonaws.com
        cls.other_role = cls.server.sagemaker_role("OtherSageMakerRole")
        sm = cls.sm()
        sm.create_model(**model_args("pass-base", cls.role))
        # A notebook instance (Stopped, as UpdateNotebookInstance requires) to hand roles to.
        sm.create_notebook_instance(**notebook_args("pass-nb", cls.role))
        wait_until(lambda: sm.describe_notebook_instance(NotebookInstanceName="pass-nb"),
                   lambda r: r["NotebookInstanceStatus"] == "InService")
        sm.stop_notebook_instance(NotebookInstanceName="pass-nb")
        cls.wait_stopped()

    @classmethod
    def wait_stopped(cls):
        sm = cls.sm()
        r = wait_until(lambda: sm.describe_notebook_instance(NotebookInstanceName="pass-nb"),
                       lambda r: r["NotebookInstanceStatus"] == "Stopped")
        if r["NotebookInstanceStatus"] != "Stopped":
            raise AssertionError("pass-nb did not stop: %r" % r)

    def assertPassRoleDenied(self, creds, caller_arn, role_given, role_stored, why, tag):
        """Every call that hands SageMaker `role_given` is refused for want of iam:PassRole on
        `role_stored`, creates nothing and is recorded as refused."""
        sm = self.sm(creds)
        message = denied(caller_arn, "iam:PassRole", role_stored, why)
        ids = []
        for create, make_args, describe, member in ROLE_CREATIONS:
            name = "%s-%s" % (tag, create.split("_", 1)[1].replace("_", "-"))
            with self.subTest(operation=create, role=role_given):
                e = self.assertClientError(lambda: getattr(sm, create)(**make_args(name,
                                                                                   role_given)),
                                           SM_DENIED, message=message, status=400)
                ids.append((request_id_of(e), sm.meta.method_to_api_mapping[create]))
                self.assertMissing(lambda: getattr(self.sm(), describe)(**{member: name}))
        with self.subTest(operation="update_notebook_instance", role=role_given):
            e = self.assertClientError(
                lambda: sm.update_notebook_instance(NotebookInstanceName="pass-nb",
                                                    RoleArn=role_given),
                SM_DENIED, message=message, status=400)
            ids.append((request_id_of(e), "UpdateNotebookInstance"))
            self.assertEqual(self.sm().describe_notebook_instance(
                NotebookInstanceName="pass-nb")["RoleArn"], self.role)
        for rid, op in ids:
            with self.subTest(recorded=op):
                ev, rec = self.record(rid, "EventName", op)
                self.assertEqual(rec["errorCode"], SM_DENIED)
                self.assertEqual(rec["errorMessage"], message)
                self.assertEqual(rec["userIdentity"]["arn"], caller_arn)

    def test_sagemaker_alone_may_not_pass_a_role(self):
        user, creds = self.make_user("smonly", policy(allow("sagemaker:*")))
        self.assertPassRoleDenied(creds, user["Arn"], self.other_role, self.other_role,
                                  implicit("iam:PassRole"), "nopass")
        self.assertCliError(
            self.cli("sagemaker", "create-model", "--model-name", "cli-nopass",
                     "--primary-container", "Image=" + IMAGE, "--execution-role-arn",
                     self.role, creds=creds),
            SM_DENIED, "CreateModel",
            message=denied(user["Arn"], "iam:PassRole", self.role, implicit("iam:PassRole")))
        # Without a role, the same user creates a model: only the role was missing.
        self.sm(creds).create_model(ModelName="roleless", PrimaryContainer={"Image": IMAGE})

    def test_the_role_in_another_case_needs_pass_role_on_the_stored_role(self):
        lower = self.role.lower()
        self.assertNotEqual(lower, self.role)
        upper = self.role[:self.role.rindex("/") + 1] + "SAGEMAKERROLE"
        # Allowed to pass a role spelled in lower case only: no Allow on the stored role.
        user, creds = self.make_user("lowpass", policy(allow("sagemaker:*"),
                                                       allow("iam:PassRole", lower)))
        self.assertPassRoleDenied(creds, user["Arn"], lower, self.role,
                                  implicit("iam:PassRole"), "lowpass")
        # Denied PassRole on the stored role: the upper-case spelling is denied as well.
        user, creds = self.make_user("denypass",
                                     policy(allow(["sagemaker:*", "iam:PassRole"]),
                                            deny("iam:PassRole", self.role)))
        self.assertPassRoleDenied(creds, user["Arn"], upper, self.role, EXPLICIT, "denypass")

    def test_sagemaker_full_access_passes_roles_to_sagemaker(self):
        user, creds = self.make_user("full", managed=(SAGEMAKER_FULL_ACCESS,))
        sm = self.sm(creds)
        for create, make_args, describe, member in ROLE_CREATIONS:
            name = "full-" + create.split("_", 1)[1].replace("_", "-")
            with self.subTest(operation=create):
                getattr(sm, create)(**make_args(name, self.role))
                self.assertIn(name, json.dumps(getattr(self.sm(), describe)(**{member: name}),
                                               default=str))
        sm.update_notebook_instance(NotebookInstanceName="pass-nb", RoleArn=self.other_role)
        self.assertEqual(self.sm().describe_notebook_instance(
            NotebookInstanceName="pass-nb")["RoleArn"], self.other_role)
        self.wait_stopped()
        sm.update_notebook_instance(NotebookInstanceName="pass-nb", RoleArn=self.role)
        self.wait_stopped()


# ---------------------------------------------------------------------------------------------
# 4. SageMaker checks that it may assume the role
# ---------------------------------------------------------------------------------------------
class SageMakerAssumesTheRoleTest(SecurityTestCase):

    @staticmethod
    def cannot_assume(role_arn):
        return ("Could not assume role %s. Please ensure that the role exists and allows "
                "principal 'sagemaker.amazonaws.com' to assume the role." % role_arn)

    def test_missing_or_untrusting_role_is_refused(self):
        ec2_trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
        ec2_role = self.iam().create_role(RoleName="Ec2Only",
                                          AssumeRolePolicyDocument=ec2_trust)["Role"]["Arn"]
        missing = "arn:aws:iam::%s:role/NoSuchRole" % self.account
        good = self.server.sagemaker_role()
        sm = self.sm()
        sm.create_model(**model_args("pass-base", good))
        for label, role in (("missing", missing), ("ec2 only", ec2_role)):
            for create, make_args, describe, member in ROLE_CREATIONS:
                name = "%s-%s" % (label.split()[0], create.split("_", 1)[1].replace("_", "-"))
                with self.subTest(role=label, operation=create):
                    self.assertClientError(lambda: getattr(sm, create)(**make_args(name, role)),
                                           "ValidationException", status=400,
                                           message=self.cannot_assume(role))
                    self.assertMissing(lambda: getattr(sm, describe)(**{member: name}))
        self.assertCliError(self.cli("sagemaker", "create-model", "--model-name", "cli-ec2",
                                     "--primary-container", "Image=" + IMAGE,
                                     "--execution-role-arn", ec2_role),
                            "ValidationException", "CreateModel",
                            message=self.cannot_assume(ec2_role))
        # A role that trusts SageMaker is accepted by every one of them.
        for create, make_args, describe, member in ROLE_CREATIONS:
            name = "good-" + create.split("_", 1)[1].replace("_", "-")
            with self.subTest(role="trusts sagemaker", operation=create):
                getattr(sm, create)(**make_args(name, good))
                self.assertIn(name, json.dumps(getattr(sm, describe)(**{member: name}),
                                               default=str))

    def test_transform_job_on_a_model_whose_role_is_gone(self):
        sm = self.sm()
        doomed = self.server.sagemaker_role("Doomed")
        sm.create_model(**model_args("doomed-model", doomed))
        sm.create_model(**model_args("kept-model", self.server.sagemaker_role()))
        self.iam().delete_role(RoleName="Doomed")
        self.assertClientError(
            lambda: sm.create_transform_job(**transform_job_args("orphan", "doomed-model")),
            "ValidationException", status=400, message=self.cannot_assume(doomed))
        self.assertMissing(lambda: sm.describe_transform_job(TransformJobName="orphan"))
        sm.create_transform_job(**transform_job_args("kept", "kept-model"))
        self.assertEqual(sm.describe_transform_job(TransformJobName="kept")["ModelName"],
                         "kept-model")


if __name__ == "__main__":
    unittest.main()
