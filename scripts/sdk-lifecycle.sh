#!/usr/bin/env bash
# End-to-end check of mailsight through the real AWS SDK for Python (boto3)
# and, when it installs, AWS CLI v1.
#
#   scripts/sdk-lifecycle.sh
#
# Builds mailsight (cargo build -p mailsight), starts `mailsight serve` on a
# free loopback port with a fresh data directory, runs
# scripts/sdk-lifecycle.py against it, restarts the server on the same data
# directory, runs the script's --after-restart phase, then
# scripts/every-operation.py (every SES v2 operation once, through the newest
# boto3) against a server of its own, and stops the servers whatever
# happens. The last line is always
#
#   sdk-lifecycle: N passed, M failed
#
# and the exit status is non-zero when M > 0 or anything else went wrong.
#
# Python: uses python3 when it already has boto3; otherwise (or with
# SDK_LIFECYCLE_FORCE_VENV=1) makes a venv in sdk-lifecycle-venv under
# cargo's target directory (scripts/target-dir) and
# installs the pinned boto3 there. AWS CLI v1 comes from the same Python when
# it has it, else is pip-installed into that venv; if that fails its checks
# are skipped with a note.
#
# Environment knobs:
#   SDK_LIFECYCLE_FORCE_VENV=1   always use the venv, even if python3 has boto3
#   SDK_LIFECYCLE_VENV=DIR       where the venv lives [<target dir>/sdk-lifecycle-venv]
#   SDK_LIFECYCLE_NO_CLI=1       skip the AWS CLI part
#   SDK_LIFECYCLE_KEEP=1         keep the temp dir (data dir, server logs, state)
#   MAILSIGHT_BIN=PATH           use this binary instead of building one
set -uo pipefail

BOTO3_VERSION=1.44.5
AWSCLI_VERSION=1.46.3
# The boto3 whose SES v2 model crates/api/tests/data/sesv2-operations.tsv
# copies (scripts/every-operation.py checks that they agree).
EVERY_BOTO3_VERSION=1.44.8

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT="$ROOT/scripts/sdk-lifecycle.py"
# Cargo's target directory, wherever the caller's cargo puts it; without
# cargo (a given MAILSIGHT_BIN) the venv goes to ./target.
TARGET=$("$ROOT/scripts/target-dir" 2>/dev/null) || TARGET="$ROOT/target"
VENV=${SDK_LIFECYCLE_VENV:-$TARGET/sdk-lifecycle-venv}

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONUNBUFFERED=1
# Nothing from the caller's AWS or mailsight setup may leak into the run.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SESV2 AWS_SESSION_TOKEN
unset MAILSIGHT_CONFIG MAILSIGHT_LISTEN MAILSIGHT_DATA_DIR MAILSIGHT_ACCESS_KEY_ID \
      MAILSIGHT_SECRET_ACCESS_KEY MAILSIGHT_ACCOUNT_ID MAILSIGHT_ALLOW_UNVERIFIED_SENDERS
# Loopback traffic must never go through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sdk-lifecycle.XXXXXX")
DATA="$WORK/data"
STATE="$WORK/state.json"
RESULTS="$WORK/results.jsonl"
SERVER_PID=""
SETUP_FAILED=0

