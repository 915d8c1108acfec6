#!/usr/bin/env python3
"""Three mailsight instances on one PostgreSQL database, one of them killed
with SIGKILL mid-way (run by scripts/instances.sh, from the test command).

    scripts/instances.py path/to/mailsight postgres://user@host:port/postgres

Makes a database of its own on that server (dropped at the end) and starts
three `mailsight serve` processes on it with identical configuration: a
forwarder to a receiver this script runs, fast simulator timings, a Firehose
ingest key. Then, in two rounds:

1. **All healthy.** SendEmail and Firehose ingest through the three in turn
   (round robin, several threads). Every acknowledged message and record is
   read back through every instance; every message's DELIVERY (a scheduled
   event) is released exactly once; the receiver gets every Send and
   Delivery event, and none twice.
2. **One killed.** The same load, and instance C is killed with SIGKILL
   while it runs. Every message and record any instance acknowledged
   (C's included) is there once, through A and B; every scheduled DELIVERY
   is released exactly once, C's too (its rows are taken by the others);
   the receiver gets every event at least once (a delivery C had claimed
   when it died is made again when its lease runs out: duplicates are
   counted and reported, not failed).
3. **The same record twice at once.** One Firehose delivery posted to two
   instances at the same moment (a retry racing the original): each record
   is stored once.

Each check prints PASS/FAIL; the last line is `instances: N passed, M failed`.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from abuse import (  # noqa: E402 - beside this script
    RESULTS, SIM, Receiver, Server, check, firehose_post, free_port, record,
)

PG = sys.argv[2]
THREADS = 6
ROUND_SECONDS = 4.0


def database_url(name):
    parts = urlsplit(PG)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def psql(sql):
    subprocess.run(["psql", PG, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def simple():
    return {"Simple": {"Subject": {"Data": "three"}, "Body": {"Text": {"Data": "instances"}}}}


def load(servers, seconds, kill=None):
    """SendEmail and Firehose ingest through `servers` in turn from several
    threads for `seconds`; kills `kill` half-way. Returns the acknowledged
    message ids and ingested message ids."""
    sent, ingested, lock, stop = [], [], threading.Lock(), threading.Event()

    def worker(n):
        clients = [s.sesv2() for s in servers]
        i = n
        while not stop.is_set():
            s, c = servers[i % len(servers)], clients[i % len(servers)]
            i += 1
            try:
                if i % 3 == 0:
                    records = [record(f"0100inst{uuid.uuid4().hex}-000000") for _ in range(5)]
                    firehose_post(s.port, records)
                    with lock:
                        ingested.extend(r["mail"]["messageId"] for r in records)
                else:
                    mid = c.send_email(FromEmailAddress="sender@example.com",
                                       Destination={"ToAddresses": [f"success@{SIM}"]},
                                       Content=simple())["MessageId"]
                    with lock:
                        sent.append(mid)
            except Exception:  # noqa: BLE001 - refused or cut off by the kill: not acknowledged
                time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    [t.start() for t in threads]
    time.sleep(seconds / 2)
    if kill is not None:
        kill.kill9()
    time.sleep(seconds / 2)
    stop.set()
    [t.join() for t in threads]
    return sent, ingested


def events_of(server, mid):
    insights = server.sesv2().get_message_insights(MessageId=mid)["Insights"]
    return [e["Type"] for i in insights for e in i["Events"]]


def wait_until(pred, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def verify(name, readers, sent, ingested, receiver, expect_no_duplicates):
    check(f"{name}: the load was acknowledged ({len(sent)} sends, {len(ingested)} records)",
          len(sent) > 30 and len(ingested) > 10)
    # Every scheduled DELIVERY released, once, read through each instance.
    def settled():
        return all(events_of(readers[0], m).count("DELIVERY") >= 1 for m in sent)
    wait_until(settled)
    wrong = {}
    for k, mid in enumerate(sent):
        reader = readers[k % len(readers)]
        types = events_of(reader, mid)
        if sorted(types) != ["DELIVERY", "SEND"]:
            wrong[mid] = types
    check(f"{name}: every acknowledged message is there with SEND and one DELIVERY, through every instance",
          not wrong, f"{len(wrong)} of {len(sent)}: {list(wrong.items())[:3]}")
    wrong = {}
    for k, mid in enumerate(ingested):
        types = events_of(readers[k % len(readers)], mid)
        if types != ["SEND"]:
            wrong[mid] = types
    check(f"{name}: every ingested record is there once, through every instance",
          not wrong, f"{len(wrong)} of {len(ingested)}: {list(wrong.items())[:3]}")
    want = {(m, t) for m in sent for t in ("Send", "Delivery")} | {(m, "Send") for m in ingested}

    def counts():
        with receiver.lock:
            got = {}
            for e in receiver.got:
                key = (e.get("mail", {}).get("messageId"), e.get("eventType"))
                got[key] = got.get(key, 0) + 1
        return got
    wait_until(lambda: want <= set(counts()))
    got = counts()
    missing = want - set(got)
    check(f"{name}: the forwarder's receiver gets every event", not missing,
          f"{len(missing)} of {len(want)} missing: {list(missing)[:3]}")
    duplicates = sum(n - 1 for k, n in got.items() if k in want and n > 1)
    if expect_no_duplicates:
        sample = [k for k, n in got.items() if n > 1][:3]
        check(f"{name}: and none twice", duplicates == 0, f"{duplicates} duplicates, e.g. {sample}")
    else:
        print(f"NOTE {name}: {duplicates} deliveries made twice (claimed by the killed instance)")


def same_record_through_two(servers):
    """The same Firehose delivery posted to two instances at the same moment
    (a retry racing the original) is stored once."""
    a, b = servers[0], servers[1]
    batches = [[record(f"0100twice{uuid.uuid4().hex}-000000") for _ in range(20)] for _ in range(10)]
    for batch in batches:
        threads = [threading.Thread(target=firehose_post, args=(s.port, batch)) for s in (a, b)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    wrong = {}
    for batch in batches:
        for r in batch:
            mid = r["mail"]["messageId"]
            types = events_of(b, mid)
            if types != ["SEND"]:
                wrong[mid] = types
    check("a record posted to two instances at once is stored once",
          not wrong, f"{len(wrong)} of 200: {list(wrong.items())[:3]}")


def main():
    bin_path = sys.argv[1]
    del bin_path  # abuse.Server reads it from argv
    name = f"mailsight_instances_{uuid.uuid4().hex[:12]}"
    psql(f"CREATE DATABASE {name}")
    root = tempfile.mkdtemp(prefix="mailsight-instances.")
    hook = free_port()
    receiver = Receiver(hook)
    extra = f'''
[store]
url = "{database_url(name)}"
[delivery]
initial_backoff_ms = 50
max_backoff_ms = 300
timeout_ms = 5000
[[forwarders]]
name = "receiver"
url = "http://127.0.0.1:{hook}/hook"
format = "ses"
'''
    servers = []
    started = time.time()
    try:
        servers = [Server(os.path.join(root, n), extra).start() for n in ("a", "b", "c")]
        servers[0].sesv2().create_email_identity(EmailIdentity="example.com")
        sent, ingested = load(servers, ROUND_SECONDS)
        verify("all healthy", servers, sent, ingested, receiver, expect_no_duplicates=True)
        with receiver.lock:
            receiver.got.clear()
        a, b, c = servers
        sent, ingested = load(servers, ROUND_SECONDS, kill=c)
        verify("C killed mid-way", [a, b], sent, ingested, receiver, expect_no_duplicates=False)
        c.start()
        check("the killed instance starts again on the database and answers",
              bool(c.sesv2().get_account().get("SendQuota")))
        same_record_through_two(servers)
    except Exception as e:  # noqa: BLE001
        check("the three-instance run ran", False, f"{type(e).__name__}: {e}")
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception:  # noqa: BLE001
                pass
        receiver.server.shutdown()
        subprocess.run(["rm", "-rf", root], check=False)
        try:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except subprocess.CalledProcessError:
            print(f"NOTE could not drop database {name}")
    print(f"instances: {RESULTS['passed']} passed, {RESULTS['failed']} failed ({time.time() - started:.0f} s)",
          flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
