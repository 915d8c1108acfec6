#!/usr/bin/env python3
"""Runs every benchmark phase against a release build and prints one table.

Called by scripts/bench (which builds mailsight and mailsight-bench, the load
tools, and installs wrk and moto); see BENCHMARKS.md for what each phase does.
Standard library only.
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY_ID, SECRET, ACCOUNT = "AKIABENCHMARK", "bench-secret", "123456789012"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-bench"


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_child(cmd, **kw):
    """Runs a command to its end; returns (stdout, seconds, peak RSS in MB)."""
    started = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0,):
        sys.exit(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{out}")
    return out, time.monotonic() - started, usage.ru_maxrss / 1024


def hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} did not come up")


class Server:
    """A mailsight server on a port, with a config file."""

    def __init__(self, args, data_dir, extra="", ephemeral=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        os.makedirs(data_dir, exist_ok=True)
        self.config = os.path.join(args.work, f"server-{self.port}.toml")
        with open(self.config, "w") as f:
            f.write(
                f'listen = "127.0.0.1:{self.port}"\ndata_dir = "{data_dir}"\n'
                f'ephemeral = {"true" if ephemeral else "false"}\n'
                f'[[auth.keys]]\naccess_key_id = "{KEY_ID}"\nsecret_access_key = "{SECRET}"\n'
                f'account_id = "{ACCOUNT}"\n{extra}'
            )
        env = dict(os.environ, MAILSIGHT_LOG="warn")
        self.proc = subprocess.Popen([args.bin, "serve", "--config", self.config], env=env)
        wait_http(self.url + "/health")

    def stop(self):
        peak = hwm_mb(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return peak


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(args, url, seconds, script=None, connections=None):
    conns = connections or args.connections
    cmd = [args.wrk, f"-t{args.wrk_threads}", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        lat[pct] = float(value) * UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if bad or errors:
        log("wrk reported problems:", bad.group(0) if bad else "", errors.group(0) if errors else "")
    return {"rps": rps, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
            "non2xx": int(bad.group(1)) if bad else 0}


def warm(data_dir):
    """Reads the data directory once so that it sits in the OS page cache, as
    it does on a server that has been answering for a while (the insights load
    measures that steady state; a cold first pass waits on the disk)."""
    for name in sorted(os.listdir(data_dir)):
        path = os.path.join(data_dir, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                while f.read(8 << 20):
                    pass


def settle():
    """Flushes what earlier phases left for the kernel to write back (the 10M
    fill leaves gigabytes), so that it does not slow the fsyncs of the phase
    about to be measured."""
    os.sync()


def recipients_file(args, corpus=None, n=5_000):
    """The first recipient of the corpus's first `n` records, one per line:
    addresses search by recipient finds (in both stores: the fill adds to
    the corpus's messages)."""
    path = os.path.join(args.work, "recipients.txt")
    seen = []
    with open(corpus or os.path.join(args.work, "corpus.ndjson")) as f:
        for line in f:
            dest = json.loads(line).get("mail", {}).get("destination") or []
            if dest and dest[0] not in seen:
                seen.append(dest[0])
            if len(seen) >= n:
                break
    with open(path, "w") as f:
        f.write("\n".join(seen) + "\n")
    return path


def insights_phase(args, data_dir, id_files, label, results, corpus=None):
    settle()
    warm(data_dir)
    srv = Server(args, data_dir)
    script = os.path.join(args.work, "insights.lua")
    subprocess.run([args.bench_bin, "wrk-script", "--host", f"127.0.0.1:{srv.port}",
                    "--out", script, "--id", KEY_ID, "--secret", SECRET]
                   + sum((["--ids", f] for f in id_files), []), check=True)
    # Warm up, then measure insights and the trivial endpoint in turn.
    wrk(args, srv.url, 2, script)
    ins = wrk(args, srv.url, args.seconds, script)
    triv = wrk(args, srv.url + "/health", args.seconds)
    # The rollups' questions on the same data: BatchGetMetricData (ten
    # 30-day queries) and GetAccount (the last 24 hours).
    # The overview page (30 days of charts, Basic credentials) and search
    # by recipient (addresses from the corpus) on the same data too.
    rollups = {}
    recipients = recipients_file(args, corpus)
    for kind in ("metrics", "account", "overview", "search"):
        s = os.path.join(args.work, f"{kind}.lua")
        extra = ["--ids", recipients] if kind == "search" else []
        subprocess.run([args.bench_bin, "wrk-script", "--request", kind, "--host", f"127.0.0.1:{srv.port}",
                        "--out", s, "--id", KEY_ID, "--secret", SECRET] + extra, check=True)
        wrk(args, srv.url, 1, s)
        rollups[kind] = wrk(args, srv.url, args.seconds, s)
    # Last, many connections at once: the reader pool and the cap on
    # requests in flight keep memory bounded whatever the concurrency.
    many = wrk(args, srv.url, args.seconds, script, connections=args.many_connections)
    peak = srv.stop()
    log(f"insights@{label}: {ins}; /health: {triv}; rollups: {rollups}; "
        f"{args.many_connections} connections: {many}; peak {peak:.0f} MB")
    results[f"insights_{label}"] = {"insights": ins, "trivial": triv, "peak_mb": peak,
                                    "many": many, **rollups}


def send_phase(args, results):
    settle()
    rport = free_port()
    receiver = subprocess.Popen([args.bench_bin, "receiver", "--listen", f"127.0.0.1:{rport}"])
    wait_http(f"http://127.0.0.1:{rport}/count")
    data = os.path.join(args.work, "send-data")
    shutil.rmtree(data, ignore_errors=True)
    extra = (f'[[forwarders]]\nname = "bench-hook"\nurl = "http://127.0.0.1:{rport}/hook"\n'
             'format = "ses"\n')
    srv = Server(args, data, extra)
    out, _, _ = run_child([args.bench_bin, "send", "--url", srv.url, "--concurrency",
                           str(args.send_concurrency), "--seconds", str(args.seconds),
                           "--id", KEY_ID, "--secret", SECRET])
    mine = json.loads(out.strip().splitlines()[-1])
    # Every message has a SEND and a DELIVERY, each delivered to the hook.
    expected = 2 * mine["ok"]
    deadline = time.monotonic() + 60
    delivered = 0
    while time.monotonic() < deadline:
        delivered = int(urllib.request.urlopen(f"http://127.0.0.1:{rport}/count").read())
        if delivered >= expected:
            break
        time.sleep(0.5)
    drain = time.monotonic()
    peak = srv.stop()
    receiver.terminate()
    receiver.wait()
    log(f"send: {mine}; delivered {delivered}/{expected}; peak {peak:.0f} MB")
    results["send"] = {"mailsight": mine, "delivered": delivered, "expected": expected,
                       "peak_mb": peak}
    # No destination, durable then ephemeral: the cost of the send path
    # itself, and of the fsyncs the durable mode adds. Driven by wrk with
    # pre-signed requests (as the issue measured), so that the load
    # generator's signing does not share the cores with the server; moto's
    # server takes the same script.
    for mode in ("durable", "ephemeral"):
        shutil.rmtree(data, ignore_errors=True)
        settle()
        srv = Server(args, data, ephemeral=mode == "ephemeral")
        res = wrk_send(args, srv.url)
        res["peak_mb"] = srv.stop()
        log(f"send, no destination, {mode}: {res}")
        results["send"][f"bare_{mode}"] = res
    if args.moto:
        mport = free_port()
        moto = subprocess.Popen([args.moto, "-H", "127.0.0.1", "-p", str(mport)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{mport}/moto-api/")
        peer = wrk_send(args, f"http://127.0.0.1:{mport}")
        results["send"]["moto"] = peer
        # moto's SES v2 has no GetMessageInsights (nor VDM): one request says
        # whether that is still so, instead of running a load of 404s.
        results["send"]["moto_insights_status"] = http_status(
            f"http://127.0.0.1:{mport}/v2/email/insights/0100018c0000000a-bench-probe/")
        results["send"]["moto_peak_mb"] = hwm_mb(moto.pid)
        moto.terminate()
        moto.wait()
        log(f"moto: {peer}")
    # Any other SES v2 server named with --peer NAME=URL takes the same load.
    for spec in args.peer:
        name, _, url = spec.partition("=")
        res = wrk_send(args, url.rstrip("/"))
        results["send"].setdefault("peers", {})[name] = res
        log(f"{name}: {res}")


def http_status(url):
    """The status of one GET carrying an SES-scoped Authorization header
    (moto routes on it and checks no signature)."""
    req = urllib.request.Request(url, headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIABENCHMARK/20260101/us-east-1/ses/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return None


def wrk_send(args, url):
    """SendEmail through wrk: `mailsight-bench send` creates the sending
    identity (and sends for a second), then wrk replays a thousand signed
    requests for `--seconds` over `--connections`."""
    run_child([args.bench_bin, "send", "--url", url, "--concurrency", "1", "--seconds", "1",
               "--id", KEY_ID, "--secret", SECRET])
    script = os.path.join(args.work, "send.lua")
    subprocess.run([args.bench_bin, "wrk-script", "--request", "send", "--host",
                    urllib.parse.urlsplit(url).netloc, "--out", script, "--id", KEY_ID, "--secret", SECRET],
                   check=True)
    out = wrk(args, url, args.seconds, script)
    return {"rate": out["rps"], "p50_ms": out["p50_ms"], "p99_ms": out["p99_ms"],
            "non2xx": out["non2xx"]}


def sns_phase(args, results):
    settle()
    data = os.path.join(args.work, "sns-data")
    certs = os.path.join(args.work, "sns-certs")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(certs, exist_ok=True)
    extra = (f'[ingest.sns]\ntopics = ["{TOPIC}"]\ntrusted_certs_dir = "{certs}"\n'
             'fetch_certs = false\n')
    srv = Server(args, data, extra)
    out, _, _ = run_child([args.bench_bin, "sns", "--url", srv.url, "--certs-dir", certs,
                           "--topic", TOPIC, "--count", str(args.sns_count), "--concurrency",
                           str(args.send_concurrency), "--fixtures", args.fixtures])
    res = json.loads(out.strip().splitlines()[-1])
    peak = srv.stop()
    log(f"sns: {res}; peak {peak:.0f} MB")
    results["sns"] = {"mailsight": res, "peak_mb": peak}


def conditions(args):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    fs = subprocess.run(["df", "-T", args.work], capture_output=True, text=True).stdout.splitlines()[-1].split()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, data on {fs[1]} ({fs[0]}), {rustc}, "
            f"load average at start {load[0]:.2f}")


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float) and v < 100:
        return f"{v:.2f}{unit}"
    return f"{v:,.0f}{unit}"


def table(args, r):
    rows = []

    def row(name, value, target, peer, ok):
        rows.append((name, value, target, peer, "yes" if ok else "NO" if ok is not None else ""))

    imp, parse = r["import"], r["parse"]
    ratio = imp["rate"] / parse["rate"]
    row(f"Import {args.records:,} records (events/s)", fmt(imp["rate"]), ">= 150,000",
        f"parse only {fmt(parse['rate'])}/s", imp["rate"] >= 150_000)
    row("Import / parse-only speed", f"{ratio:.0%}", ">= 50%", "", ratio >= 0.50)
    for label in ("tiny", "small", "big"):
        key = f"insights_{label}"
        if key not in r:
            continue
        n = r[key]["events"]
        ins, triv = r[key]["insights"], r[key]["trivial"]
        big = label == "big"
        if ins.get("non2xx") or triv.get("non2xx"):
            row(f"GetMessageInsights @ {n:,} events", "INVALID", "", f"{ins['non2xx']:,} non-2xx answers", False)
            continue
        row(f"GetMessageInsights @ {n:,} events (req/s)", fmt(ins["rps"]), ">= 30,000" if big else "",
            f"/health {fmt(triv['rps'])}/s", ins["rps"] >= 30_000 if big else None)
        if big:
            share = ins["rps"] / triv["rps"] if triv["rps"] else 0
            row("  share of the trivial endpoint's rate", f"{share:.0%}", ">= 40%", "", share >= 0.40)
        row(f"  p50 / p99 latency (ms)", f"{fmt(ins['p50_ms'])} / {fmt(ins['p99_ms'])}",
            "p99 < 3" if big else "", f"/health {fmt(triv['p50_ms'])} / {fmt(triv['p99_ms'])}",
            (ins["p99_ms"] or 99) < 3 if big else None)
        if "metrics" in r[key]:
            m = r[key]["metrics"]
            row(f"BatchGetMetricData, 10 queries x 30 days @ {n:,} events (req/s)", fmt(m["rps"]), "",
                f"/health {fmt(triv['rps'])}/s", None)
            row("  p50 / p99 latency (ms)", f"{fmt(m['p50_ms'])} / {fmt(m['p99_ms'])}", "p99 < 5" if big else "",
                f"/health {fmt(triv['p50_ms'])} / {fmt(triv['p99_ms'])}", (m["p99_ms"] or 99) < 5 if big else None)
        if "account" in r[key]:
            a = r[key]["account"]
            row(f"GetAccount @ {n:,} events (req/s)", fmt(a["rps"]), "", f"/health {fmt(triv['rps'])}/s", None)
        for kind, name, target in (("overview", "Dashboard overview, 30 days", 50), ("search", "Search by recipient", 10)):
            if kind not in r[key]:
                continue
            o = r[key][kind]
            if o.get("non2xx"):
                row(f"{name} @ {n:,} events", "INVALID", "", f"{o['non2xx']:,} non-2xx answers", False)
                continue
            row(f"{name} @ {n:,} events (req/s)", fmt(o["rps"]), "", f"/health {fmt(triv['rps'])}/s", None)
            row("  p50 / p99 latency (ms)", f"{fmt(o['p50_ms'])} / {fmt(o['p99_ms'])}",
                f"p99 < {target}" if big else "", f"/health {fmt(triv['p50_ms'])} / {fmt(triv['p99_ms'])}",
                (o["p99_ms"] or 999) < target if big else None)
    # Every read operation's cost flat in the data size: its rate on the
    # biggest store within 20% of its rate on the 10-thousand-event one.
    tiny, big = r.get("insights_tiny"), r.get("insights_big") or r.get("insights_small")
    if tiny and big and big is not tiny:
        for kind, name in (("insights", "GetMessageInsights"), ("metrics", "BatchGetMetricData"),
                           ("account", "GetAccount"), ("overview", "Dashboard overview"),
                           ("search", "Search by recipient")):
            a, b = tiny.get(kind), big.get(kind)
            if not a or not b or not a.get("rps") or a.get("non2xx") or b.get("non2xx"):
                continue
            flat = b["rps"] / a["rps"]
            row(f"{name} @ {big['events']:,} / @ {tiny['events']:,} events", f"{flat:.0%}", ">= 80%",
                f"{fmt(b['rps'])}/s against {fmt(a['rps'])}/s", flat >= 0.8)
    if "send" in r:
        s = r["send"]
        peer = s.get("moto")
        row("SendEmail, persisted + webhook (sends/s)", fmt(s["mailsight"]["rate"]), ">= 8,000",
            "signing client, 64 at once", s["mailsight"]["rate"] >= 8000)
        row("  p50 / p99 latency (ms)", f"{fmt(s['mailsight']['p50_ms'])} / {fmt(s['mailsight']['p99_ms'])}", "",
            "", None)
        row("  webhook deliveries received", f"{s['delivered']:,} of {s['expected']:,}", "all",
            "", s["delivered"] >= s["expected"])
        for mode, target in (("durable", 20_000), ("ephemeral", 65_000)):
            b = s.get(f"bare_{mode}")
            if not b:
                continue
            ref = (f"moto {fmt(peer['rate'])}/s (x{b['rate'] / peer['rate']:.1f})"
                   if peer and peer["rate"] else "moto not run")
            row(f"SendEmail, {mode}, no destination, wrk (sends/s)", fmt(b["rate"]),
                f">= {target:,}", ref, b["rate"] >= target)
            row("  p50 / p99 latency (ms)", f"{fmt(b['p50_ms'])} / {fmt(b['p99_ms'])}",
                "p99 < 2" if mode == "ephemeral" else "",
                f"moto {fmt(peer['p50_ms'])} / {fmt(peer['p99_ms'])}" if peer else "",
                (b["p99_ms"] or 99) < 2 if mode == "ephemeral" else None)
        status = s.get("moto_insights_status")
        if peer and status is not None:
            row("GetMessageInsights on moto", "not implemented" if status >= 300 else f"HTTP {status}", "",
                f"HTTP {status} to GET /v2/email/insights/{{id}}/", None)
        eph = s.get("bare_ephemeral")
        for name, p in s.get("peers", {}).items():
            ratio = f"mailsight ephemeral x{eph['rate'] / p['rate']:.2f}" if eph and p["rate"] else ""
            row(f"SendEmail on {name}, no destination, wrk (sends/s)", fmt(p["rate"]), "",
                ratio, None)
            row("  p50 / p99 latency (ms)", f"{fmt(p['p50_ms'])} / {fmt(p['p99_ms'])}", "", "", None)
    if "sns" in r:
        s = r["sns"]["mailsight"]
        row("SNS ingest, signatures verified (notif./s)", fmt(s["rate"]), ">= 5,000",
            f"{s['ok']:,} ok, {s['errors']} errors", s["rate"] >= 5000)
    for label in ("tiny", "small", "big"):
        m = r.get(f"insights_{label}", {}).get("many")
        if m:
            n = r[f"insights_{label}"]["events"]
            row(f"GetMessageInsights, {args.many_connections} connections @ {n:,} events (req/s)",
                fmt(m["rps"]), "", f"{m['non2xx']:,} refused (503)", None)
    peaks = [("import", r["import"]["peak_mb"]), ("parse", r["parse"]["peak_mb"])]
    for k in ("fill", "insights_tiny", "insights_small", "insights_big", "send", "sns"):
        if k in r:
            peaks.append((k, r[k]["peak_mb"]))
    for mode in ("durable", "ephemeral"):
        b = r.get("send", {}).get(f"bare_{mode}")
        if b:
            peaks.append((f"send-{mode}", b["peak_mb"]))
    worst = max(p for _, p in peaks)
    row("Peak RSS, worst phase (MB)", fmt(worst), "< 150",
        ", ".join(f"{k} {v:.0f}" for k, v in peaks), worst < 150)
    for k in ("disk_small", "disk_big"):
        if k in r:
            d = r[k]
            row(f"Disk per stored event @ {d['events']:,} (bytes)", fmt(d["per_event"]), "<= 300",
                f"{d['bytes'] / 2**20:,.0f} MiB total", d["per_event"] <= 300)
    widths = [max(len(str(x[i])) for x in rows + [("Figure", "Result", "Target", "Reference", "Met")]) for i in range(5)]
    head = ("Figure", "Result", "Target", "Reference", "Met")
    lines = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for x in rows:
        lines.append("| " + " | ".join(str(v).ljust(w) for v, w in zip(x, widths)) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="the mailsight binary")
    ap.add_argument("--bench-bin", required=True, help="the mailsight-bench binary (the load tools)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--wrk", default=shutil.which("wrk"))
    ap.add_argument("--moto", default=shutil.which("moto_server"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "..", "shared", "fixtures", "ses-docs-examples"))
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--tiny", type=int, default=10_000,
                    help="events of the smallest store, the read operations' flat-cost reference (0: skip)")
    ap.add_argument("--big", type=int, default=10_000_000, help="events for the second insights run (0: skip)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--many-connections", type=int, default=256,
                    help="connections of the last insights load (memory under concurrency)")
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--send-concurrency", type=int, default=64)
    ap.add_argument("--sns-count", type=int, default=20_000)
    ap.add_argument("--peer", action="append", default=[], metavar="NAME=URL",
                    help="another SES v2 server to run the wrk SendEmail load against (repeatable)")
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: insights,send,sns")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    started = time.monotonic()
    r = {"conditions": conditions(args)}
    log(r["conditions"])

    corpus = os.path.join(args.work, "corpus.ndjson")
    ids_corpus = os.path.join(args.work, "ids-corpus.txt")
    log(f"generating {args.records:,} records")
    _, secs, _ = run_child([args.bench_bin, "corpus", "--records", str(args.records), "--out", corpus,
                            "--ids", ids_corpus, "--fixtures", args.fixtures])
    r["corpus"] = {"seconds": secs, "bytes": os.path.getsize(corpus)}

    log("parse only")
    out, secs, peak = run_child([args.bin, "import", "--parse-only", "--quiet", corpus])
    r["parse"] = {"rate": args.records / secs, "seconds": secs, "peak_mb": peak, "out": out.strip()}
    log(out.strip())

    data = os.path.join(args.work, "data")
    shutil.rmtree(data, ignore_errors=True)
    log("import")
    out, secs, peak = run_child([args.bin, "import", "--quiet", "--data-dir", data, "--account", ACCOUNT, corpus])
    r["import"] = {"rate": args.records / secs, "seconds": secs, "peak_mb": peak, "out": out.strip()}
    log(out.strip())
    size = dir_bytes(data)
    r["disk_small"] = {"events": args.records, "bytes": size, "per_event": size / args.records}

    if "insights" not in skip and args.tiny and args.tiny < args.records:
        # A store of `--tiny` events from the same generator, for the read
        # operations' flat-cost comparison.
        tiny_corpus = os.path.join(args.work, "corpus-tiny.ndjson")
        ids_tiny = os.path.join(args.work, "ids-tiny.txt")
        run_child([args.bench_bin, "corpus", "--records", str(args.tiny), "--out", tiny_corpus,
                   "--ids", ids_tiny, "--fixtures", args.fixtures])
        tiny = os.path.join(args.work, "data-tiny")
        shutil.rmtree(tiny, ignore_errors=True)
        run_child([args.bin, "import", "--quiet", "--data-dir", tiny, "--account", ACCOUNT, tiny_corpus])
        insights_phase(args, tiny, [ids_tiny], "tiny", r, tiny_corpus)
        r["insights_tiny"]["events"] = args.tiny
        shutil.rmtree(tiny, ignore_errors=True)
    if "insights" not in skip:
        insights_phase(args, data, [ids_corpus], "small", r)
        r["insights_small"]["events"] = args.records
        if args.big > args.records:
            more = args.big - args.records
            ids_fill = os.path.join(args.work, "ids-fill.txt")
            log(f"storing {more:,} more records through the ingestor")
            out, secs, peak = run_child([args.bench_bin, "fill", "--data-dir", data, "--records", str(more),
                                         "--ids", ids_fill, "--account", ACCOUNT, "--fixtures", args.fixtures])
            r["fill"] = dict(json.loads(out.strip().splitlines()[-1]), peak_mb=peak)
            log(out.strip())
            size = dir_bytes(data)
            r["disk_big"] = {"events": args.big, "bytes": size, "per_event": size / args.big}
            insights_phase(args, data, [ids_corpus, ids_fill], "big", r)
            r["insights_big"]["events"] = args.big
    if "send" not in skip:
        send_phase(args, r)
    if "sns" not in skip:
        sns_phase(args, r)

    r["seconds"] = time.monotonic() - started
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(r, f, indent=2)
    t = table(args, r)
    with open(os.path.join(args.work, "results.md"), "w") as f:
        f.write(f"Conditions: {r['conditions']}\n\n{t}\n")
    print()
    print(f"mailsight benchmarks ({r['seconds']:.0f} s). {r['conditions']}")
    print()
    print(t)


if __name__ == "__main__":
    main()