log() { printf 'sdk-lifecycle: %s\n' "$*"; }

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server $SERVER_PID did not stop on SIGTERM within 10 s; killing it"
            kill -KILL "$SERVER_PID" 2>/dev/null
        fi
        wait "$SERVER_PID" 2>/dev/null
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    if [[ "${SDK_LIFECYCLE_KEEP:-}" == 1 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints the closing line and exits; a setup failure counts as one failed check.
finish() {
    local passed=0 failed=0 p f
    if [[ -f "$RESULTS" ]]; then
        while read -r p f; do
            passed=$((passed + p))
            failed=$((failed + f))
        done < <("$PY_FOR_SUMS" -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        print(r["passed"], r["failed"])
' "$RESULTS")
    fi
    failed=$((failed + SETUP_FAILED))
    echo "sdk-lifecycle: $passed passed, $failed failed"
    [[ $failed -eq 0 ]] && exit 0
    exit 1
}

setup_fail() {
    log "SETUP FAILED: $*"
    SETUP_FAILED=$((SETUP_FAILED + 1))
    finish
}

PY_FOR_SUMS=python3
command -v python3 >/dev/null || { echo "sdk-lifecycle: python3 not found"; echo "sdk-lifecycle: 0 passed, 1 failed"; exit 1; }

# ---- Python with boto3 -------------------------------------------------------
has_boto3() { "$1" -c 'import boto3; boto3.client("sesv2", region_name="us-east-1")' >/dev/null 2>&1; }

VENV_PY=""
ensure_venv() {
    [[ -n "$VENV_PY" ]] && return 0
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        VENV_PY="$VENV/bin/python"
        return 0
    fi
    log "creating venv $VENV"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    if python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1; then
        VENV_PY="$VENV/bin/python"
        return 0
    fi
    cat "$WORK/venv.log"
    rm -rf "$VENV"
    return 1
}

PY=""
if [[ "${SDK_LIFECYCLE_FORCE_VENV:-}" != 1 ]] && has_boto3 python3; then
    PY=python3
else
    ensure_venv || setup_fail "python3 -m venv $VENV failed (install python3-venv?)"
    if ! has_boto3 "$VENV_PY"; then
        log "installing boto3==$BOTO3_VERSION into $VENV"
        "$VENV_PY" -m pip install --quiet "boto3==$BOTO3_VERSION" || setup_fail "pip install boto3==$BOTO3_VERSION failed"
    fi
    has_boto3 "$VENV_PY" || setup_fail "boto3 is still not importable from $VENV_PY"
    PY="$VENV_PY"
fi
PY_FOR_SUMS="$PY"
log "python: $("$PY" -c 'import sys, boto3, botocore; print(sys.executable, "boto3", boto3.__version__, "botocore", botocore.__version__)')"

# ---- AWS CLI v1 (optional) -----------------------------------------------------
AWS_CLI=""
has_awscli() { "$1" -m awscli --version >/dev/null 2>&1; }
if [[ "${SDK_LIFECYCLE_NO_CLI:-}" == 1 ]]; then
    log "note: AWS CLI checks skipped (SDK_LIFECYCLE_NO_CLI=1)"
elif has_awscli "$PY"; then
    AWS_CLI="$PY -m awscli"
elif ensure_venv && { has_awscli "$VENV_PY" || {
        log "installing awscli==$AWSCLI_VERSION into $VENV"
        "$VENV_PY" -m pip install --quiet "awscli==$AWSCLI_VERSION" >"$WORK/awscli-pip.log" 2>&1
    }; } && has_awscli "$VENV_PY"; then
    AWS_CLI="$VENV_PY -m awscli"
else
    log "note: AWS CLI v1 could not be installed; its checks are skipped"
    [[ -f "$WORK/awscli-pip.log" ]] && tail -n 5 "$WORK/awscli-pip.log"
fi
if [[ -n "$AWS_CLI" ]]; then
    log "aws cli: $($AWS_CLI --version 2>&1)"
fi

# ---- mailsight -----------------------------------------------------------------
if [[ -n "${MAILSIGHT_BIN:-}" ]]; then
    BIN="$MAILSIGHT_BIN"
else
    log "cargo build -p mailsight"
    (cd "$ROOT" && cargo build -p mailsight) || setup_fail "cargo build -p mailsight failed"
    BIN="$TARGET/debug/mailsight"
fi
[[ -x "$BIN" ]] || setup_fail "no mailsight binary at $BIN"

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_answers() {
    "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$1" \
        >/dev/null 2>&1
}

# start_server PORT LOG [ARGS...]: starts it (on $DATA unless ARGS say
# otherwise) and waits (up to 30 s) until the port answers.
start_server() {
    local port=$1 logfile=$2
    shift 2
    local args=("$@")
    [[ ${#args[@]} -eq 0 ]] && args=(--data-dir "$DATA")
    "$BIN" serve "${args[@]}" --listen "127.0.0.1:$port" >>"$logfile" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null
            SERVER_PID=""
            return 1
        fi
        port_answers "$port" && return 0
        sleep 0.1
    done
    stop_server
    return 1
}

mkdir -p "$DATA"
PORT=""
for _ in 1 2 3; do
    PORT=$(free_port) || setup_fail "could not find a free port"
    if start_server "$PORT" "$WORK/server-1.log"; then
        break
    fi
    PORT=""
done
if [[ -z "$PORT" ]]; then
    tail -n 30 "$WORK/server-1.log"
    setup_fail "mailsight serve did not start"
fi
ENDPOINT="http://127.0.0.1:$PORT"
log "mailsight $SERVER_PID listening on $ENDPOINT, data dir $DATA"

# ---- phase 1 --------------------------------------------------------------------
PHASE_ARGS=(--endpoint "$ENDPOINT" --state "$STATE" --results "$RESULTS")
if [[ -n "$AWS_CLI" ]]; then
    PHASE_ARGS+=(--aws-cli "$AWS_CLI")
fi
"$PY" "$SCRIPT" "${PHASE_ARGS[@]}"
rc=$?
if [[ $rc -ne 0 ]]; then
    log "phase 1 exited $rc; last server log lines:"
    tail -n 20 "$WORK/server-1.log"
    grep -q '"phase": "main"' "$RESULTS" 2>/dev/null || SETUP_FAILED=$((SETUP_FAILED + 1))
fi

# ---- restart on the same data dir ------------------------------------------------------
if [[ ! -f "$STATE" ]]; then
    setup_fail "phase 1 wrote no state file; cannot check the restart"
fi
log "restarting mailsight on the same data dir"
stop_server
started=0
for _ in 1 2 3 4 5; do
    if start_server "$PORT" "$WORK/server-2.log"; then
        started=1
        break
    fi
    sleep 1
done
if [[ $started -ne 1 ]]; then
    tail -n 30 "$WORK/server-2.log"
    setup_fail "mailsight serve did not start again on $DATA"
fi
log "mailsight $SERVER_PID listening again on $ENDPOINT"

"$PY" "$SCRIPT" --endpoint "$ENDPOINT" --state "$STATE" --results "$RESULTS" --after-restart
rc=$?
if [[ $rc -ne 0 ]]; then
    log "after-restart phase exited $rc; last server log lines:"
    tail -n 20 "$WORK/server-2.log"
    grep -q '"phase": "after-restart"' "$RESULTS" 2>/dev/null || SETUP_FAILED=$((SETUP_FAILED + 1))
fi

stop_server

# ---- every SES v2 operation, through the newest boto3 ----------------------------
# A venv of its own: the AWS CLI v1 above pins an older botocore, and this
# phase needs the model scripts/every-operation.py was written against. Its
# server has a dedicated IP and a bucket bound to a directory, so that every
# operation has something to act on.
EVERY_VENV=${EVERY_OPERATION_VENV:-$TARGET/every-operation-venv}
EVERY_PY="$EVERY_VENV/bin/python"
has_pinned_boto3() {
    "$1" -c "import boto3, sys; sys.exit(boto3.__version__ != '$EVERY_BOTO3_VERSION')" >/dev/null 2>&1
}
if ! has_pinned_boto3 "$EVERY_PY"; then
    log "installing boto3==$EVERY_BOTO3_VERSION into $EVERY_VENV"
    { python3 -m venv "$EVERY_VENV" && "$EVERY_PY" -m pip install --quiet "boto3==$EVERY_BOTO3_VERSION"; } \
        >"$WORK/every-pip.log" 2>&1 || { tail -n 5 "$WORK/every-pip.log"; setup_fail "pip install boto3==$EVERY_BOTO3_VERSION failed"; }
fi
EVERY_DATA="$WORK/every-data"
EVERY_BUCKET="$WORK/every-bucket"
mkdir -p "$EVERY_DATA" "$EVERY_BUCKET"
cat >"$WORK/every.toml" <<TOML
data_dir = "$EVERY_DATA"

[sending]
dedicated_ips = ["198.51.100.7"]

[exports.buckets]
every = "$EVERY_BUCKET"
TOML
EVERY_PORT=$(free_port) || setup_fail "could not find a free port"
start_server "$EVERY_PORT" "$WORK/server-every.log" --config "$WORK/every.toml" \
    || { tail -n 30 "$WORK/server-every.log"; setup_fail "mailsight serve --config every.toml did not start"; }
"$EVERY_PY" "$ROOT/scripts/every-operation.py" --endpoint "http://127.0.0.1:$EVERY_PORT" \
    --bucket-dir "$EVERY_BUCKET" --operations "$ROOT/crates/api/tests/data/sesv2-operations.tsv" \
    --results "$RESULTS"
rc=$?
if [[ $rc -ne 0 ]]; then
    log "every-operation exited $rc; last server log lines:"
    tail -n 20 "$WORK/server-every.log"
    grep -q '"phase": "every-operation"' "$RESULTS" 2>/dev/null || SETUP_FAILED=$((SETUP_FAILED + 1))
fi
stop_server
finish
