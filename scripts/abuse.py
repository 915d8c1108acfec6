#!/usr/bin/env python3
"""The crash-and-abuse suite: the real binary under kill -9, a receiver that
is down, hostile bodies, malformed requests (run by scripts/abuse.sh, from
the test command; a few minutes at most).

    scripts/abuse.py path/to/mailsight

Checks, each printed PASS/FAIL; the last line is `abuse: N passed, M failed`:

1. kill -9 under SendEmail, three times: every MessageId the server
   answered 200 for is there after the restart (GetMessageInsights).
2. kill -9 under Firehose ingest, three times: every record of every
   delivery answered 200 is there after the restart, stored once.
3. A forwarder's receiver that is down, then up: it gets every event, once
   per event id.
4. A gzip bomb and sixteen concurrent unsigned 39 MiB bodies: refused, and
   the server's peak resident memory (VmHWM, /proc) stays under
   MEMORY_BOUND_MB.
5. Malformed requests of every class get their protocol's error shape and
   a 4xx, and the server still answers afterwards.
6. Every SES v2 operation of the botocore model, sent each wrong JSON kind
   at every body member (scripts/wrong_kinds.py): a 4xx with
   x-amzn-ErrorType each time.
"""
import base64
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrong_kinds import wrong_kinds  # noqa: E402 - beside this script

import boto3
from botocore.config import Config

