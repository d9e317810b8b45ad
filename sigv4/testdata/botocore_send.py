"""Sign requests the way the AWS CLI does (botocore SigV4Auth) and send them.

Reads a JSON list of requests on stdin and prints a JSON list of
{"status", "body", "authorization"} on stdout, one per request.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpsession import URLLib3Session
from botocore.utils import percent_encode_sequence


def send(session, spec):
    url = spec["endpoint"] + spec["path"]
    params = None
    if spec.get("query"):
        if spec.get("query_as_params"):
            # AWSRequest then writes spaces as '+' on the wire but signs %20.
            params = spec["query"]
        else:
            # What botocore's serializer does for restJson1 query members.
            url += "?" + percent_encode_sequence(spec["query"])
    req = AWSRequest(
        method=spec["method"],
        url=url,
        data=spec["body"].encode(),
        headers=spec.get("headers") or {},
        params=params,
    )
    creds = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
    SigV4Auth(creds, "security-ir", spec["region"]).add_auth(req)
    resp = session.send(req.prepare())
    return {
        "status": resp.status_code,
        "body": resp.content.decode(),
        "authorization": req.headers["Authorization"],
    }


def main():
    session = URLLib3Session()
    print(json.dumps([send(session, spec) for spec in json.load(sys.stdin)]))


if __name__ == "__main__":
    main()
