#!/usr/bin/env bash
# The crash-and-abuse suite (scripts/abuse.py) against the real binary:
# kill -9 under SendEmail and under ingest, a receiver down then up, hostile
# bodies under a memory bound, malformed requests. Run by scripts/test.
#
#   MAILSIGHT_BIN=target/debug/mailsight scripts/abuse.sh
#
# Uses python3 when it has boto3, else the venv scripts/sdk-lifecycle.sh
# made. The last line is "abuse: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=$("$ROOT/scripts/target-dir" 2>/dev/null) || TARGET="$ROOT/target"
BIN=${MAILSIGHT_BIN:-$TARGET/debug/mailsight}
[[ -x "$BIN" ]] || { echo "abuse: no mailsight binary at $BIN"; echo "abuse: 0 passed, 1 failed"; exit 1; }
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SESV2 AWS_SESSION_TOKEN
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
PY=python3
if ! python3 -c 'import boto3' >/dev/null 2>&1; then
    PY="$TARGET/sdk-lifecycle-venv/bin/python"
fi
"$PY" -c 'import boto3' >/dev/null 2>&1 || { echo "abuse: no python with boto3 (run scripts/sdk-lifecycle.sh first)"; echo "abuse: 0 passed, 1 failed"; exit 1; }
exec "$PY" "$ROOT/scripts/abuse.py" "$BIN"
