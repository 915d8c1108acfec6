#!/usr/bin/env python3
"""SNS interop checks against a running `mailsight serve` (see sns-interop.sh).

Clients and validators mailsight did not write:
  * boto3's `sns` client (and the AWS CLI v1 `aws sns`, when given) create
    topics, subscribe an HTTP endpoint, list and unsubscribe;
  * `aws-sns-message-validator` (PyPI) and `sns-validator` (npm) verify
    mailsight's SignatureVersion 1 envelopes, each fetching the certificate
    from the https `SigningCertURL` itself (mailsight's own HTTPS listener,
    its local authority trusted); tampered envelopes must be rejected by
    both. (`validatesns` was tried too,
    but its `oscrypto` dependency cannot load OpenSSL 3.0.10+.)
  * SignatureVersion 2 (which the validator does not implement) is checked
    with `cryptography` directly: SHA256withRSA over SNS's string to sign.

Each check prints PASS/FAIL; the last line is `sns-interop: N passed, M failed`.
"""

import argparse
import base64
import copy
import http.server
import json
import os
import queue
import re
import ssl
import subprocess
import threading
import time
import urllib.request

import boto3
from botocore.config import Config

RESULTS = {"passed": 0, "failed": 0}


def check(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    else:
        RESULTS["passed"] += 1
        print(f"PASS {name}", flush=True)


class Receiver:
    """An HTTP endpoint on a free loopback port that queues what it gets."""

    def __init__(self):
        self.got = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("content-length", 0))
                body = self.rfile.read(n)
                outer.got.put((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, kind, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                headers, body = self.got.get(timeout=0.2)
            except queue.Empty:
                continue
            if headers.get("x-amz-sns-message-type") == kind:
                return headers, body
        raise AssertionError(f"no {kind} within {timeout}s")


def string_to_sign(m):
    if m["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{m[k]}\n" for k in keys if k in m).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--aws-cli", default="")
    ap.add_argument("--sns-url", required=True, help="mailsight's https base URL (SigningCertURL's)")
    ap.add_argument("--ca", required=True, help="the local authority's certificate (tls/ca.pem)")
    ap.add_argument("--node-dir", required=True, help="where scripts/node-packages installed sns-validator")
    args = ap.parse_args()
    endpoint = args.endpoint.rstrip("/")
    sns_url = args.sns_url.rstrip("/")
    tls = ssl.create_default_context(cafile=args.ca)

    from sns_message_validator import SNSMessageValidator

    # The one setting each validator needs: which certificate URLs to trust.
    cert_regex = "^" + re.escape(f"{sns_url}/_mailsight/sns/") + r"SimpleNotificationService-[A-Za-z0-9-]+\.pem$"
    pypi_validator = SNSMessageValidator(cert_url_regex=cert_regex)
    npm_host_pattern = "^" + re.escape(sns_url.split("//", 1)[1]) + "$"

    def npm_validate(messages):
        """sns-validator's verdict on each message ("ok" or its error)."""
        out = subprocess.run(["node", "sns-validate.mjs", npm_host_pattern], cwd=args.node_dir,
                             input=json.dumps(messages), capture_output=True, text=True, timeout=60,
                             env={**os.environ, "NODE_EXTRA_CA_CERTS": args.ca})
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def validate_both(message):
        assert message["SigningCertURL"].startswith("https://"), message["SigningCertURL"]
        pypi_validator.validate_message(message)
        [verdict] = npm_validate([message])
        assert verdict == "ok", f"sns-validator (npm): {verdict}"

    def rejected_by_both(message):
        [verdict] = npm_validate([message])
        assert verdict != "ok", "sns-validator (npm) accepted a tampered message"
        try:
            pypi_validator.validate_message(message)
        except Exception:  # noqa: BLE001 - any refusal counts
            return
        raise AssertionError("aws-sns-message-validator accepted a tampered message")

    def verify_v2(message):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        assert message["SignatureVersion"] == "2", message["SignatureVersion"]
        assert re.match(cert_regex, message["SigningCertURL"]), message["SigningCertURL"]
        pem = urllib.request.urlopen(message["SigningCertURL"], timeout=10, context=tls).read()
        key = x509.load_pem_x509_certificate(pem).public_key()
        key.verify(base64.b64decode(message["Signature"]), string_to_sign(message),
                   padding.PKCS1v15(), hashes.SHA256())

    session = boto3.session.Session(aws_access_key_id="AKIDINTEROP", aws_secret_access_key="secret",
                                    region_name="us-east-1")
    cfg = Config(retries={"max_attempts": 1})
    sns = session.client("sns", endpoint_url=endpoint, config=cfg)
    ses = session.client("sesv2", endpoint_url=endpoint, config=cfg)
    receiver = Receiver()
    state = {}

    # ---- boto3: topic, subscription handshake, v1 signatures ----
    def create_topic():
        arn = sns.create_topic(Name="interop", Attributes={"SignatureVersion": "1"})["TopicArn"]
        assert arn.endswith(":interop") and arn.startswith("arn:aws:sns:"), arn
        assert sns.create_topic(Name="interop", Attributes={"SignatureVersion": "1"})["TopicArn"] == arn
        state["topic"] = arn
    check("boto3 create_topic (idempotent)", create_topic)

    def subscribe():
        r = sns.subscribe(TopicArn=state["topic"], Protocol="http", Endpoint=receiver.url)
        assert r["SubscriptionArn"] == "pending confirmation", r
        headers, body = receiver.next("SubscriptionConfirmation")
        state["confirmation"] = json.loads(body)
    check("boto3 subscribe sends a SubscriptionConfirmation", subscribe)

    check("both validators (PyPI, npm) accept the SubscriptionConfirmation",
          lambda: validate_both(state["confirmation"]))

    def tampered_confirmation():
        m = copy.deepcopy(state["confirmation"])
        m["SubscribeURL"] = m["SubscribeURL"].replace("Token=", "Token=x")
        rejected_by_both(m)
    check("both validators reject a tampered SubscriptionConfirmation", tampered_confirmation)

    def confirm():
        with urllib.request.urlopen(state["confirmation"]["SubscribeURL"], timeout=10, context=tls) as r:
            assert r.status == 200
        subs = sns.list_subscriptions_by_topic(TopicArn=state["topic"])["Subscriptions"]
        assert [s["Endpoint"] for s in subs] == [receiver.url], subs
        assert subs[0]["SubscriptionArn"].startswith(state["topic"] + ":"), subs
        state["sub"] = subs[0]["SubscriptionArn"]
    check("SubscribeURL confirms; boto3 list_subscriptions_by_topic lists it", confirm)

    def publish():
        mid = sns.publish(TopicArn=state["topic"], Message="hello from boto3", Subject="interop")["MessageId"]
        headers, body = receiver.next("Notification")
        m = json.loads(body)
        assert m["MessageId"] == mid and m["Message"] == "hello from boto3", m
        validate_both(m)
        state["notification"] = m
    check("boto3 publish: both validators accept the Notification", publish)

    def tampered_notification():
        for field, value in [("Message", "hello from someone else"), ("Subject", "other"),
                             ("Signature", base64.b64encode(b"\0" * 256).decode())]:
            m = copy.deepcopy(state["notification"])
            m[field] = value
            rejected_by_both(m)
    check("both validators reject tampered Notifications", tampered_notification)

    def ses_event():
        try:
            ses.create_email_identity(EmailIdentity="example.com")
        except ses.exceptions.AlreadyExistsException:
            pass
        ses.create_configuration_set(ConfigurationSetName="interop")
        ses.create_configuration_set_event_destination(
            ConfigurationSetName="interop", EventDestinationName="to-sns",
            EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"],
                              "SnsDestination": {"TopicArn": state["topic"]}})
        mid = ses.send_email(FromEmailAddress="sender@example.com",
                             Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                             Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
                             ConfigurationSetName="interop")["MessageId"]
        headers, body = receiver.next("Notification")
        m = json.loads(body)
        record = json.loads(m["Message"])
        assert record["eventType"] == "Send" and record["mail"]["messageId"] == mid, record
        assert m["Subject"] == "Amazon SES Email Event Notification", m
        validate_both(m)
    check("SES event through an SnsDestination: both validators accept it", ses_event)

    # ---- SignatureVersion 2 ----
    def v2():
        arn = sns.create_topic(Name="interop-v2", Attributes={"SignatureVersion": "2"})["TopicArn"]
        v2_receiver = Receiver()
        sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=v2_receiver.url)
        headers, body = v2_receiver.next("SubscriptionConfirmation")
        m = json.loads(body)
        verify_v2(m)
        assert npm_validate([m]) == ["ok"], "sns-validator (npm) refused a SignatureVersion 2 message"
        m["Token"] = m["Token"] + "0"
        assert npm_validate([m]) != ["ok"], "sns-validator (npm) accepted a tampered v2 message"
        try:
            verify_v2(m)
        except Exception:  # noqa: BLE001 - the tampered copy must fail
            return
        raise AssertionError("a tampered v2 message verified")
    check("SignatureVersion 2: SHA256withRSA verifies (cryptography, sns-validator), tampering fails", v2)

    def unsubscribe():
        sns.unsubscribe(SubscriptionArn=state["sub"])
        subs = sns.list_subscriptions_by_topic(TopicArn=state["topic"])["Subscriptions"]
        assert subs == [], subs
    check("boto3 unsubscribe", unsubscribe)

    def errors():
        try:
            sns.publish(TopicArn=state["topic"] + "-missing", Message="m")
        except sns.exceptions.NotFoundException:
            return
        raise AssertionError("no NotFoundException")
    check("boto3 maps a missing topic to NotFoundException", errors)

    # ---- AWS CLI v1 ----
    if args.aws_cli:
        def cli(*argv):
            cmd = args.aws_cli.split() + ["--endpoint-url", endpoint, "--region", "us-east-1",
                                          "--output", "json", "sns", *argv]
            env = {"AWS_ACCESS_KEY_ID": "AKIDINTEROP", "AWS_SECRET_ACCESS_KEY": "secret",
                   "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                   "PATH": "/usr/bin:/bin", "NO_PROXY": "127.0.0.1,localhost"}
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
            assert out.returncode == 0, out.stderr
            return json.loads(out.stdout) if out.stdout.strip() else {}

        def cli_flow():
            arn = cli("create-topic", "--name", "cli-topic")["TopicArn"]
            cli_receiver = Receiver()
            r = cli("subscribe", "--topic-arn", arn, "--protocol", "http",
                    "--notification-endpoint", cli_receiver.url)
            assert r["SubscriptionArn"] == "pending confirmation", r
            cli_receiver.next("SubscriptionConfirmation")
            subs = cli("list-subscriptions-by-topic", "--topic-arn", arn)["Subscriptions"]
            assert [s["Endpoint"] for s in subs] == [cli_receiver.url], subs
            topics = [t["TopicArn"] for t in cli("list-topics")["Topics"]]
            assert arn in topics, topics
        check("aws sns create-topic / subscribe / list-subscriptions-by-topic", cli_flow)
    else:
        print("note: AWS CLI checks skipped", flush=True)

    print(f"sns-interop: {RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
