#!/usr/bin/env python3
"""End-to-end lifecycle check of a running mailsight server through boto3.

Normally started by scripts/sdk-lifecycle.sh, which starts the server, runs
this script, restarts the server on the same data directory and runs it again
with --after-restart.

    sdk-lifecycle.py --endpoint http://127.0.0.1:PORT --state FILE [--results FILE]
                     [--aws-cli "CMD ..."]
    sdk-lifecycle.py --endpoint http://127.0.0.1:PORT --state FILE --after-restart

The first phase creates configuration sets, event destinations and an
identity, sends to the mailbox simulator and checks every answer against what
Amazon SES v2 answers; it saves what it made in the state file. The second
phase checks that all of it is still there, unchanged, after the restart.

Every check is counted; a failed check is reported with what was expected and
what came back, and the run goes on. The exit status is 1 when any check
failed. With --results, one JSON line {"phase", "passed", "failed"} is
appended to that file so the caller can add up the phases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "any"
SIM = "simulator.amazonses.com"
POLL_SECONDS = 10.0

BOUNCE_GENERAL = {
    "BounceType": "PERMANENT",
    "BounceSubType": "GENERAL",
    "DiagnosticCode": "smtp; 550 5.1.1 user unknown",
}

# recipient local part -> the event types SES records for it, in order
SIMULATOR_CASES = [
    ("success", ["SEND", "DELIVERY"]),
    ("bounce", ["SEND", "BOUNCE"]),
    ("complaint", ["SEND", "DELIVERY", "COMPLAINT"]),
    ("ooto", ["SEND", "DELIVERY"]),
    ("suppressionlist", ["SEND", "BOUNCE"]),
    ("success+sdk-label", ["SEND", "DELIVERY"]),
    ("bounce+sdk-label", ["SEND", "BOUNCE"]),
]


# --------------------------------------------------------------------------
# check bookkeeping


class Checks:
    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.passed = 0
        self.failed = 0
        self.failures: list[str] = []

    def ok(self, cond: bool, what: str, detail: str = "") -> bool:
        if cond:
            self.passed += 1
            print(f"  ok   {what}", flush=True)
        else:
            self.failed += 1
            msg = f"{what}" + (f"\n         {detail}" if detail else "")
            self.failures.append(msg)
            print(f"  FAIL {msg}", flush=True)
        return cond

    def eq(self, got, want, what: str) -> bool:
        return self.ok(got == want, what, f"expected {show(want)}\n         got      {show(got)}")

    def raises(self, client, code: str, what: str, fn, **kwargs) -> dict | None:
        """fn(**kwargs) must fail with the modelled exception `code`, caught
        as client.exceptions.<code> (so the SDK itself maps the error)."""
        exc_class = getattr(client.exceptions, code)
        try:
            out = fn(**kwargs)
        except exc_class as e:
            err = e.response.get("Error", {})
            self.ok(True, f"{what} -> {code} ({err.get('Message', '')!r})")
            return e.response
        except ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            self.ok(False, f"{what} -> {code}", f"got error {err.get('Code')!r} (HTTP {status}): {err.get('Message')!r}")
            return None
        except Exception as e:  # noqa: BLE001 - any other failure is a failed check
            self.ok(False, f"{what} -> {code}", f"got {type(e).__name__}: {e}")
            return None
        self.ok(False, f"{what} -> {code}", f"the call succeeded: {show(strip(out))}")
        return None

    def call(self, what: str, fn, **kwargs):
        """fn(**kwargs) must succeed; counts as one check. Returns the answer
        without ResponseMetadata, or None when it failed."""
        try:
            out = fn(**kwargs)
        except ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            self.ok(False, what, f"got error {err.get('Code')!r} (HTTP {status}): {err.get('Message')!r}")
            return None
        except Exception as e:  # noqa: BLE001
            self.ok(False, what, f"got {type(e).__name__}: {e}")
            return None
        self.ok(True, what)
        return strip(out)



def user_tags(insights):
    """EmailTags without SES's auto-tags (`ses:*`), which insights also list."""
    return [t for t in (insights or {}).get("EmailTags", []) if not t["Name"].startswith("ses:")]

def strip(resp):
    if isinstance(resp, dict):
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}
    return resp


def plain(value):
    """JSON-able copy (datetimes as ISO strings)."""
    return json.loads(json.dumps(value, default=lambda o: o.isoformat() if isinstance(o, dt.datetime) else str(o)))


def show(value) -> str:
    text = json.dumps(plain(value), sort_keys=True)
    return text if len(text) < 1500 else text[:1500] + "…"


# --------------------------------------------------------------------------
# helpers


