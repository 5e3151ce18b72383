#!/usr/bin/env python3
"""Pre-signed SageMaker request pools for wrk (replayed by ../shared/peer-bench/presigned.lua),
for the operations peer-bench's own mkpool.py does not cover. Sets up what the operation needs
first (a model, an endpoint config, an in-service endpoint) with boto3, then writes one line per
request: X-Amz-Target <TAB> X-Amz-Date <TAB> Authorization <TAB> JSON body.

  python3 bench/mkpool.py --op describe_endpoint|create_endpoint_config \
      --endpoint http://127.0.0.1:PORT --n N --out pool.tsv

Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (any for moto).
"""
import argparse
import json
import os
import sys
import time
import uuid

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-west-2"
IMAGE = "174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def setup(endpoint, tag):
    ak = os.environ.get("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    sk = os.environ.get("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    sm = boto3.client("sagemaker", endpoint_url=endpoint, region_name=REGION,
                      aws_access_key_id=ak, aws_secret_access_key=sk)
    model = "bench-model-" + tag
    sm.create_model(ModelName=model, PrimaryContainer={"Image": IMAGE}, ExecutionRoleArn=ROLE)
    config = "bench-config-" + tag
    sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[{
        "VariantName": "v1", "ModelName": model, "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}])
    return sm, model, config


def params(op, model, endpoint_name, tag, i):
    if op == "describe_endpoint":
        return "SageMaker.DescribeEndpoint", {"EndpointName": endpoint_name}
    if op == "create_endpoint_config":
        return "SageMaker.CreateEndpointConfig", {
            "EndpointConfigName": "bench-cfg-%s-%d" % (tag, i),
            "ProductionVariants": [{"VariantName": "v1", "ModelName": model,
                                    "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]}
    raise SystemExit("unknown op " + op)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--op", required=True, choices=["describe_endpoint", "create_endpoint_config"])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    tag = uuid.uuid4().hex[:8]
    sm, model, config = setup(a.endpoint, tag)
    endpoint_name = ""
    if a.op == "describe_endpoint":
        endpoint_name = "bench-endpoint-" + tag
        sm.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=config)
        for _ in range(600):  # bounded: at most ~60 s
            if sm.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"] == "InService":
                break
            time.sleep(0.1)
    creds = Credentials(os.environ.get("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                        os.environ.get("AWS_SECRET_ACCESS_KEY",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
    with open(a.out, "w") as f:
        for i in range(a.n):
            target, body = params(a.op, model, endpoint_name, tag, i)
            data = json.dumps(body, separators=(",", ":"))
            req = AWSRequest(method="POST", url=a.endpoint.rstrip("/") + "/", data=data.encode(),
                             headers={"Content-Type": "application/x-amz-json-1.1",
                                      "X-Amz-Target": target})
            SigV4Auth(creds, "sagemaker", REGION).add_auth(req)
            f.write("%s\t%s\t%s\t%s\n" % (target, req.headers["X-Amz-Date"],
                                          req.headers["Authorization"], data))


if __name__ == "__main__":
    sys.exit(main())
