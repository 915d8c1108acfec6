#!/usr/bin/env python3
"""Writes a corpus of realistic SES event records (NDJSON) for benchmarks.

Every record is one of the AWS example records in the shared fixtures
directory, with its message id, recipients, timestamps and tags varied, so
the corpus has the shapes of real SES traffic (all ten event types, both
record formats) and as many distinct messages as asked for.

    scripts/gen-corpus.py --records 1000000 --out target/bench/corpus.ndjson
"""
import argparse
import copy
import json
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURES = os.path.join(HERE, "..", "..", "shared", "fixtures", "ses-docs-examples")
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com", "web.de", "mail.ru", "qq.com"]


def load(fixtures):
    records = []
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(".json"):
            with open(os.path.join(fixtures, name)) as f:
                records.append(json.load(f))
    if not records:
        sys.exit(f"no fixtures in {fixtures}")
    return records


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def retarget(value, old, new):
    """Replaces every occurrence of the recipient address inside the record."""
    if isinstance(value, dict):
        return {k: retarget(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [retarget(v, old, new) for v in value]
    if isinstance(value, str) and old in value:
        return value.replace(old, new)
    return value


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--out", default="target/bench/corpus.ndjson")
    ap.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    templates = load(args.fixtures)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    written = 0
    with open(args.out, "w") as out:
        while written < args.records:
            # One message, with a handful of events, like real traffic.
            message_id = f"0100{rng.getrandbits(48):012x}-{uuid.UUID(int=rng.getrandbits(128))}-000000"
            sent = start + timedelta(seconds=rng.randrange(0, 86400 * 30))
            recipient = f"user{rng.randrange(10**7)}@{rng.choice(DOMAINS)}"
            for template in rng.sample(templates, k=min(len(templates), rng.randint(2, 5))):
                if written >= args.records:
                    break
                record = copy.deepcopy(template)
                mail = record["mail"]
                old = mail["destination"][0]
                record = retarget(record, old, recipient)
                mail = record["mail"]
                mail["messageId"] = message_id
                mail["timestamp"] = iso(sent)
                key = next((k for k in record if k not in ("eventType", "notificationType", "mail")), None)
                if key and isinstance(record[key], dict) and "timestamp" in record[key]:
                    record[key]["timestamp"] = iso(sent + timedelta(milliseconds=rng.randrange(100, 600_000)))
                out.write(json.dumps(record, separators=(",", ":")))
                out.write("\n")
                written += 1
    print(f"wrote {written} records to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
