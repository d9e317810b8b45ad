"""Shared helpers of the boto3 end-to-end scripts.

The Go tests run each script with SIRD_ENDPOINT (the server's URL) and
SIRD_CREDS (a JSON object of name -> [access key, secret]). A script records
failed checks with check()/eq() and ends with done(), which prints one JSON
line ({"failures": [...], ...results}) and exits 1 if any check failed.
An exception escaping the script also fails the test (with its traceback).
"""

import datetime
import json
import os
import sys
import traceback
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ["SIRD_ENDPOINT"]
CREDS = json.loads(os.environ.get("SIRD_CREDS", "{}"))
FAILURES = []
_session = boto3.session.Session()
_clients = {}


def client(who, region="us-east-1"):
    """A security-ir client for the named credentials, cached per region."""
    key = (who, region)
    if key not in _clients:
        ak, sk = CREDS[who]
        _clients[key] = _session.client(
            "security-ir",
            endpoint_url=ENDPOINT,
            region_name=region,
            aws_access_key_id=ak,
            aws_secret_access_key=sk,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
    return _clients[key]


def _where():
    # The caller of check/eq/expect_error, for the failure message.
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not frame.filename.endswith("sirdtest.py"):
            return "%s:%d" % (os.path.basename(frame.filename), frame.lineno)
    return "?"


def check(cond, msg):
    if not cond:
        FAILURES.append("%s: %s" % (_where(), msg))
    return cond


def eq(got, want, what):
    return check(got == want, "%s: got %r, want %r" % (what, got, want))


def expect_error(code, fn, *args, **kwargs):
    """Calls fn expecting a ClientError with the given code; returns the
    parsed error response (modeled members such as resourceId at top level)."""
    try:
        out = fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, "%s: got %s (%s), want %s" % (
            getattr(fn, "__name__", fn), got, e.response["Error"].get("Message"), code))
        return e.response
    FAILURES.append("%s: %s succeeded (%r), want %s" % (
        _where(), getattr(fn, "__name__", fn), strip(out), code))
    return {}


def strip(resp):
    """A response without ResponseMetadata."""
    if isinstance(resp, dict):
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}
    return resp


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def near(got, lo, hi, what):
    """Checks a datetime lies within [lo-1s, hi+1s]."""
    slack = datetime.timedelta(seconds=1)
    return check(isinstance(got, datetime.datetime) and lo - slack <= got <= hi + slack,
                 "%s: %r not within %s .. %s" % (what, got, lo, hi))


def http(method, url, data=None, headers=None):
    """A plain HTTP request with urllib: (status, headers with lower-case
    names, body)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def done(**results):
    results["failures"] = FAILURES
    print(json.dumps(results, default=str))
    sys.exit(1 if FAILURES else 0)