BIN = sys.argv[1]
REGION = "us-east-1"
SIM = "simulator.amazonses.com"
FIREHOSE_KEY = "abuse-firehose-key"
# The bound the hostile bodies must stay under: the 256 MiB byte budget, the
# 64 MiB unpack limit and the server's own ~40 MB, with room to spare.
MEMORY_BOUND_MB = 450
RESULTS = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}", flush=True)
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One `mailsight serve` on a data directory that outlives it."""

    def __init__(self, data_dir, extra_config=""):
        self.data_dir = data_dir
        self.port = free_port()
        self.config = f"{data_dir}.toml"
        with open(self.config, "w") as f:
            f.write(f'listen = "127.0.0.1:{self.port}"\ndata_dir = "{data_dir}"\n'
                    f'[ingest.firehose]\naccess_keys = ["{FIREHOSE_KEY}"]\n'
                    '[simulator.timing]\ndelivery_ms = 20\ncomplaint_ms = 20\n' + extra_config)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([BIN, "serve", "--config", self.config],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("mailsight did not start")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def sesv2(self):
        return boto3.client("sesv2", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id="AKIDABUSE", aws_secret_access_key="any",
                            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))

    def peak_mb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        return -1


def load_until_killed(server, work, threads=8, seconds=1.5):
    """Runs `work(client)` in a loop on several threads, kills the server
    with SIGKILL while they run, and returns every result work returned
    (what the server acknowledged)."""
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def loop():
        client = server.sesv2()
        while not stop.is_set():
            try:
                got = work(client)
            except Exception:  # noqa: BLE001 - refused or cut off by the kill: not acknowledged
                continue
            with lock:
                acked.append(got)

    ts = [threading.Thread(target=loop) for _ in range(threads)]
    [t.start() for t in ts]
    time.sleep(seconds * random.uniform(0.7, 1.3))
    server.kill9()
    stop.set()
    [t.join() for t in ts]
    return acked


def missing_after_restart(server, message_ids):
    server.start()
    client = server.sesv2()
    missing = []
    for mid in message_ids:
        try:
            client.get_message_insights(MessageId=mid)
        except Exception:  # noqa: BLE001
            missing.append(mid)
    return missing


def kill_under_send(root):
    data = os.path.join(root, "send")
    server = Server(data).start()
    server.sesv2().create_email_identity(EmailIdentity="example.com")
    for round_ in range(1, 4):
        def send(client):
            return client.send_email(FromEmailAddress="sender@example.com",
                                     Destination={"ToAddresses": [f"success@{SIM}"]},
                                     Content={"Simple": {"Subject": {"Data": "kill"},
                                                         "Body": {"Text": {"Data": "-9"}}}})["MessageId"]
        acked = load_until_killed(server, send)
        missing = missing_after_restart(server, acked)
        check(f"kill -9 under SendEmail, round {round_}: all {len(acked)} acknowledged messages are there",
              bool(acked) and not missing, f"{len(missing)} missing of {len(acked)}: {missing[:3]}")
    server.stop()


def firehose_post(port, records):
    body = json.dumps({"requestId": str(uuid.uuid4()), "timestamp": int(time.time() * 1000),
                       "records": [{"data": base64.b64encode(json.dumps(r).encode()).decode()}
                                   for r in records]})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/ingest/firehose", body=body,
              headers={"content-type": "application/json", "x-amz-firehose-access-key": FIREHOSE_KEY})
    status = c.getresponse().status
    if status != 200:
        raise RuntimeError(f"HTTP {status}")


def record(message_id):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return {"eventType": "Send", "send": {},
            "mail": {"timestamp": now, "source": "sender@example.com",
                     "sourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com",
                     "sendingAccountId": "000000000000", "messageId": message_id,
                     "destination": ["someone@example.net"], "headersTruncated": False,
                     "tags": {"ses:operation": ["SendEmail"]}}}


def kill_under_ingest(root):
    server = Server(os.path.join(root, "ingest")).start()
    for round_ in range(1, 4):
        def post(_client):
            records = [record(f"0100abuse{uuid.uuid4().hex}-000000") for _ in range(20)]
            firehose_post(server.port, records)
            return records
        acked = [r for batch in load_until_killed(server, post, threads=4) for r in batch]
        ids = [r["mail"]["messageId"] for r in acked]
        missing = missing_after_restart(server, ids)
        check(f"kill -9 under Firehose ingest, round {round_}: all {len(acked)} acknowledged records are there",
              bool(acked) and not missing, f"{len(missing)} missing of {len(acked)}")
        # Firehose retries a delivery it saw no answer to: the same record
        # again is stored once (one Send event for its message).
        if acked:
            firehose_post(server.port, [acked[0]])
            events = server.sesv2().get_message_insights(MessageId=ids[0])["Insights"][0]["Events"]
            check(f"round {round_}: a record posted again is stored once", len(events) == 1, str(events))
    server.stop()


class Receiver:
    def __init__(self, port):
        self.got, self.lock = [], threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.got.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        class Listener(ThreadingHTTPServer):
            # socketserver's default backlog of 5 drops connections when
            # several deliverers post at once; their retransmitted SYNs
            # then look like a receiver seconds slow.
            request_queue_size = 256
            daemon_threads = True

        self.server = Listener(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def receiver_down_then_back(root):
    hook_port = free_port()
    server = Server(os.path.join(root, "receiver"), f'''
[delivery]
initial_backoff_ms = 50
max_backoff_ms = 300
timeout_ms = 2000
[[forwarders]]
name = "down-then-up"
url = "http://127.0.0.1:{hook_port}/hook"
format = "ses"
''').start()
    client = server.sesv2()
    client.create_email_identity(EmailIdentity="example.com")
    ids = [client.send_email(FromEmailAddress="sender@example.com",
                             Destination={"ToAddresses": [f"success@{SIM}"]},
                             Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "y"}}}})
           ["MessageId"] for _ in range(10)]
    time.sleep(1.0)  # attempts fail meanwhile: nothing listens
    receiver = Receiver(hook_port)
    want = {(i, t) for i in ids for t in ("Send", "Delivery")}
    deadline = time.time() + 30
    seen = set()
    while time.time() < deadline:
        with receiver.lock:
            seen = {(e.get("mail", {}).get("messageId"), e.get("eventType")) for e in receiver.got}
        if want <= seen:
            break
        time.sleep(0.1)
    check("a receiver that was down gets every event once it is up", want <= seen,
          f"{len(want - seen)} of {len(want)} missing")
    time.sleep(0.5)
    with receiver.lock:
        per_message = {}
        for e in receiver.got:
            key = (e.get("mail", {}).get("messageId"), e.get("eventType"))
            per_message[key] = per_message.get(key, 0) + 1
    check("and each event once", all(n == 1 for n in per_message.values()),
          str({k: n for k, n in per_message.items() if n != 1}))
    receiver.server.shutdown()
    server.stop()


def raw(port, head, body=b"", read=4096):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(head + body)
    except OSError:
        pass
    out = b""
    try:
        while len(out) < read:
            chunk = s.recv(read)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                break
    except OSError:
        pass
    s.close()
    return out


def hostile_bodies(root):
    server = Server(os.path.join(root, "memory")).start()
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(c.compress(zeros) for _ in range(1024)) + c.flush()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("POST", "/ingest/firehose", body=bomb, headers={
        "x-amz-firehose-access-key": FIREHOSE_KEY, "content-type": "application/json",
        "content-encoding": "gzip"})
    status = conn.getresponse().status
    check(f"a gzip bomb (1 GiB of zeros, {len(bomb) // 1024} KiB on the wire) is refused with 413", status == 413,
          f"HTTP {status}")
    big = 39 * 1024 * 1024
    body = b"{" + b" " * (big - 2) + b"}"
    head = (f"POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {big}\r\n\r\n").encode()
    answers = []
    ts = [threading.Thread(target=lambda: answers.append(raw(server.port, head, body).split(b"\r\n")[0]))
          for _ in range(16)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    check("sixteen concurrent unsigned 39 MiB bodies are refused with 403",
          answers and all(a.startswith(b"HTTP/1.1 403") for a in answers), str(set(answers)))
    peak = server.peak_mb()
    check(f"peak resident memory stays under {MEMORY_BOUND_MB} MB (VmHWM {peak} MB)", 0 < peak < MEMORY_BOUND_MB,
          f"{peak} MB")
    server.stop()


def malformed(root):
    # With a key configured: without one, any well-formed signature passes.
    server = Server(os.path.join(root, "malformed"), '''
[[auth.keys]]
access_key_id = "AKIDABUSE"
secret_access_key = "any"
''').start()
    port = server.port
    client = server.sesv2()
    now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    cases = [
        # (what, request head + body, expected status, a marker of the protocol's error shape)
        ("SES v2 without a signature", b"GET /v2/email/account HTTP/1.1\r\nHost: x\r\n\r\n", 403,
         b"x-amzn-errortype"),
        ("SES v2 with a forged signature",
         (f"GET /v2/email/account HTTP/1.1\r\nHost: x\r\nx-amz-date: {now}\r\nAuthorization: AWS4-HMAC-SHA256 "
          f"Credential=AKIDABUSE/{now[:8]}/us-east-1/ses/aws4_request, SignedHeaders=host;x-amz-date, "
          f"Signature={'0' * 64}\r\n\r\n").encode(), 403, b"x-amzn-errortype"),
        ("a URI over 16 KiB", b"GET /v2/email/" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
         b"x-amzn-errortype"),
        ("POST / with a form and no signature (query protocols)",
         b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         b"Content-Length: 17\r\n\r\nAction=ListTopics", 403, b"<ErrorResponse"),
        ("a Firehose delivery that is not JSON",
         (f"POST /ingest/firehose HTTP/1.1\r\nHost: x\r\nx-amz-firehose-access-key: {FIREHOSE_KEY}\r\n"
          "Content-Type: application/json\r\nContent-Length: 9\r\n\r\nnot json!").encode(), 400, b"errorMessage"),
        ("a Firehose delivery with a wrong key",
         b"POST /ingest/firehose HTTP/1.1\r\nHost: x\r\nx-amz-firehose-access-key: nope\r\n"
         b"Content-Length: 2\r\n\r\n{}", 401, b"errorMessage"),
        ("SNS ingest that is not configured",
         b"POST /ingest/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 403, b"HTTP/1.1 403"),
    ]
    for what, request, want, marker in cases:
        got = raw(port, request, read=65536)
        status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.1 ") else 0
        check(f"{what}: {want} in the protocol's shape", status == want and marker.lower() in got.lower(),
              got[:300].decode(errors="replace"))
    # Through the real SDK: wrong JSON kinds and a bad value, SES's codes.
    for what, fn in [
        ("SendEmail with no destination", lambda: client.send_email(
            FromEmailAddress="a@example.com", Content={"Simple": {"Subject": {"Data": "x"},
                                                                  "Body": {"Text": {"Data": "y"}}}})),
        ("GetMessageInsights of an id that is not one", lambda: client.get_message_insights(MessageId="x" * 300)),
        ("CreateConfigurationSet with a name SES refuses", lambda: client.create_configuration_set(
            ConfigurationSetName="no spaces allowed")),
    ]:
        try:
            fn()
            check(f"{what} is refused", False, "it succeeded")
        except client.exceptions.ClientError as e:
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            check(f"{what} is refused with a 4xx and an SES code ({e.response['Error']['Code']})",
                  400 <= status < 500 and e.response["Error"]["Code"].endswith("Exception"), str(e.response))
    check("the server still answers after all of that", client.get_account()["SendingEnabled"] is True)
    server.stop()


def wrong_kind_bodies(root):
    server = Server(os.path.join(root, "kinds")).start()
    n = wrong_kinds(server.url, check)
    print(f"({n} wrong-kind requests)", flush=True)
    check("the server still answers after the wrong kinds", server.sesv2().get_account()["SendingEnabled"] is True)
    server.stop()


def main():
    root = tempfile.mkdtemp(prefix="mailsight-abuse.")
    started = time.time()
    for part in (kill_under_send, kill_under_ingest, receiver_down_then_back, hostile_bodies, malformed,
                 wrong_kind_bodies):
        try:
            part(root)
        except Exception as e:  # noqa: BLE001 - a part that cannot run is a failure, and the rest still run
            check(f"{part.__name__} ran", False, f"{type(e).__name__}: {e}")
    print(f"abuse: {RESULTS['passed']} passed, {RESULTS['failed']} failed ({time.time() - started:.0f} s)", flush=True)
    subprocess.run(["rm", "-rf", root], check=False)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
