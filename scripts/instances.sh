#!/usr/bin/env bash
# Three mailsight instances on one PostgreSQL database, one killed with
# SIGKILL mid-way (scripts/instances.py). Run by scripts/test, after
# scripts/services made sure PostgreSQL runs.
#
#   MAILSIGHT_BIN=target/debug/mailsight scripts/instances.sh
#
# The server is MAILSIGHT_TEST_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/postgres); the run makes a database of
# its own there and drops it. The last line is "instances: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=$("$ROOT/scripts/target-dir" 2>/dev/null) || TARGET="$ROOT/target"
BIN=${MAILSIGHT_BIN:-$TARGET/debug/mailsight}
PG=${MAILSIGHT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
[[ -x "$BIN" ]] || { echo "instances: no mailsight binary at $BIN"; echo "instances: 0 passed, 1 failed"; exit 1; }
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SESV2 AWS_SESSION_TOKEN MAILSIGHT_DATABASE_URL
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
PY=python3
if ! python3 -c 'import boto3' >/dev/null 2>&1; then
    PY="$TARGET/sdk-lifecycle-venv/bin/python"
fi
"$PY" -c 'import boto3' >/dev/null 2>&1 || { echo "instances: no python with boto3 (run scripts/sdk-lifecycle.sh first)"; echo "instances: 0 passed, 1 failed"; exit 1; }
command -v psql >/dev/null || { echo "instances: psql not found"; echo "instances: 0 passed, 1 failed"; exit 1; }
exec "$PY" "$ROOT/scripts/instances.py" "$BIN" "$PG"
