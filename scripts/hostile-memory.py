#!/usr/bin/env python3
"""Resident memory of a mailsight binary before and after hostile load.

    cargo build -p mailsight && scripts/hostile-memory.py target/debug/mailsight [port]

Starts the binary as a child process with an access key and a Firehose key,
then sends a gzip bomb to /ingest/firehose (BOMB_MIB MiB of zeros, 1024 by
default: about 1 MB on the wire), sixteen concurrent unsigned 39 MiB bodies,
and sixteen 39 MiB bodies with a known key id and a forged signature, and
prints VmRSS and VmHWM (the peak) from /proc/<pid>/status after each.
INGEST_LIMIT sets ingest.max_body_bytes; BOMB_ONLY=1 stops after the bomb.
See docs/RELIABILITY.md for the numbers.
"""
import hashlib, http.client, os, socket, subprocess, sys, tempfile, threading, time, zlib, datetime

BIN = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 4599
d = tempfile.mkdtemp()
cfg = os.path.join(d, "m.toml")
open(cfg, "w").write(f'''listen = "127.0.0.1:{PORT}"
data_dir = "{d}/data"
[[auth.keys]]
access_key_id = "AKIDEXAMPLE"
secret_access_key = "secret"
account_id = "111122223333"
[ingest]
max_body_bytes = {os.environ.get("INGEST_LIMIT", "67108864")}
[ingest.firehose]
access_keys = ["fh-key"]
''')
p = subprocess.Popen([BIN, "serve", "--config", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def mem():
    out = {}
    for line in open(f"/proc/{p.pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0]) // 1024
    return f"VmRSS {out['VmRSS']} MB, VmHWM {out['VmHWM']} MB"

for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", PORT)).close(); break
    except OSError:
        time.sleep(0.1)
time.sleep(0.5)
print("started:", mem())

# 1. A gzip bomb: 1 GiB of zeros, about 1 MB on the wire.
c = zlib.compressobj(9, zlib.DEFLATED, 31)
zeros = b"\0" * (1 << 20)
bomb = b"".join(c.compress(zeros) for _ in range(int(os.environ.get("BOMB_MIB", "1024")))) + c.flush()
conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
t0 = time.time()
conn.request("POST", "/ingest/firehose", body=bomb, headers={
    "x-amz-firehose-access-key": "fh-key", "x-amz-firehose-request-id": "r",
    "content-type": "application/json", "content-encoding": "gzip"})
r = conn.getresponse()
print(f"gzip bomb ({len(bomb)} bytes): {r.status} {r.read()[:120]!r} in {time.time()-t0:.1f}s")
time.sleep(0.5)
print("after the bomb:", mem())

BIG = 39 * 1024 * 1024
body = b"{" + b" " * (BIG - 2) + b"}"

def send(extra):
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
        head = (f"POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {BIG}\r\n{extra}\r\n").encode()
        s.sendall(head)
        try:
            s.sendall(body)
        except OSError:
            pass
        resp = s.recv(200).split(b"\r\n")[0]
        s.close()
        return resp
    except OSError as e:
        return repr(e)

def wave(name, extra):
    out = []
    ts = [threading.Thread(target=lambda: out.append(send(extra))) for _ in range(16)]
    t0 = time.time()
    [t.start() for t in ts]; [t.join() for t in ts]
    print(f"{name}: {sorted(set(map(str, out)))} in {time.time()-t0:.1f}s")
    time.sleep(0.5)
    print(f"after {name}:", mem())

if os.environ.get("BOMB_ONLY"):
    p.terminate(); p.wait(); sys.exit()
wave("16 x 39 MiB unsigned", "")
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
forged = (f"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{now[:8]}/us-east-1/ses/aws4_request, "
          f"SignedHeaders=host;x-amz-date, Signature={'0'*64}\r\nx-amz-date: {now}\r\n")
wave("16 x 39 MiB with a known key id, forged signature", forged)
p.terminate(); p.wait()