def make_client(endpoint: str):
    return boto3.client(
        "sesv2",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


def signed_request(endpoint: str, method: str, path: str, body: dict | None = None,
                   query: dict | None = None) -> tuple[int, dict]:
    """A SigV4-signed REST-JSON request for a route this boto3 has no method for."""
    data = json.dumps(body).encode() if body is not None else b""
    url = endpoint.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "ses", REGION).add_auth(req)
    prepared = req.prepare()
    http_req = urllib.request.Request(prepared.url, data=data if body is not None else None, method=method,
                                      headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(http_req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"{}")
        except ValueError:
            return e.code, {"raw": raw.decode(errors="replace")}


def list_sets_by_hand(endpoint: str, route: str, page_size, token, name_filter=None) -> tuple[int, dict]:
    """ListConfigurationSets through `route` ("GET …" or "POST …"), signed by hand."""
    method, path = route.split(" ", 1)
    if method == "POST":
        body = {}
        if page_size is not None:
            body["PageSize"] = page_size
        if token:
            body["NextToken"] = token
        if name_filter:
            body["Filter"] = name_filter
        return signed_request(endpoint, "POST", path, body=body)
    query = {}
    if page_size is not None:
        query["PageSize"] = str(page_size)
    if token:
        query["NextToken"] = token
    return signed_request(endpoint, "GET", path, query=query)


def simple_content(subject: str, text: str) -> dict:
    return {"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}}


def event_types(insights: dict | None) -> list[list[str]]:
    if not insights:
        return []
    return [[e.get("Type") for e in i.get("Events", [])] for i in insights.get("Insights", [])]


def poll_insights(client, message_id: str, want_types: list[str], timeout: float = POLL_SECONDS):
    """Polls GetMessageInsights until the (single) destination's event types
    equal want_types. Returns (last answer, types seen, reached)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = strip(client.get_message_insights(MessageId=message_id))
        except ClientError as e:
            last = {"error": e.response.get("Error")}
        types = event_types(last)
        seen = types[0] if len(types) == 1 else types
        if seen == want_types:
            return last, seen, True
        # a sequence that is not a prefix of the expected one will never become it
        if len(types) == 1 and seen != want_types[: len(seen)]:
            return last, seen, False
        if time.monotonic() > deadline:
            return last, seen, False
        time.sleep(0.15)


def check_event_details(ck: Checks, local: str, dest: str, insights: dict) -> None:
    entries = insights.get("Insights", [])
    entry = entries[0] if entries else {}
    ck.eq(entry.get("Destination"), dest, f"[{local}] Insights[0].Destination")
    events = entry.get("Events", [])
    stamps = [e.get("Timestamp") for e in events]
    ck.ok(all(isinstance(s, dt.datetime) for s in stamps) and stamps == sorted(stamps),
          f"[{local}] event Timestamps are timestamps in ascending order", f"got {show(stamps)}")
    by_type = {e.get("Type"): e for e in events}
    base = local.split("+", 1)[0]
    if base == "bounce":
        ck.eq((by_type.get("BOUNCE", {}).get("Details") or {}).get("Bounce"), BOUNCE_GENERAL,
              f"[{local}] BOUNCE Details.Bounce")
    elif base == "suppressionlist":
        bounce = (by_type.get("BOUNCE", {}).get("Details") or {}).get("Bounce") or {}
        ck.eq(bounce.get("BounceType"), "PERMANENT", f"[{local}] BOUNCE Details.Bounce.BounceType")
        ck.eq(bounce.get("BounceSubType"), "SUPPRESSED", f"[{local}] BOUNCE Details.Bounce.BounceSubType")
    elif base == "complaint":
        complaint = (by_type.get("COMPLAINT", {}).get("Details") or {}).get("Complaint") or {}
        ck.eq(complaint.get("ComplaintFeedbackType"), "abuse",
              f"[{local}] COMPLAINT Details.Complaint.ComplaintFeedbackType")
    for t in ("SEND", "DELIVERY"):
        if t in by_type:
            ck.ok(not (by_type[t].get("Details") or {}).get("Bounce") and not (by_type[t].get("Details") or {}).get("Complaint"),
                  f"[{local}] {t} event carries no Bounce/Complaint details", show(by_type[t]))


# --------------------------------------------------------------------------
# phase 1


def phase_main(endpoint: str, state_path: str, aws_cli: str | None, ck: Checks) -> None:
    c = make_client(endpoint)
    run = uuid.uuid4().hex[:8]
    domain = f"sdk-{run}.example"  # RFC 2606 name; no other identity is a parent of it
    set_name = f"sdk-lifecycle-{run}"
    other_sets = [f"sdk-lifecycle-{run}-b", f"sdk-lifecycle-{run}-c"]
    state: dict = {"run": run, "domain": domain, "set": set_name, "other_sets": other_sets, "messages": []}

    print(f"botocore {botocore.__version__}, boto3 {boto3.__version__}, endpoint {endpoint}")

    # ---- configuration sets ------------------------------------------------
    print("configuration sets")
    set_request = {
        "ConfigurationSetName": set_name,
        "TrackingOptions": {"CustomRedirectDomain": f"track.{domain}", "HttpsPolicy": "REQUIRE"},
        "DeliveryOptions": {"TlsPolicy": "REQUIRE", "SendingPoolName": "sdk-pool", "MaxDeliverySeconds": 900},
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": True},
        "Tags": [{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "ci"}],
    }
    ck.call("CreateConfigurationSet with Tracking/Delivery/Reputation/Sending options and Tags",
            c.create_configuration_set, **set_request)
    got = ck.call("GetConfigurationSet", c.get_configuration_set, ConfigurationSetName=set_name) or {}
    for member in ("ConfigurationSetName", "TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions"):
        ck.eq(got.get(member), set_request[member], f"GetConfigurationSet returns {member} as created")
    ck.eq(sorted(got.get("Tags", []), key=lambda t: t["Key"]), sorted(set_request["Tags"], key=lambda t: t["Key"]),
          "GetConfigurationSet returns Tags as created")
    state["set_answer"] = plain(got)

    # ---- tags ----------------------------------------------------------------
    # Open mode (no keys): a non-numeric key id is account 000000000000.
    set_arn = f"arn:aws:ses:{REGION}:000000000000:configuration-set/{set_name}"
    def listed_tags() -> list:
        out = ck.call("ListTagsForResource", c.list_tags_for_resource, ResourceArn=set_arn) or {}
        return sorted(out.get("Tags", []), key=lambda t: t["Key"])
    ck.eq(listed_tags(), sorted(set_request["Tags"], key=lambda t: t["Key"]),
          "ListTagsForResource lists the Tags given at create")
    ck.call("TagResource (one new key, one replaced)", c.tag_resource, ResourceArn=set_arn,
            Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "sdk"}])
    ck.eq(listed_tags(), [{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "sdk"},
                          {"Key": "team", "Value": "mail"}], "TagResource adds and replaces by key")
    ck.call("UntagResource owner", c.untag_resource, ResourceArn=set_arn, TagKeys=["owner"])
    ck.eq(listed_tags(), [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "mail"}],
          "UntagResource removes the key")
    ck.call("TagResource env=ci (back as created)", c.tag_resource, ResourceArn=set_arn,
            Tags=[{"Key": "env", "Value": "ci"}])
    ck.raises(c, "NotFoundException", "ListTagsForResource of a missing set",
              c.list_tags_for_resource,
              ResourceArn=f"arn:aws:ses:{REGION}:000000000000:configuration-set/missing-{run}")
    ck.raises(c, "NotFoundException", "ListTagsForResource of another account's ARN",
              c.list_tags_for_resource,
              ResourceArn=f"arn:aws:ses:{REGION}:111122223333:configuration-set/{set_name}")
    ck.raises(c, "BadRequestException", "ListTagsForResource of a malformed ARN",
              c.list_tags_for_resource, ResourceArn="not-an-arn")
    ck.raises(c, "BadRequestException", "TagResource with a 129-character key",
              c.tag_resource, ResourceArn=set_arn, Tags=[{"Key": "k" * 129, "Value": "v"}])

    ck.raises(c, "AlreadyExistsException", "CreateConfigurationSet with a name in use",
              c.create_configuration_set, ConfigurationSetName=set_name)
    ck.raises(c, "NotFoundException", "GetConfigurationSet of a missing set",
              c.get_configuration_set, ConfigurationSetName=f"missing-{run}")
    for name in other_sets:
        ck.call(f"CreateConfigurationSet {name} (name only)", c.create_configuration_set, ConfigurationSetName=name)
    tmp_set = f"sdk-lifecycle-{run}-tmp"
    ck.call("CreateConfigurationSet (to delete)", c.create_configuration_set, ConfigurationSetName=tmp_set)
    ck.call("PutConfigurationSetTrackingOptions", c.put_configuration_set_tracking_options,
            ConfigurationSetName=tmp_set, CustomRedirectDomain=f"click.{domain}")
    tracked = strip(c.get_configuration_set(ConfigurationSetName=tmp_set))
    ck.eq((tracked.get("TrackingOptions") or {}).get("CustomRedirectDomain"), f"click.{domain}",
          "PutConfigurationSetTrackingOptions shows in GetConfigurationSet")
    ck.call("DeleteConfigurationSet", c.delete_configuration_set, ConfigurationSetName=tmp_set)
    ck.raises(c, "NotFoundException", "GetConfigurationSet of a deleted set",
              c.get_configuration_set, ConfigurationSetName=tmp_set)
    ck.raises(c, "NotFoundException", "DeleteConfigurationSet of a deleted set",
              c.delete_configuration_set, ConfigurationSetName=tmp_set)

    mine = {set_name, *other_sets}
    op_http = c.meta.service_model.operation_model("ListConfigurationSets").http
    sdk_route = f"{op_http['method']} {op_http['requestUri']}"
    other_route = ("GET /v2/email/configuration-sets" if op_http["method"] == "POST"
                   else "POST /v2/email/list-configuration-sets")
    print(f"  (boto3 {boto3.__version__} lists through {sdk_route}; the other route, {other_route}, is signed by hand)")

    # boto3's ListConfigurationSets, one set per page
    names: list[str] = []
    token = None
    pages = 0
    page_sizes_ok = True
    while pages < 1000:
        kwargs = {"PageSize": 1}
        if token:
            kwargs["NextToken"] = token
        page = ck.call(f"ListConfigurationSets PageSize=1 page {pages + 1} ({sdk_route})", c.list_configuration_sets,
                       **kwargs) if pages == 0 else strip(c.list_configuration_sets(**kwargs))
        if page is None:
            break
        pages += 1
        page_sizes_ok &= len(page.get("ConfigurationSets", [])) <= 1
        names.extend(page.get("ConfigurationSets", []))
        token = page.get("NextToken")
        if not token:
            break
    ck.ok(page_sizes_ok, "every ListConfigurationSets page with PageSize=1 has at most one name")
    ck.ok(pages >= 3, f"PageSize=1 paging took one page per set ({pages} pages)")
    ck.ok(mine <= set(names), f"paging with PageSize=1 through boto3 ({sdk_route}) reaches all 3 sets",
          f"missing {sorted(mine - set(names))}; got {names}")
    ck.eq(len(names), len(set(names)), "paging returns no name twice")
    whole = ck.call("ListConfigurationSets without PageSize", c.list_configuration_sets) or {}
    ck.ok(mine <= set(whole.get("ConfigurationSets", [])), "one-page listing names all 3 sets", show(whole))
    ck.eq([n for n in whole.get("ConfigurationSets", [])], names, "one-page listing and PageSize=1 paging agree")

    # the route this boto3 does not use, signed by hand
    other_names: list[str] = []
    token = None
    other_pages = 0
    other_ok = True
    while other_pages < 1000:
        status, page = list_sets_by_hand(endpoint, other_route, 1, token)
        if status != 200:
            other_ok = False
            ck.ok(False, f"{other_route} answers 200", f"HTTP {status}: {show(page)}")
            break
        other_pages += 1
        other_names.extend(page.get("ConfigurationSets", []))
        token = page.get("NextToken")
        if not token:
            break
    if other_ok:
        ck.ok(mine <= set(other_names) and other_pages >= 3,
              f"{other_route} PageSize=1 pages ({other_pages}) reach all 3 sets", f"got {other_names}")
        ck.eq(other_names, names, "both list routes page through the same names in the same order")
    name_filter = {"CONFIGURATION_SET_NAME_CONTAINS": f"{run}-b"}
    status, page = list_sets_by_hand(endpoint, "POST /v2/email/list-configuration-sets", None, None, name_filter)
    ck.ok(status == 200 and page.get("ConfigurationSets") == [other_sets[0]],
          "POST list-configuration-sets with Filter CONFIGURATION_SET_NAME_CONTAINS returns just the matching set",
          f"HTTP {status}: {show(page)}")
    if "Filter" in c.meta.service_model.operation_model("ListConfigurationSets").input_shape.members:
        page = ck.call("ListConfigurationSets with Filter (boto3)", c.list_configuration_sets, Filter=name_filter) or {}
        ck.eq(page.get("ConfigurationSets"), [other_sets[0]], "boto3 Filter CONFIGURATION_SET_NAME_CONTAINS result")

    # ---- event destinations ------------------------------------------------
    print("event destinations")
    sns_dest = {
        "Enabled": True,
        "MatchingEventTypes": ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT"],
        "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:sdk-events"},
    }
    eb_dest = {  # Enabled left out: SES treats it as false
        "MatchingEventTypes": ["BOUNCE", "COMPLAINT", "REJECT"],
        "EventBridgeDestination": {"EventBusArn": "arn:aws:events:us-east-1:000000000000:event-bus/default"},
    }
    ck.call("CreateConfigurationSetEventDestination (SNS, Enabled)", c.create_configuration_set_event_destination,
            ConfigurationSetName=set_name, EventDestinationName="to-sns", EventDestination=sns_dest)
    ck.call("CreateConfigurationSetEventDestination (EventBridge, Enabled omitted)",
            c.create_configuration_set_event_destination,
            ConfigurationSetName=set_name, EventDestinationName="to-eventbridge", EventDestination=eb_dest)
    ck.raises(c, "AlreadyExistsException", "CreateConfigurationSetEventDestination with a name in use",
              c.create_configuration_set_event_destination,
              ConfigurationSetName=set_name, EventDestinationName="to-sns", EventDestination=sns_dest)
    ck.raises(c, "NotFoundException", "CreateConfigurationSetEventDestination on a missing set",
              c.create_configuration_set_event_destination,
              ConfigurationSetName=f"missing-{run}", EventDestinationName="x", EventDestination=sns_dest)
    # a third destination, updated and then deleted, must leave the other two alone
    ck.call("CreateConfigurationSetEventDestination (third, SNS)", c.create_configuration_set_event_destination,
            ConfigurationSetName=set_name, EventDestinationName="short-lived", EventDestination=sns_dest)
    ck.call("UpdateConfigurationSetEventDestination (third: Enabled false, only REJECT)",
            c.update_configuration_set_event_destination, ConfigurationSetName=set_name,
            EventDestinationName="short-lived",
            EventDestination={"Enabled": False, "MatchingEventTypes": ["REJECT"],
                              "SnsDestination": sns_dest["SnsDestination"]})
    third = [d for d in strip(c.get_configuration_set_event_destinations(ConfigurationSetName=set_name))
             .get("EventDestinations", []) if d.get("Name") == "short-lived"]
    ck.eq([(d.get("Enabled"), d.get("MatchingEventTypes")) for d in third], [(False, ["REJECT"])],
          "the update shows in GetConfigurationSetEventDestinations")
    ck.call("DeleteConfigurationSetEventDestination (third)", c.delete_configuration_set_event_destination,
            ConfigurationSetName=set_name, EventDestinationName="short-lived")
    ck.raises(c, "NotFoundException", "DeleteConfigurationSetEventDestination of a deleted destination",
              c.delete_configuration_set_event_destination, ConfigurationSetName=set_name,
              EventDestinationName="short-lived")
    ck.raises(c, "NotFoundException", "UpdateConfigurationSetEventDestination of a missing destination",
              c.update_configuration_set_event_destination, ConfigurationSetName=set_name,
              EventDestinationName="never-made", EventDestination=sns_dest)
    dests = ck.call("GetConfigurationSetEventDestinations", c.get_configuration_set_event_destinations,
                    ConfigurationSetName=set_name) or {}
    by_name = {d.get("Name"): d for d in dests.get("EventDestinations", [])}
    ck.eq(sorted(by_name), ["to-eventbridge", "to-sns"], "both destinations are listed by name")
    sns = by_name.get("to-sns", {})
    eb = by_name.get("to-eventbridge", {})
    ck.eq(sorted(sns.get("MatchingEventTypes", [])), sorted(sns_dest["MatchingEventTypes"]), "to-sns MatchingEventTypes")
    ck.eq(sns.get("SnsDestination"), sns_dest["SnsDestination"], "to-sns SnsDestination")
    ck.eq(sns.get("Enabled"), True, "to-sns Enabled")
    ck.eq(sorted(eb.get("MatchingEventTypes", [])), sorted(eb_dest["MatchingEventTypes"]),
          "to-eventbridge MatchingEventTypes")
    ck.eq(eb.get("EventBridgeDestination"), eb_dest["EventBridgeDestination"], "to-eventbridge EventBridgeDestination")
    ck.eq(eb.get("Enabled"), False, "to-eventbridge Enabled defaults to false")
    ck.ok("SnsDestination" not in eb and "EventBridgeDestination" not in sns,
          "each destination carries only its own target", show(dests))
    state["destinations_answer"] = plain(dests)

    # ---- identities ----------------------------------------------------------
    print("identities")
    ident = ck.call(f"CreateEmailIdentity {domain} (domain)", c.create_email_identity, EmailIdentity=domain) or {}
    ck.eq(ident.get("IdentityType"), "DOMAIN", "CreateEmailIdentity IdentityType")
    got_ident = ck.call("GetEmailIdentity", c.get_email_identity, EmailIdentity=domain) or {}
    ck.eq(got_ident.get("IdentityType"), "DOMAIN", "GetEmailIdentity IdentityType")
    ck.eq(got_ident.get("VerifiedForSendingStatus"), True, "GetEmailIdentity VerifiedForSendingStatus")
    listed = ck.call("ListEmailIdentities", c.list_email_identities) or {}
    ck.ok(domain in [i.get("IdentityName") for i in listed.get("EmailIdentities", [])],
          "ListEmailIdentities includes the domain", show(listed))
    ck.raises(c, "AlreadyExistsException", "CreateEmailIdentity of an identity in use",
              c.create_email_identity, EmailIdentity=domain)
    ck.raises(c, "NotFoundException", "GetEmailIdentity of a missing identity",
              c.get_email_identity, EmailIdentity=f"missing-{run}.example.net")

    # ---- sending to the mailbox simulator ------------------------------------
    print("SendEmail to the mailbox simulator")
    sender = f"Sender <sender@{domain}>"
    sent: list[tuple[str, str, list[str], str]] = []
    for local, want in SIMULATOR_CASES:
        to = f"{local}@{SIM}"
        subject = f"sdk {local} {run}"
        out = ck.call(f"SendEmail -> {to}", c.send_email, FromEmailAddress=sender,
                      Destination={"ToAddresses": [to]}, Content=simple_content(subject, f"hello {local}"),
                      ConfigurationSetName=set_name,
                      EmailTags=[{"Name": "case", "Value": local.replace("+", "-")}, {"Name": "run", "Value": run}])
        if out and ck.ok(isinstance(out.get("MessageId"), str) and out["MessageId"], f"[{local}] SendEmail returns a MessageId", show(out)):
            sent.append((local, to, want, out["MessageId"]))
    for local, to, want, mid in sent:
        insights, seen, reached = poll_insights(c, mid, want)
        ck.ok(reached, f"[{local}] event Types become {want} in order", f"got {seen}: {show(insights)}")
        if not reached or not insights:
            continue
        check_event_details(ck, local, to, insights)
        ck.eq(insights.get("MessageId"), mid, f"[{local}] insights MessageId")
        ck.eq(insights.get("Subject"), f"sdk {local} {run}", f"[{local}] insights Subject")
        ck.eq(insights.get("FromEmailAddress"), sender, f"[{local}] insights FromEmailAddress")
        ck.eq(sorted(user_tags(insights), key=lambda t: t["Name"]),
              sorted([{"Name": "case", "Value": local.replace("+", "-")}, {"Name": "run", "Value": run}],
                     key=lambda t: t["Name"]),
              f"[{local}] insights EmailTags")
        auto = {t["Name"]: t["Value"] for t in insights.get("EmailTags", []) if t["Name"].startswith("ses:")}
        ck.eq(auto.get("ses:operation"), "SendEmail", f"[{local}] insights EmailTags carry SES's auto-tags")
        state["messages"].append({"label": local, "id": mid, "types": [want], "answer": plain(insights)})

    # one message, two simulator recipients: one Insights entry per destination
    to_two = [f"success@{SIM}", f"bounce@{SIM}"]
    out = ck.call("SendEmail to two simulator recipients", c.send_email, FromEmailAddress=f"sender@{domain}",
                  Destination={"ToAddresses": to_two}, Content=simple_content(f"two {run}", "two"),
                  ConfigurationSetName=set_name)
    if out:
        mid = out["MessageId"]
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            ins = strip(c.get_message_insights(MessageId=mid))
            per = {i.get("Destination"): [e.get("Type") for e in i.get("Events", [])] for i in ins.get("Insights", [])}
            if per == {to_two[0]: ["SEND", "DELIVERY"], to_two[1]: ["SEND", "BOUNCE"]} or time.monotonic() > deadline:
                break
            time.sleep(0.15)
        ck.eq(per, {to_two[0]: ["SEND", "DELIVERY"], to_two[1]: ["SEND", "BOUNCE"]},
              "two-recipient message: one Insights entry per Destination with its own events")
        state["messages"].append({"label": "two-recipients", "id": mid, "answer": plain(ins)})

    # ---- Raw MIME with X-SES-* headers ----------------------------------------
    print("SendEmail Raw with X-SES-CONFIGURATION-SET / X-SES-MESSAGE-TAGS")
    raw = (
        f"From: Raw Sender <raw@{domain}>\r\n"
        f"To: success+raw@{SIM}\r\n"
        f"Subject: raw {run}\r\n"
        f"X-SES-CONFIGURATION-SET: {set_name}\r\n"
        f"X-SES-MESSAGE-TAGS: campaign=spring, source=raw-mime\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "\r\n"
        "Raw body.\r\n"
    ).encode()
    out = ck.call("SendEmail Raw (sender and recipient from the MIME headers)", c.send_email,
                  Content={"Raw": {"Data": raw}})
    if out:
        mid = out["MessageId"]
        insights, seen, reached = poll_insights(c, mid, ["SEND", "DELIVERY"])
        ck.ok(reached, "[raw] event Types become ['SEND', 'DELIVERY']", f"got {seen}: {show(insights)}")
        if insights and "error" not in insights:
            tags = {t["Name"]: t["Value"] for t in insights.get("EmailTags", [])}
            ck.ok(tags.get("campaign") == "spring" and tags.get("source") == "raw-mime",
                  "[raw] X-SES-MESSAGE-TAGS show up in insights EmailTags", show(insights.get("EmailTags")))
            ck.eq(insights.get("Subject"), f"raw {run}", "[raw] insights Subject from the MIME header")
            entries = insights.get("Insights", [])
            ck.eq([i.get("Destination") for i in entries], [f"success+raw@{SIM}"], "[raw] Destination from the To header")
            state["messages"].append({"label": "raw", "id": mid, "answer": plain(insights)})
    ck.raises(c, "NotFoundException", "SendEmail Raw whose X-SES-CONFIGURATION-SET names a missing set",
              c.send_email, Content={"Raw": {"Data": raw.replace(set_name.encode(), f"missing-{run}".encode())}})

    # ---- errors ----------------------------------------------------------------
    print("error answers")
    ck.raises(c, "MessageRejected", "SendEmail from an unverified address",
              c.send_email, FromEmailAddress=f"someone@unverified-{run}.example.org",
              Destination={"ToAddresses": [f"success@{SIM}"]}, Content=simple_content("x", "x"))
    ck.raises(c, "MessageRejected", "SendEmail from a look-alike of the verified domain",
              c.send_email, FromEmailAddress=f"someone@not{domain}",
              Destination={"ToAddresses": [f"success@{SIM}"]}, Content=simple_content("x", "x"))
    sub = ck.call("SendEmail from a subdomain of the verified domain (SES lets subdomains inherit it)", c.send_email,
                  FromEmailAddress=f"news@mail.{domain}", Destination={"ToAddresses": [f"success@{SIM}"]},
                  Content=simple_content("sub", "sub"))
    ck.ok(bool(sub and sub.get("MessageId")), "subdomain send returns a MessageId", show(sub))
    ck.raises(c, "NotFoundException", "SendEmail with a nonexistent configuration set",
              c.send_email, FromEmailAddress=f"sender@{domain}", ConfigurationSetName=f"missing-{run}",
              Destination={"ToAddresses": [f"success@{SIM}"]}, Content=simple_content("x", "x"))
    ck.raises(c, "NotFoundException", "GetMessageInsights of an unknown message id",
              c.get_message_insights, MessageId=f"0100000000000000-{uuid.uuid4()}-000000")
    ck.raises(c, "BadRequestException", "SendEmail with no recipients",
              c.send_email, FromEmailAddress=f"sender@{domain}", Destination={"ToAddresses": []},
              Content=simple_content("x", "x"))

    # ---- account ---------------------------------------------------------------
    acct = ck.call("GetAccount", c.get_account) or {}
    quota = acct.get("SendQuota") or {}
    ck.ok(all(isinstance(quota.get(k), float) for k in ("Max24HourSend", "MaxSendRate", "SentLast24Hours")),
          "GetAccount SendQuota has Max24HourSend/MaxSendRate/SentLast24Hours", show(acct))
    ck.ok(isinstance(acct.get("SendingEnabled"), bool) and isinstance(acct.get("ProductionAccessEnabled"), bool),
          "GetAccount SendingEnabled/ProductionAccessEnabled are booleans", show(acct))

    # ---- templates, contact lists, suppression, bulk ------------------------------
    print("templates, contact lists, suppression list, SendBulkEmail")
    tpl = f"tpl-{run}"
    ck.call("CreateEmailTemplate", c.create_email_template, TemplateName=tpl,
            TemplateContent={"Subject": "Hi {{name}}", "Text": "Hello {{name}}"})
    got_tpl = ck.call("GetEmailTemplate", c.get_email_template, TemplateName=tpl) or {}
    ck.eq(got_tpl.get("TemplateContent", {}).get("Subject"), "Hi {{name}}", "GetEmailTemplate Subject")
    tpls = ck.call("ListEmailTemplates", c.list_email_templates, PageSize=100) or {}
    ck.ok(tpl in [m.get("TemplateName") for m in tpls.get("TemplatesMetadata", [])],
          "ListEmailTemplates includes the template", show(tpls))
    ck.raises(c, "NotFoundException", "GetEmailTemplate of a missing template",
              c.get_email_template, TemplateName=f"missing-{run}")
    bulk = ck.call("SendBulkEmail", c.send_bulk_email, FromEmailAddress=f"sender@{domain}",
                   DefaultContent={"Template": {"TemplateName": tpl, "TemplateData": '{"name":"x"}'}},
                   BulkEmailEntries=[{"Destination": {"ToAddresses": [f"success@{SIM}"]}},
                                     {"Destination": {"ToAddresses": [f"success+b@{SIM}"]},
                                      "ReplacementEmailContent": {"ReplacementTemplate": {
                                          "ReplacementTemplateData": '{"name":"y"}'}}}]) or {}
    ck.eq([r.get("Status") for r in bulk.get("BulkEmailEntryResults", [])], ["SUCCESS", "SUCCESS"],
          "SendBulkEmail entry statuses")
    lst = f"list-{run}"
    ck.call("CreateContactList", c.create_contact_list, ContactListName=lst,
            Topics=[{"TopicName": "news", "DisplayName": "News", "DefaultSubscriptionStatus": "OPT_IN"}])
    ck.call("CreateContact", c.create_contact, ContactListName=lst, EmailAddress=f"c@{domain}")
    contacts = ck.call("ListContacts", c.list_contacts, ContactListName=lst,
                       Filter={"FilteredStatus": "OPT_IN",
                               "TopicFilter": {"TopicName": "news", "UseDefaultIfPreferenceUnavailable": True}}) or {}
    ck.eq([x.get("EmailAddress") for x in contacts.get("Contacts", [])], [f"c@{domain}"], "ListContacts with a topic filter")
    ck.call("DeleteContactList", c.delete_contact_list, ContactListName=lst)
    suppressed = f"s-{run}@example.org"
    ck.call("PutSuppressedDestination", c.put_suppressed_destination, EmailAddress=suppressed, Reason="BOUNCE")
    got_s = ck.call("GetSuppressedDestination", c.get_suppressed_destination, EmailAddress=suppressed) or {}
    ck.eq(got_s.get("SuppressedDestination", {}).get("Reason"), "BOUNCE", "GetSuppressedDestination Reason")
    listed_s = ck.call("ListSuppressedDestinations", c.list_suppressed_destinations, Reasons=["BOUNCE"]) or {}
    ck.ok(suppressed in [x.get("EmailAddress") for x in listed_s.get("SuppressedDestinationSummaries", [])],
          "ListSuppressedDestinations includes the address", show(listed_s))
    ck.call("DeleteSuppressedDestination", c.delete_suppressed_destination, EmailAddress=suppressed)
    ck.raises(c, "NotFoundException", "GetSuppressedDestination after delete",
              c.get_suppressed_destination, EmailAddress=suppressed)

    # ---- SES v1 (query protocol) -------------------------------------------------
    ses_v1_phase(endpoint, c, domain, state, ck)

    # ---- AWS CLI v1 ---------------------------------------------------------------
    if aws_cli:
        cli_phase(endpoint, aws_cli, run, state, ck)
    else:
        print("AWS CLI v1: skipped (no --aws-cli given)")

    with open(state_path, "w") as f:
        json.dump(state, f, indent=1)
    print(f"state saved to {state_path} ({len(state['messages'])} messages)")


def make_v1_client(endpoint: str):
    return boto3.client(
        "ses",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


def v1_totals(stats: dict | None) -> dict:
    """GetSendStatistics summed over its data points."""
    keys = ("DeliveryAttempts", "Bounces", "Complaints", "Rejects")
    points = (stats or {}).get("SendDataPoints", [])
    return {k: sum(p.get(k, 0) for p in points) for k in keys}


def recipients_with(state: dict, event_type: str) -> int:
    """Recipients of the saved messages whose insights reached `event_type`."""
    n = 0
    for m in state["messages"]:
        per_recipient = m.get("types") or event_types(m.get("answer"))
        n += sum(1 for types in per_recipient if event_type in types)
    return n


def ses_v1_phase(endpoint: str, c, domain: str, state: dict, ck: Checks) -> None:
    print("SES v1 (boto3 ses, query protocol)")
    v1 = make_v1_client(endpoint)
    quota = ck.call("SES v1 GetSendQuota", v1.get_send_quota) or {}
    acct = strip(c.get_account())
    ck.eq(quota.get("SentLast24Hours"), (acct.get("SendQuota") or {}).get("SentLast24Hours"),
          "SES v1 GetSendQuota SentLast24Hours equals SES v2 GetAccount's")
    ck.eq((quota.get("Max24HourSend"), quota.get("MaxSendRate")),
          ((acct.get("SendQuota") or {}).get("Max24HourSend"), (acct.get("SendQuota") or {}).get("MaxSendRate")),
          "SES v1 GetSendQuota Max24HourSend/MaxSendRate equal SES v2 GetAccount's")
    stats = ck.call("SES v1 GetSendStatistics", v1.get_send_statistics)
    points = (stats or {}).get("SendDataPoints", [])
    ck.ok(bool(points) and all(isinstance(p.get("Timestamp"), dt.datetime) and p["Timestamp"].minute % 15 == 0
                               and p["Timestamp"].second == 0 for p in points),
          "SES v1 GetSendStatistics data points start on quarter hours", show(stats))
    totals = v1_totals(stats)
    ck.eq(totals["DeliveryAttempts"], quota.get("SentLast24Hours"),
          "SES v1 GetSendStatistics DeliveryAttempts add up to SentLast24Hours")
    ck.ok(totals["Bounces"] >= recipients_with(state, "BOUNCE") > 0,
          "SES v1 GetSendStatistics counts the bounces SES v2 sent",
          f"{totals} vs {recipients_with(state, 'BOUNCE')} bounced recipients")
    ck.ok(totals["Complaints"] >= recipients_with(state, "COMPLAINT") > 0,
          "SES v1 GetSendStatistics counts the complaints SES v2 sent",
          f"{totals} vs {recipients_with(state, 'COMPLAINT')} complaints")
    ck.eq(strip(v1.get_account_sending_enabled()), {"Enabled": True},
          "SES v1 GetAccountSendingEnabled is on by default")
    ck.call("SES v1 UpdateAccountSendingEnabled Enabled=False", v1.update_account_sending_enabled, Enabled=False)
    ck.eq(strip(v1.get_account_sending_enabled()), {"Enabled": False},
          "SES v1 GetAccountSendingEnabled after turning it off")
    ck.eq(strip(c.get_account()).get("SendingEnabled"), False, "SES v2 GetAccount SendingEnabled follows SES v1")
    ck.raises(c, "SendingPausedException", "SES v2 SendEmail while SES v1 turned sending off",
              c.send_email, FromEmailAddress=f"sender@{domain}",
              Destination={"ToAddresses": [f"success@{SIM}"]}, Content=simple_content("paused", "paused"))
    ck.call("SES v2 PutAccountSendingAttributes SendingEnabled=True", c.put_account_sending_attributes,
            SendingEnabled=True)
    ck.eq(strip(v1.get_account_sending_enabled()), {"Enabled": True},
          "SES v1 GetAccountSendingEnabled follows SES v2's PutAccountSendingAttributes")
    try:
        v1.create_receipt_rule_set(RuleSetName="inbound")
        ck.ok(False, "SES v1 CreateReceiptRuleSet is refused", "the call succeeded")
    except ClientError as e:
        err = e.response.get("Error", {})
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        ck.ok(err.get("Code") == "InvalidAction" and status == 400 and "not supported" in err.get("Message", ""),
              "SES v1 CreateReceiptRuleSet -> 400 InvalidAction (inbound mail not supported)",
              f"got {err.get('Code')!r} (HTTP {status}): {err.get('Message')!r}")
    state["v1_totals"] = totals
    ses_v1_send_phase(v1, c, domain, ck)
    ses_v1_resources_phase(v1, c, domain, ck)
    ses_v1_notifications_phase(endpoint, v1, c, domain, ck)
    identity_policies_phase(v1, c, domain, ck)


def ses_v1_send_phase(v1, c, domain: str, ck: Checks) -> None:
    """SES v1's sends go through the engine SES v2 uses: SES v2's insights
    show the same lifecycle."""
    run = uuid.uuid4().hex[:8]
    sent = ck.call("SES v1 SendEmail to the simulator's bounce address", v1.send_email,
                   Source=f"sender@{domain}", Destination={"ToAddresses": [f"bounce@{SIM}"]},
                   Message={"Subject": {"Data": f"v1 {run}"}, "Body": {"Text": {"Data": "hello"}}},
                   Tags=[{"Name": "campaign", "Value": "v1"}]) or {}
    if sent.get("MessageId"):
        ins, seen, reached = poll_insights(c, sent["MessageId"], ["SEND", "BOUNCE"])
        ck.ok(reached, "SES v1 SendEmail -> SES v2 insights SEND, BOUNCE", show(seen))
        ck.eq(ins.get("Subject"), f"v1 {run}", "SES v1 SendEmail subject in SES v2 insights")
        ck.ok({"Name": "campaign", "Value": "v1"} in user_tags(ins), "SES v1 SendEmail Tags in insights",
              show(ins.get("EmailTags")))
    set_name = f"v1-raw-{run}"
    ck.call("SES v1 CreateConfigurationSet", v1.create_configuration_set, ConfigurationSet={"Name": set_name})
    raw = (f"From: sender@{domain}\r\nTo: success@{SIM}\r\nSubject: raw {run}\r\n"
           f"X-SES-CONFIGURATION-SET: {set_name}\r\nX-SES-MESSAGE-TAGS: source=raw\r\n\r\nbody\r\n")
    sent = ck.call("SES v1 SendRawEmail with X-SES-CONFIGURATION-SET", v1.send_raw_email,
                   RawMessage={"Data": raw.encode()}) or {}
    if sent.get("MessageId"):
        ins, seen, reached = poll_insights(c, sent["MessageId"], ["SEND", "DELIVERY"])
        ck.ok(reached, "SES v1 SendRawEmail -> SES v2 insights SEND, DELIVERY", show(seen))
        auto = {t["Name"]: t["Value"] for t in (ins or {}).get("EmailTags", [])}
        ck.eq((auto.get("ses:configuration-set"), auto.get("source")), (set_name, "raw"),
              "SES v1 SendRawEmail: the X-SES-* headers name the set and tags")
    ck.raises(v1, "ConfigurationSetDoesNotExistException", "SES v1 SendRawEmail naming a missing set",
              v1.send_raw_email, RawMessage={"Data": raw.replace(set_name, "no-such-set").encode()})
    ck.raises(v1, "MessageRejected", "SES v1 SendEmail from an unverified address", v1.send_email,
              Source="someone@unverified.invalid", Destination={"ToAddresses": [f"success@{SIM}"]},
              Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}})
    tpl = f"v1-tpl-{run}"
    ck.call("SES v1 CreateTemplate", v1.create_template,
            Template={"TemplateName": tpl, "SubjectPart": "Hi {{name}}", "TextPart": "Hello {{name}}"})
    sent = ck.call("SES v1 SendTemplatedEmail", v1.send_templated_email, Source=f"sender@{domain}",
                   Destination={"ToAddresses": [f"success@{SIM}"]}, Template=tpl,
                   TemplateData=json.dumps({"name": "Ada"})) or {}
    if sent.get("MessageId"):
        ins, seen, reached = poll_insights(c, sent["MessageId"], ["SEND", "DELIVERY"])
        ck.eq(ins.get("Subject"), "Hi Ada", "SES v1 SendTemplatedEmail renders the stored template")
    bulk = ck.call("SES v1 SendBulkTemplatedEmail", v1.send_bulk_templated_email, Source=f"sender@{domain}",
                   Template=tpl, DefaultTemplateData=json.dumps({"name": "all"}),
                   Destinations=[{"Destination": {"ToAddresses": [f"success@{SIM}"]},
                                  "ReplacementTemplateData": json.dumps({"name": "Grace"})},
                                 {"Destination": {"ToAddresses": [f"bounce@{SIM}"]}}]) or {}
    ck.eq([x.get("Status") for x in bulk.get("Status", [])], ["Success", "Success"],
          "SES v1 SendBulkTemplatedEmail statuses")
    ck.raises(v1, "TemplateDoesNotExistException", "SES v1 SendTemplatedEmail with a missing template",
              v1.send_templated_email, Source=f"sender@{domain}",
              Destination={"ToAddresses": [f"success@{SIM}"]}, Template="no-such-template", TemplateData="{}")
    ck.call("SES v1 DeleteTemplate", v1.delete_template, TemplateName=tpl)
    ck.call("SES v1 DeleteConfigurationSet", v1.delete_configuration_set, ConfigurationSetName=set_name)


def ses_v1_resources_phase(v1, c, domain: str, ck: Checks) -> None:
    """Templates, identities and configuration sets are one state for both
    APIs."""
    run = uuid.uuid4().hex[:8]
    tpl = f"v1-shared-{run}"
    ck.call("SES v1 CreateTemplate (shared)", v1.create_template,
            Template={"TemplateName": tpl, "SubjectPart": "S {{x}}", "HtmlPart": "<p>{{x}}</p>"})
    got = ck.call("SES v2 GetEmailTemplate of a v1 template", c.get_email_template, TemplateName=tpl) or {}
    ck.eq(got.get("TemplateContent"), {"Subject": "S {{x}}", "Html": "<p>{{x}}</p>"},
          "SES v2 sees the v1 template's parts")
    ck.call("SES v2 UpdateEmailTemplate of a v1 template", c.update_email_template, TemplateName=tpl,
            TemplateContent={"Subject": "T {{x}}", "Text": "t"})
    got = ck.call("SES v1 GetTemplate after a v2 update", v1.get_template, TemplateName=tpl) or {}
    ck.eq(got.get("Template", {}).get("SubjectPart"), "T {{x}}", "SES v1 GetTemplate sees SES v2's update")
    listed = ck.call("SES v1 ListTemplates", v1.list_templates, MaxItems=100) or {}
    ck.ok(tpl in [m.get("Name") for m in listed.get("TemplatesMetadata", [])], "SES v1 ListTemplates lists it",
          show(listed))
    rendered = ck.call("SES v1 TestRenderTemplate", v1.test_render_template, TemplateName=tpl,
                       TemplateData=json.dumps({"x": "rendered"})) or {}
    ck.ok("T rendered" in rendered.get("RenderedTemplate", ""), "SES v1 TestRenderTemplate renders",
          show(rendered))
    ck.raises(v1, "MissingRenderingAttributeException", "SES v1 TestRenderTemplate without the data",
              v1.test_render_template, TemplateName=tpl, TemplateData="{}")
    ck.call("SES v2 DeleteEmailTemplate of a v1 template", c.delete_email_template, TemplateName=tpl)
    ck.raises(v1, "TemplateDoesNotExistException", "SES v1 GetTemplate of a deleted template",
              v1.get_template, TemplateName=tpl)

    address = f"v1-{run}@{domain}"
    other = f"v1-{run}.example.net"
    ck.call("SES v1 VerifyEmailIdentity", v1.verify_email_identity, EmailAddress=address)
    token = ck.call("SES v1 VerifyDomainIdentity", v1.verify_domain_identity, Domain=other) or {}
    ck.ok(bool(token.get("VerificationToken")), "SES v1 VerifyDomainIdentity gives a token", show(token))
    dkim = ck.call("SES v1 VerifyDomainDkim", v1.verify_domain_dkim, Domain=other) or {}
    got = ck.call("SES v2 GetEmailIdentity of a v1 domain", c.get_email_identity, EmailIdentity=other) or {}
    ck.eq(got.get("DkimAttributes", {}).get("Tokens"), dkim.get("DkimTokens"),
          "SES v1 DkimTokens are SES v2's DkimAttributes.Tokens")
    listed = ck.call("SES v1 ListIdentities IdentityType=Domain", v1.list_identities, IdentityType="Domain") or {}
    ck.ok(other in listed.get("Identities", []) and address not in listed.get("Identities", []),
          "SES v1 ListIdentities filters by type", show(listed))
    attrs = ck.call("SES v1 GetIdentityVerificationAttributes", v1.get_identity_verification_attributes,
                    Identities=[address, other]) or {}
    ck.eq({k: v.get("VerificationStatus") for k, v in attrs.get("VerificationAttributes", {}).items()},
          {address: "Success", other: "Success"}, "SES v1 GetIdentityVerificationAttributes: both Success")
    ck.call("SES v1 SetIdentityMailFromDomain", v1.set_identity_mail_from_domain, Identity=other,
            MailFromDomain=f"mail.{other}", BehaviorOnMXFailure="UseDefaultValue")
    mf = ck.call("SES v1 GetIdentityMailFromDomainAttributes", v1.get_identity_mail_from_domain_attributes,
                 Identities=[other]) or {}
    ck.eq(mf.get("MailFromDomainAttributes", {}).get(other, {}).get("MailFromDomain"), f"mail.{other}",
          "SES v1 GetIdentityMailFromDomainAttributes reports the MAIL FROM domain")
    ck.call("SES v2 DeleteEmailIdentity of a v1 address", c.delete_email_identity, EmailIdentity=address)
    verified = ck.call("SES v1 ListVerifiedEmailAddresses", v1.list_verified_email_addresses) or {}
    ck.ok(address not in verified.get("VerifiedEmailAddresses", []),
          "SES v1 ListVerifiedEmailAddresses no longer lists it", show(verified))
    ck.call("SES v1 DeleteIdentity", v1.delete_identity, Identity=other)
    ck.raises(c, "NotFoundException", "SES v2 GetEmailIdentity of a domain SES v1 deleted",
              c.get_email_identity, EmailIdentity=other)

    name = f"v1-cs-{run}"
    ck.call("SES v1 CreateConfigurationSet (shared)", v1.create_configuration_set, ConfigurationSet={"Name": name})
    ck.raises(v1, "ConfigurationSetAlreadyExistsException", "SES v1 CreateConfigurationSet with a name in use",
              v1.create_configuration_set, ConfigurationSet={"Name": name})
    ck.call("SES v1 CreateConfigurationSetEventDestination (SNS)", v1.create_configuration_set_event_destination,
            ConfigurationSetName=name,
            EventDestination={"Name": "sns", "Enabled": True, "MatchingEventTypes": ["send", "renderingFailure"],
                              "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:111122223333:v1"}})
    ck.call("SES v1 CreateConfigurationSetEventDestination (CloudWatch)",
            v1.create_configuration_set_event_destination, ConfigurationSetName=name,
            EventDestination={"Name": "cw", "MatchingEventTypes": ["bounce"], "CloudWatchDestination": {
                "DimensionConfigurations": [{"DimensionName": "campaign", "DimensionValueSource": "messageTag",
                                             "DefaultDimensionValue": "none"}]}})
    got = ck.call("SES v2 GetConfigurationSetEventDestinations of a v1 set",
                  c.get_configuration_set_event_destinations, ConfigurationSetName=name) or {}
    by = {d["Name"]: d for d in got.get("EventDestinations", [])}
    ck.eq(by.get("sns", {}).get("MatchingEventTypes"), ["SEND", "RENDERING_FAILURE"],
          "SES v2 sees the v1 destination's event types")
    ck.eq(by.get("cw", {}).get("CloudWatchDestination", {}).get("DimensionConfigurations", [{}])[0]
          .get("DimensionValueSource"), "MESSAGE_TAG", "SES v2 sees the v1 CloudWatch dimension")
    ck.call("SES v1 CreateConfigurationSetTrackingOptions", v1.create_configuration_set_tracking_options,
            ConfigurationSetName=name, TrackingOptions={"CustomRedirectDomain": f"track.{domain}"})
    ck.call("SES v1 UpdateConfigurationSetReputationMetricsEnabled",
            v1.update_configuration_set_reputation_metrics_enabled, ConfigurationSetName=name, Enabled=True)
    ck.call("SES v1 UpdateConfigurationSetSendingEnabled", v1.update_configuration_set_sending_enabled,
            ConfigurationSetName=name, Enabled=False)
    got = ck.call("SES v2 GetConfigurationSet of a v1 set", c.get_configuration_set, ConfigurationSetName=name) or {}
    ck.eq((got.get("TrackingOptions", {}).get("CustomRedirectDomain"),
           got.get("ReputationOptions", {}).get("ReputationMetricsEnabled"),
           got.get("SendingOptions", {}).get("SendingEnabled")),
          (f"track.{domain}", True, False), "SES v2 sees the options SES v1 set")
    ck.raises(c, "SendingPausedException", "SES v2 SendEmail with a set SES v1 paused", c.send_email,
              FromEmailAddress=f"sender@{domain}", Destination={"ToAddresses": [f"success@{SIM}"]},
              Content=simple_content("x", "x"), ConfigurationSetName=name)
    desc = ck.call("SES v1 DescribeConfigurationSet", v1.describe_configuration_set, ConfigurationSetName=name,
                   ConfigurationSetAttributeNames=["eventDestinations", "trackingOptions", "reputationOptions"]) or {}
    ck.eq(sorted(d.get("Name") for d in desc.get("EventDestinations", [])), ["cw", "sns"],
          "SES v1 DescribeConfigurationSet lists the destinations")
    ck.eq(desc.get("ReputationOptions", {}).get("SendingEnabled"), False,
          "SES v1 DescribeConfigurationSet ReputationOptions.SendingEnabled")
    ck.call("SES v1 DeleteConfigurationSetEventDestination", v1.delete_configuration_set_event_destination,
            ConfigurationSetName=name, EventDestinationName="cw")
    ck.raises(v1, "EventDestinationDoesNotExistException", "SES v1 DeleteConfigurationSetEventDestination again",
              v1.delete_configuration_set_event_destination, ConfigurationSetName=name, EventDestinationName="cw")
    listed = ck.call("SES v1 ListConfigurationSets", v1.list_configuration_sets, MaxItems=1000) or {}
    ck.ok(name in [s.get("Name") for s in listed.get("ConfigurationSets", [])],
          "SES v1 ListConfigurationSets lists it", show(listed))
    ck.call("SES v2 DeleteConfigurationSet of a v1 set", c.delete_configuration_set, ConfigurationSetName=name)
    ck.raises(v1, "ConfigurationSetDoesNotExistException", "SES v1 DescribeConfigurationSet of a deleted set",
              v1.describe_configuration_set, ConfigurationSetName=name)


class SnsReceiver:
    """A local HTTP endpoint an SNS topic can be subscribed to: keeps every
    POSTed envelope (JSON) in arrival order."""

    def __init__(self) -> None:
        got = self.got = []
        lock = self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    try:
                        got.append(json.loads(body))
                    except ValueError:
                        got.append({"unparsed": body.decode(errors="replace")})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def until(self, want, timeout: float = POLL_SECONDS):
        """The first envelope for which want(envelope) holds, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for e in self.got:
                    if want(e):
                        return e
            time.sleep(0.1)
        return None

    def close(self) -> None:
        self.server.shutdown()


def notification_message(envelope: dict | None) -> dict:
    try:
        return json.loads((envelope or {}).get("Message", ""))
    except ValueError:
        return {}


def ses_v1_notifications_phase(endpoint: str, v1, c, domain: str, ck: Checks) -> None:
    """Identity notifications: an HTTP subscriber of a mailsight-hosted
    topic receives the bounces of mail sent from the identity, in SES's
    notification format, without a configuration set."""
    print("SES v1 identity notifications (boto3 ses, sns)")
    sns = boto3.client("sns", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                       aws_secret_access_key=SECRET_KEY)
    receiver = SnsReceiver()
    try:
        topic = (ck.call("SNS CreateTopic for bounce notifications", sns.create_topic,
                         Name=f"bounces-{uuid.uuid4().hex[:8]}") or {}).get("TopicArn", "")
        ck.call("SNS Subscribe an HTTP endpoint", sns.subscribe, TopicArn=topic, Protocol="http",
                Endpoint=receiver.url)
        confirmation = receiver.until(lambda e: e.get("Type") == "SubscriptionConfirmation")
        if ck.ok(confirmation is not None, "the subscriber gets a SubscriptionConfirmation"):
            with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as r:
                ck.eq(r.status, 200, "visiting the SubscribeURL confirms the subscription")
        ck.call("SES v1 SetIdentityNotificationTopic Bounce", v1.set_identity_notification_topic,
                Identity=domain, NotificationType="Bounce", SnsTopic=topic)
        ck.call("SES v1 SetIdentityHeadersInNotificationsEnabled Bounce",
                v1.set_identity_headers_in_notifications_enabled, Identity=domain, NotificationType="Bounce",
                Enabled=True)
        got = ck.call("SES v1 GetIdentityNotificationAttributes", v1.get_identity_notification_attributes,
                      Identities=[domain]) or {}
        attrs = got.get("NotificationAttributes", {}).get(domain, {})
        ck.eq((attrs.get("BounceTopic"), attrs.get("ComplaintTopic"), attrs.get("ForwardingEnabled"),
               attrs.get("HeadersInBounceNotificationsEnabled"), attrs.get("HeadersInDeliveryNotificationsEnabled")),
              (topic, None, True, True, False), "SES v1 GetIdentityNotificationAttributes returns what was set")
        try:
            v1.set_identity_feedback_forwarding_enabled(Identity=domain, ForwardingEnabled=False)
            ck.ok(False, "SES v1 SetIdentityFeedbackForwardingEnabled False without a Complaint topic is refused",
                  "the call succeeded")
        except ClientError as e:
            err = e.response.get("Error", {})
            ck.eq(err.get("Code"), "InvalidParameterValue",
                  "SES v1 SetIdentityFeedbackForwardingEnabled False without a Complaint topic is refused")
        try:
            v1.set_identity_notification_topic(Identity=domain, NotificationType="Open", SnsTopic=topic)
            ck.ok(False, "SES v1 SetIdentityNotificationTopic NotificationType=Open is refused", "the call succeeded")
        except ClientError as e:
            ck.eq(e.response.get("Error", {}).get("Code"), "ValidationError",
                  "SES v1 SetIdentityNotificationTopic NotificationType=Open is refused")

        sent = ck.call("SES v1 SendEmail to the bounce address, no configuration set", v1.send_email,
                       Source=f"sender@{domain}", Destination={"ToAddresses": [f"bounce@{SIM}"]},
                       Message={"Subject": {"Data": "notified"}, "Body": {"Text": {"Data": "hello"}}}) or {}
        message_id = sent.get("MessageId")
        envelope = receiver.until(lambda e: e.get("Type") == "Notification"
                                  and notification_message(e).get("mail", {}).get("messageId") == message_id)
        n = notification_message(envelope)
        ck.ok(envelope is not None, "the subscriber gets an SNS Notification for the bounce")
        ck.eq((n.get("notificationType"), (n.get("bounce") or {}).get("bounceType")), ("Bounce", "Permanent"),
              "its Message is a Bounce notification (notificationType, bounce)")
        mail = n.get("mail", {})
        ck.ok("eventType" not in n and "tags" not in mail and "sourceIp" in mail and "callerIdentity" in mail,
              "the notification format: no eventType, no tags, sourceIp and callerIdentity", show(mail))
        ck.ok(any(h.get("name") == "Subject" and h.get("value") == "notified" for h in mail.get("headers", [])),
              "headers enabled: mail.headers carries the original Subject", show(mail.get("headers")))
        ck.eq((envelope or {}).get("Subject"), None, "identity notifications have no SNS Subject")
        ck.call("SES v1 SetIdentityNotificationTopic without SnsTopic clears it",
                v1.set_identity_notification_topic, Identity=domain, NotificationType="Bounce")
        got = ck.call("SES v1 GetIdentityNotificationAttributes after clearing",
                      v1.get_identity_notification_attributes, Identities=[domain]) or {}
        ck.eq(got.get("NotificationAttributes", {}).get(domain, {}).get("BounceTopic"), None,
              "the Bounce topic is gone")
        ck.call("SES v1 SetIdentityFeedbackForwardingEnabled True", v1.set_identity_feedback_forwarding_enabled,
                Identity=domain, ForwardingEnabled=True)
        got = ck.call("SES v2 GetEmailIdentity", c.get_email_identity, EmailIdentity=domain) or {}
        ck.eq(got.get("FeedbackForwardingStatus"), True, "SES v2 FeedbackForwardingStatus is SES v1's flag")
    finally:
        receiver.close()


def identity_policies_phase(v1, c, domain: str, ck: Checks) -> None:
    """Sending authorization policies: one state for SES v1 and SES v2."""
    print("identity policies (boto3 ses and sesv2)")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "delegate", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*"}]})
    ck.call("SES v2 CreateEmailIdentityPolicy", c.create_email_identity_policy, EmailIdentity=domain,
            PolicyName="from-v2", Policy=policy)
    ck.raises(c, "AlreadyExistsException", "SES v2 CreateEmailIdentityPolicy with a name in use",
              c.create_email_identity_policy, EmailIdentity=domain, PolicyName="from-v2", Policy=policy)
    ck.raises(c, "BadRequestException", "SES v2 CreateEmailIdentityPolicy with a policy that is not a JSON object",
              c.create_email_identity_policy, EmailIdentity=domain, PolicyName="bad", Policy="[1]")
    ck.call("SES v1 PutIdentityPolicy", v1.put_identity_policy, Identity=domain, PolicyName="from-v1", Policy="{}")
    ck.raises(v1, "InvalidPolicyException", "SES v1 PutIdentityPolicy with invalid JSON", v1.put_identity_policy,
              Identity=domain, PolicyName="bad", Policy="{not json")
    listed = ck.call("SES v1 ListIdentityPolicies", v1.list_identity_policies, Identity=domain) or {}
    ck.eq(sorted(listed.get("PolicyNames", [])), ["from-v1", "from-v2"], "SES v1 lists the policies of both APIs")
    got = ck.call("SES v1 GetIdentityPolicies", v1.get_identity_policies, Identity=domain,
                  PolicyNames=["from-v2"]) or {}
    ck.eq(got.get("Policies"), {"from-v2": policy}, "SES v1 GetIdentityPolicies returns SES v2's policy text")
    ck.call("SES v2 UpdateEmailIdentityPolicy of a v1 policy", c.update_email_identity_policy, EmailIdentity=domain,
            PolicyName="from-v1", Policy=policy)
    got = ck.call("SES v2 GetEmailIdentityPolicies", c.get_email_identity_policies, EmailIdentity=domain) or {}
    ck.eq(got.get("Policies"), {"from-v1": policy, "from-v2": policy}, "SES v2 sees both, as updated")
    ck.call("SES v1 DeleteIdentityPolicy", v1.delete_identity_policy, Identity=domain, PolicyName="from-v1")
    ck.call("SES v2 DeleteEmailIdentityPolicy", c.delete_email_identity_policy, EmailIdentity=domain,
            PolicyName="from-v2")
    ck.raises(c, "NotFoundException", "SES v2 DeleteEmailIdentityPolicy of a deleted policy",
              c.delete_email_identity_policy, EmailIdentity=domain, PolicyName="from-v2")
    listed = ck.call("SES v1 ListIdentityPolicies after deleting", v1.list_identity_policies, Identity=domain) or {}
    ck.eq(listed.get("PolicyNames"), [], "no policies are left")

    print("DKIM signing (boto3 ses and sesv2)")
    ck.call("SES v1 SetIdentityDkimEnabled False", v1.set_identity_dkim_enabled, Identity=domain, DkimEnabled=False)
    got = ck.call("SES v2 GetEmailIdentity after SES v1 turned DKIM off", c.get_email_identity,
                  EmailIdentity=domain) or {}
    ck.eq(got.get("DkimAttributes", {}).get("SigningEnabled"), False, "SES v2 SigningEnabled follows SES v1")
    ck.call("SES v2 PutEmailIdentityDkimAttributes SigningEnabled=True", c.put_email_identity_dkim_attributes,
            EmailIdentity=domain, SigningEnabled=True)
    got = ck.call("SES v1 GetIdentityDkimAttributes", v1.get_identity_dkim_attributes, Identities=[domain]) or {}
    ck.eq(got.get("DkimAttributes", {}).get(domain, {}).get("DkimEnabled"), True,
          "SES v1 DkimEnabled follows SES v2")


def cli_phase(endpoint: str, aws_cli: str, run: str, state: dict, ck: Checks) -> None:
    """The AWS CLI's own lifecycle: `aws sesv2`, `aws ses` and `aws sns`
    together, as a shell script would drive them."""
    print("AWS CLI v1 (aws sesv2, aws ses, aws sns)")
    receiver = SnsReceiver()
    try:
        cli_lifecycle(endpoint, aws_cli, run, state, ck, receiver)
    finally:
        receiver.close()


def cli_lifecycle(endpoint: str, aws_cli: str, run: str, state: dict, ck: Checks, receiver) -> None:
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": "",
    })
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    base = shlex.split(aws_cli) + ["--endpoint-url", endpoint, "--output", "json"]

    def aws(*args: str, service: str = "sesv2") -> tuple[int, dict | None, str]:
        p = subprocess.run(base + [service] + list(args), env=env, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        out = None
        if p.stdout.strip():
            try:
                out = json.loads(p.stdout)
            except ValueError:
                out = {"raw": p.stdout}
        return p.returncode, out, p.stderr.strip()

    set_name = f"cli-{run}"
    sender = f"cli-sender@cli-{run}.example"
    rc, out, err = aws("create-configuration-set", "--configuration-set-name", set_name,
                       "--tags", "Key=via,Value=cli")
    ck.ok(rc == 0, "aws sesv2 create-configuration-set", f"exit {rc}: {err}")
    rc, out, err = aws("get-configuration-set", "--configuration-set-name", set_name)
    ck.ok(rc == 0 and out and out.get("ConfigurationSetName") == set_name
          and out.get("Tags") == [{"Key": "via", "Value": "cli"}],
          "aws sesv2 get-configuration-set returns the name and Tags", f"exit {rc}: {err} {show(out)}")
    rc, out, err = aws("get-configuration-set", "--configuration-set-name", f"missing-{run}")
    ck.ok(rc != 0 and "NotFoundException" in err, "aws sesv2 get-configuration-set of a missing set fails with NotFoundException",
          f"exit {rc}: {err}")
    rc, out, err = aws("create-email-identity", "--email-identity", sender)
    ck.ok(rc == 0 and out and out.get("IdentityType") == "EMAIL_ADDRESS",
          "aws sesv2 create-email-identity (address) -> IdentityType EMAIL_ADDRESS", f"exit {rc}: {err} {show(out)}")
    set_arn = f"arn:aws:ses:{REGION}:000000000000:configuration-set/{set_name}"
    rc, out, err = aws("list-tags-for-resource", "--resource-arn", set_arn)
    ck.ok(rc == 0 and out and out.get("Tags") == [{"Key": "via", "Value": "cli"}],
          "aws sesv2 list-tags-for-resource lists the tags given at create", f"exit {rc}: {err} {show(out)}")

    # A mailsight-hosted topic with an HTTP subscriber, as the set's event
    # destination and as the identity's bounce notification topic.
    rc, out, err = aws("create-topic", "--name", f"cli-{run}", service="sns")
    topic = (out or {}).get("TopicArn", "")
    ck.ok(rc == 0 and topic.startswith("arn:aws:sns:"), "aws sns create-topic", f"exit {rc}: {err} {show(out)}")
    rc, out, err = aws("subscribe", "--topic-arn", topic, "--protocol", "http",
                       "--notification-endpoint", receiver.url, service="sns")
    ck.ok(rc == 0, "aws sns subscribe (http)", f"exit {rc}: {err}")
    confirmation = receiver.until(lambda e: e.get("Type") == "SubscriptionConfirmation")
    if ck.ok(confirmation is not None, "the CLI's subscriber gets a SubscriptionConfirmation"):
        rc, out, err = aws("confirm-subscription", "--topic-arn", topic, "--token", confirmation["Token"],
                           service="sns")
        ck.ok(rc == 0 and (out or {}).get("SubscriptionArn", "").startswith(topic),
              "aws sns confirm-subscription with the token", f"exit {rc}: {err} {show(out)}")
    destination = json.dumps({"Enabled": True, "MatchingEventTypes": ["SEND", "BOUNCE", "COMPLAINT"],
                              "SnsDestination": {"TopicArn": topic}})
    rc, out, err = aws("create-configuration-set-event-destination", "--configuration-set-name", set_name,
                       "--event-destination-name", "to-sns", "--event-destination", destination)
    ck.ok(rc == 0, "aws sesv2 create-configuration-set-event-destination (SNS)", f"exit {rc}: {err}")
    rc, out, err = aws("set-identity-notification-topic", "--identity", sender, "--notification-type", "Bounce",
                       "--sns-topic", topic, service="ses")
    ck.ok(rc == 0, "aws ses set-identity-notification-topic Bounce", f"exit {rc}: {err}")
    rc, out, err = aws("get-identity-notification-attributes", "--identities", sender, service="ses")
    attrs = ((out or {}).get("NotificationAttributes") or {}).get(sender, {})
    ck.eq(attrs.get("BounceTopic"), topic, "aws ses get-identity-notification-attributes shows the topic")

    content = json.dumps(simple_content(f"cli {run}", "from the cli"))
    rc, out, err = aws("send-email", "--from-email-address", sender,
                       "--destination", f"ToAddresses=complaint@{SIM}",
                       "--content", content, "--configuration-set-name", set_name,
                       "--email-tags", "Name=via,Value=cli")
    mid = (out or {}).get("MessageId")
    ck.ok(rc == 0 and bool(mid), "aws sesv2 send-email returns a MessageId", f"exit {rc}: {err} {show(out)}")
    rc2, out2, err2 = aws("send-email", "--from-email-address", f"other@cli-{run}.example",
                          "--destination", f"ToAddresses=success@{SIM}", "--content", content)
    ck.ok(rc2 != 0 and "MessageRejected" in err2,
          "aws sesv2 send-email from another address of a domain with only an address identity -> MessageRejected",
          f"exit {rc2}: {err2}")
    if mid:
        want = ["SEND", "DELIVERY", "COMPLAINT"]
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            rc, out, err = aws("get-message-insights", "--message-id", mid)
            types = event_types(out) if rc == 0 else []
            if types == [want] or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        ck.ok(types == [want], f"aws sesv2 get-message-insights shows {want}", f"exit {rc}: {err} {show(out)}")
        ck.ok(bool(out) and user_tags(out) == [{"Name": "via", "Value": "cli"}],
              "aws sesv2 get-message-insights EmailTags", show(out))
        if rc == 0 and out:
            # the CLI prints timestamps as text; compare after restart through boto3 on the types only
            state["messages"].append({"label": "aws-cli", "id": mid, "types": [want]})
    state["cli_set"] = set_name
    state["cli_identity"] = sender

    # SES v1 through the CLI: the bounce reaches the subscriber twice, as an
    # event of the set and as the identity's notification.
    rc, out, err = aws("send-email", "--from", sender, "--destination", f"ToAddresses=bounce@{SIM}",
                       "--message", "Subject={Data=cli v1},Body={Text={Data=hello}}",
                       "--configuration-set-name", set_name, service="ses")
    v1_id = (out or {}).get("MessageId")
    ck.ok(rc == 0 and bool(v1_id), "aws ses send-email returns a MessageId", f"exit {rc}: {err} {show(out)}")
    if mid:
        sent = receiver.until(lambda e: notification_message(e).get("eventType") == "Send"
                              and notification_message(e).get("mail", {}).get("messageId") == mid)
        ck.ok(sent is not None, "the SNS destination delivers the aws sesv2 send-email Send event")
    if v1_id:
        bounce = receiver.until(lambda e: notification_message(e).get("eventType") == "Bounce"
                                and notification_message(e).get("mail", {}).get("messageId") == v1_id)
        ck.ok(bounce is not None, "the SNS destination delivers the aws ses send-email Bounce event")
        notified = receiver.until(lambda e: notification_message(e).get("notificationType") == "Bounce"
                                  and notification_message(e).get("mail", {}).get("messageId") == v1_id)
        ck.ok(notified is not None, "the identity's topic gets the Bounce notification (notificationType)")
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            rc, out, err = aws("get-message-insights", "--message-id", v1_id)
            types = event_types(out) if rc == 0 else []
            if types == [["SEND", "BOUNCE"]] or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        ck.eq(types, [["SEND", "BOUNCE"]], "aws sesv2 get-message-insights of the aws ses send-email message")

    rc, out, err = aws("get-send-quota", service="ses")
    ck.ok(rc == 0 and out and isinstance(out.get("SentLast24Hours"), float) and out["SentLast24Hours"] > 0,
          "aws ses get-send-quota (SES v1) reports SentLast24Hours", f"exit {rc}: {err} {show(out)}")
    sent_24h = (out or {}).get("SentLast24Hours")
    rc, out, err = aws("get-send-statistics", service="ses")
    points = (out or {}).get("SendDataPoints", [])
    attempts = sum(p.get("DeliveryAttempts", 0) for p in points)
    ck.ok(rc == 0 and attempts == sent_24h and sum(p.get("Bounces", 0) for p in points) >= 1,
          "aws ses get-send-statistics adds up to SentLast24Hours and counts the bounce",
          f"exit {rc}: {err} attempts {attempts} vs {sent_24h}")


# --------------------------------------------------------------------------
# phase 2


def phase_after_restart(endpoint: str, state_path: str, ck: Checks) -> None:
    with open(state_path) as f:
        state = json.load(f)
    c = make_client(endpoint)
    set_name = state["set"]
    print(f"after restart: checking run {state['run']} ({len(state['messages'])} messages)")

    got = ck.call("GetConfigurationSet after restart", c.get_configuration_set, ConfigurationSetName=set_name)
    if got is not None:
        before = state["set_answer"]
        after = plain(got)
        for member in sorted(set(before) | set(after)):
            ck.eq(after.get(member), before.get(member), f"configuration set {member} unchanged after restart")
    dests = ck.call("GetConfigurationSetEventDestinations after restart", c.get_configuration_set_event_destinations,
                    ConfigurationSetName=set_name)
    if dests is not None:
        key = lambda d: d.get("Name", "")  # noqa: E731
        ck.eq(sorted(plain(dests).get("EventDestinations", []), key=key),
              sorted(state["destinations_answer"].get("EventDestinations", []), key=key),
              "both event destinations unchanged after restart")
    listed = strip(c.list_configuration_sets())
    ck.ok({set_name, *state["other_sets"]} <= set(listed.get("ConfigurationSets", [])),
          "ListConfigurationSets still names all 3 sets", show(listed))
    ident = ck.call("GetEmailIdentity after restart", c.get_email_identity, EmailIdentity=state["domain"]) or {}
    ck.eq((ident.get("IdentityType"), ident.get("VerifiedForSendingStatus")), ("DOMAIN", True),
          "domain identity still DOMAIN and verified after restart")
    if state.get("cli_set"):
        ck.call("CLI-made configuration set still there", c.get_configuration_set, ConfigurationSetName=state["cli_set"])
        ck.call("CLI-made address identity still there", c.get_email_identity, EmailIdentity=state["cli_identity"])

    for m in state["messages"]:
        try:
            ins = plain(strip(c.get_message_insights(MessageId=m["id"])))
        except ClientError as e:
            ck.ok(False, f"[{m['label']}] GetMessageInsights after restart", show(e.response.get("Error")))
            continue
        if "answer" in m:
            ck.eq(ins, m["answer"], f"[{m['label']}] insights identical after restart")
        else:
            ck.eq(event_types(ins), m["types"], f"[{m['label']}] insights event Types after restart")

    if "v1_totals" in state:
        v1 = make_v1_client(endpoint)
        stats = ck.call("SES v1 GetSendStatistics after restart", v1.get_send_statistics)
        after = v1_totals(stats)
        ck.ok(all(after[k] >= v for k, v in state["v1_totals"].items()),
              "SES v1 GetSendStatistics still counts what was sent before the restart",
              f"before {state['v1_totals']}, after {after}")
        ck.eq(strip(v1.get_account_sending_enabled()), {"Enabled": True},
              "SES v1 GetAccountSendingEnabled still on after restart")

    # the restarted server still sends, and still refuses duplicates
    out = ck.call("SendEmail after restart", c.send_email, FromEmailAddress=f"sender@{state['domain']}",
                  Destination={"ToAddresses": [f"bounce@{SIM}"]}, Content=simple_content("after", "after"),
                  ConfigurationSetName=set_name)
    if out:
        insights, seen, reached = poll_insights(c, out["MessageId"], ["SEND", "BOUNCE"])
        ck.ok(reached, "message sent after restart gets SEND, BOUNCE", f"got {seen}: {show(insights)}")
        if reached:
            check_event_details(ck, "after-restart bounce", f"bounce@{SIM}", insights)
    ck.raises(c, "AlreadyExistsException", "CreateConfigurationSet of the restored set",
              c.create_configuration_set, ConfigurationSetName=set_name)
    ck.raises(c, "AlreadyExistsException", "CreateConfigurationSetEventDestination of a restored destination",
              c.create_configuration_set_event_destination, ConfigurationSetName=set_name,
              EventDestinationName="to-sns",
              EventDestination={"MatchingEventTypes": ["SEND"],
                                "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:x"}})


