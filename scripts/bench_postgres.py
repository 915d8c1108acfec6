#!/usr/bin/env python3
"""The benchmark's import, insights and SendEmail phases on PostgreSQL, with
one and with two mailsight instances, beside SQLite in the same run
(`scripts/bench --postgres`; see BENCHMARKS.md).

    bench_postgres.py --bin MAILSIGHT --bench-bin MAILSIGHT_BENCH --work DIR
                      [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                      [--records 200000] [--seconds 10]

Each figure is also given as a ratio to SQLite's in this run. With two
instances, the load is split between them (two wrk processes for insights,
two SendEmail clients at half the concurrency each) and the rates added.
The PostgreSQL server runs on the same machine, so the two instances, the
database and the load share its cores: the figures say what sharing costs
here, not what more machines would give.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (  # noqa: E402 - beside this script
    ACCOUNT, KEY_ID, SECRET, Server, conditions, log, run_child, settle, wrk,
)


def db_url(base, name):
    p = urlsplit(base)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, ""))


def psql(base, sql):
    subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def store_extra(url):
    return f'[store]\nurl = "{url}"\n' if url else ""


def insights(args, servers, id_files):
    """GetMessageInsights under wrk, split across `servers`: requests/s summed."""
    results, threads = [], []
    for srv in servers:
        script = os.path.join(args.work, f"insights-{srv.port}.lua")
        subprocess.run([args.bench_bin, "wrk-script", "--host", f"127.0.0.1:{srv.port}", "--out", script,
                        "--id", KEY_ID, "--secret", SECRET] + sum((["--ids", f] for f in id_files), []),
                       check=True)
        wrk(args, srv.url, 2, script, connections=args.connections // len(servers))

        def one(srv=srv, script=script):
            results.append(wrk(args, srv.url, args.seconds, script,
                               connections=args.connections // len(servers)))
        threads.append(threading.Thread(target=one))
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {"rps": sum(r["rps"] for r in results), "p99_ms": max(r["p99_ms"] or 0 for r in results),
            "non2xx": sum(r["non2xx"] for r in results)}


def send(args, servers):
    """SendEmail at the bench concurrency, split across `servers`."""
    results, threads = [], []
    for srv in servers:
        def one(srv=srv):
            out, _, _ = run_child([args.bench_bin, "send", "--url", srv.url, "--concurrency",
                                   str(max(1, args.send_concurrency // len(servers))),
                                   "--seconds", str(args.seconds), "--id", KEY_ID, "--secret", SECRET])
            results.append(json.loads(out.strip().splitlines()[-1]))
        threads.append(threading.Thread(target=one))
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {"rps": sum(r.get("rate", 0) for r in results), "ok": sum(r.get("ok", 0) for r in results),
            "errors": sum(r.get("errors", 0) for r in results)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--postgres", default=os.environ.get("MAILSIGHT_TEST_POSTGRES",
                                                        "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                       "fixtures", "ses-docs-examples"))
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--wrk", default=shutil.which("wrk"))
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--send-concurrency", type=int, default=64)
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    r = {"conditions": conditions(args)}
    log(r["conditions"])
    corpus = os.path.join(args.work, "pg-corpus.ndjson")
    ids = os.path.join(args.work, "pg-ids.txt")
    run_child([args.bench_bin, "corpus", "--records", str(args.records), "--out", corpus, "--ids", ids,
               "--fixtures", args.fixtures])
    name = f"mailsight_bench_{uuid.uuid4().hex[:10]}"
    psql(args.postgres, f"CREATE DATABASE {name}")
    pg = db_url(args.postgres, name)
    try:
        for store, url in (("sqlite", None), ("postgres", pg)):
            settle()
            data = os.path.join(args.work, f"pg-bench-{store}")
            shutil.rmtree(data, ignore_errors=True)
            where = ["--database", url] if url else ["--data-dir", data]
            _, secs, peak = run_child([args.bin, "import", "--quiet", "--account", ACCOUNT] + where + [corpus])
            r[f"import_{store}"] = {"rate": args.records / secs, "seconds": secs, "peak_mb": peak}
            log(f"import into {store}: {args.records / secs:,.0f} records/s")
            counts = (1, 2) if url else (1,)
            for n in counts:
                servers = [Server(args, f"{data}-{i}" if url else data, store_extra(url)) for i in range(n)]
                settle()
                r[f"insights_{store}_{n}"] = insights(args, servers, [ids])
                r[f"send_{store}_{n}"] = send(args, servers)
                for s in servers:
                    s.stop()
                log(f"{store}, {n} instance(s): insights {r[f'insights_{store}_{n}']}, "
                    f"send {r[f'send_{store}_{n}']}")
    finally:
        psql(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    base = {"import": r["import_sqlite"]["rate"], "insights": r["insights_sqlite_1"]["rps"],
            "send": r["send_sqlite_1"]["rps"]}
    print(f"\n{r['conditions']}\n{args.records:,} records; {args.seconds} s per load; "
          f"{args.connections} insights connections, SendEmail concurrency {args.send_concurrency}\n")
    print("| phase | SQLite | PostgreSQL, 1 instance | PostgreSQL, 2 instances |")
    print("|---|---|---|---|")
    print(f"| import (records/s) | {base['import']:,.0f} | {r['import_postgres']['rate']:,.0f} "
          f"({r['import_postgres']['rate'] / base['import']:.2f}×) | (one importer) |")
    for phase, key in (("GetMessageInsights (req/s)", "insights"), ("SendEmail (req/s)", "send")):
        one, two = r[f"{key}_postgres_1"]["rps"], r[f"{key}_postgres_2"]["rps"]
        print(f"| {phase} | {base[key]:,.0f} | {one:,.0f} ({one / base[key]:.2f}×) | "
              f"{two:,.0f} ({two / base[key]:.2f}×) |")
    with open(os.path.join(args.work, "pg-results.json"), "w") as f:
        json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
