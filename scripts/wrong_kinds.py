"""Every SES v2 operation sent each wrong JSON kind at every body member.

Walks the installed botocore `sesv2` model: for each operation with a JSON
body, for each member (and each member of a structure member, one level
down), sends the operation with that member of a wrong kind (a number where
the model says string, a string where it says structure, an object where it
says list, ...), and a body that is not an object at all. Every answer must
be a 4xx with `x-amzn-ErrorType` (never a 2xx, never a 5xx). Requests are
signed with botocore's own SigV4 signer; path labels get a placeholder.

Used by scripts/abuse.py (`wrong_kinds(url, check)`); also runnable alone:

    python3 scripts/wrong_kinds.py http://127.0.0.1:4566
"""
import json
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# What to send instead of a value of each model type.
WRONG = {
    "string": [5, True, [], {}],
    "integer": ["5", True, [], {}],
    "long": ["5", True, [], {}],
    "double": ["5", True, [], {}],
    "float": ["5", True, [], {}],
    "boolean": ["true", 1, [], {}],
    "structure": ["x", 5, [], True],
    "list": ["x", 5, {}, True],
    "map": ["x", 5, [], True],
    "timestamp": [True, [], {}],
    "blob": [5, True, [], {}],
}


def body_members(shape):
    return {n: s for n, s in shape.members.items() if not s.serialization.get("location")}


def cases(op):
    """(description, body) pairs for one operation."""
    shape = op.input_shape
    if shape is None or op.http["method"] in ("GET", "DELETE") or not body_members(shape):
        return
    for whole in ([], "x", 5):
        yield f"a {type(whole).__name__} body", whole
    for name, member in body_members(shape).items():
        for wrong in WRONG.get(member.type_name, []):
            yield f"{name} as {json.dumps(wrong)}", {name: wrong}
        if member.type_name == "structure":
            for child, child_shape in member.members.items():
                for wrong in WRONG.get(child_shape.type_name, [])[:2]:
                    yield f"{name}.{child} as {json.dumps(wrong)}", {name: {child: wrong}}


def path_of(op):
    uri = op.http["requestUri"].split("?")[0]
    for name in op.input_shape.members if op.input_shape else []:
        uri = uri.replace("{" + name + "+}", "placeholder").replace("{" + name + "}", "placeholder")
    return uri


def send(url, op, body, creds):
    data = json.dumps(body).encode()
    req = AWSRequest(method=op.http["method"], url=url + path_of(op), data=data,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(creds, "ses", "us-east-1").add_auth(req)
    r = urllib.request.Request(req.url, data=data, method=req.method, headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.headers.get("x-amzn-ErrorType")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("x-amzn-ErrorType")


def wrong_kinds(url, check):
    """Runs every case against `url`; reports through `check(name, ok, detail)`
    once per operation."""
    model = botocore.session.get_session().get_service_model("sesv2")
    creds = Credentials("AKIDABUSE", "any")
    total = 0
    for name in model.operation_names:
        op = model.operation_model(name)
        bad = []
        n = 0
        for what, body in cases(op):
            n += 1
            status, error_type = send(url, op, body, creds)
            if not (400 <= status < 500 and error_type):
                bad.append(f"{what}: HTTP {status} {error_type or '(no x-amzn-ErrorType)'}")
        total += n
        if n:
            check(f"{name}: {n} wrong-kind bodies, each a 4xx with x-amzn-ErrorType", not bad, "; ".join(bad[:4]))
    return total


if __name__ == "__main__":
    failed = []

    def report(name, ok, detail=""):
        print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        if not ok:
            failed.append(name)

    n = wrong_kinds(sys.argv[1].rstrip("/"), report)
    print(f"wrong-kinds: {n} requests, {len(failed)} operations failed")
    sys.exit(1 if failed else 0)