# --------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="e.g. http://127.0.0.1:4566")
    ap.add_argument("--state", required=True, help="JSON file written by the first phase, read by --after-restart")
    ap.add_argument("--after-restart", action="store_true", help="check what the first phase saved")
    ap.add_argument("--aws-cli", help="command that runs AWS CLI v1 (e.g. 'python -m awscli'); omit to skip")
    ap.add_argument("--results", help="append {phase, passed, failed} as one JSON line to this file")
    args = ap.parse_args()

    phase = "after-restart" if args.after_restart else "main"
    ck = Checks(phase)
    try:
        if args.after_restart:
            phase_after_restart(args.endpoint, args.state, ck)
        else:
            phase_main(args.endpoint, args.state, args.aws_cli, ck)
    except Exception as e:  # noqa: BLE001 - an unexpected crash is one more failed check
        traceback.print_exc()
        ck.ok(False, f"{phase} phase ran to the end", f"{type(e).__name__}: {e}")

    print(f"[{phase}] {ck.passed} checks passed, {ck.failed} checks failed")
    for f in ck.failures:
        print(f"  failed: {f}")
    if args.results:
        with open(args.results, "a") as out:
            out.write(json.dumps({"phase": phase, "passed": ck.passed, "failed": ck.failed}) + "\n")
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
