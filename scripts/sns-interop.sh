#!/usr/bin/env bash
# SNS interop: mailsight's hosted topics against clients and validators it
# did not write (see scripts/sns-interop.py for the checks).
#
#   scripts/sns-interop.sh
#
# Makes (or reuses) a venv in sns-interop-venv under cargo's target
# directory (scripts/target-dir) with pinned boto3,
# aws-sns-message-validator and (optionally) AWS CLI v1, and the npm
# package sns-validator (scripts/node-packages), starts `mailsight serve` on
# a free loopback port with HTTPS beside it and a fresh data directory, runs
# the checks and stops the server whatever happens. The last line is always
#
#   sns-interop: N passed, M failed
#
# Environment: MAILSIGHT_BIN=PATH uses that binary instead of building one;
# SNS_INTEROP_VENV=DIR moves the venv; SNS_INTEROP_NO_CLI=1 skips the CLI.
set -uo pipefail

BOTO3_VERSION=1.44.5
AWSCLI_VERSION=1.46.3
VALIDATOR_VERSION=0.0.5   # aws-sns-message-validator

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Cargo's target directory, wherever the caller's cargo puts it; without
# cargo (a given MAILSIGHT_BIN) the venv goes to ./target.
TARGET=$("$ROOT/scripts/target-dir" 2>/dev/null) || TARGET="$ROOT/target"
VENV=${SNS_INTEROP_VENV:-$TARGET/sns-interop-venv}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PYTHONUNBUFFERED=1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sns-interop.XXXXXX")
SERVER_PID=""
log() { printf 'sns-interop: %s\n' "$*"; }
fail_setup() { log "SETUP FAILED: $*"; echo "sns-interop: 0 passed, 1 failed"; exit 1; }
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v python3 >/dev/null || fail_setup "python3 not found"
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv $VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV" >"$WORK/venv.log" 2>&1 || { cat "$WORK/venv.log"; fail_setup "python3 -m venv failed"; }
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import boto3, sns_message_validator, cryptography' >/dev/null 2>&1; then
    log "installing boto3==$BOTO3_VERSION aws-sns-message-validator==$VALIDATOR_VERSION"
    "$PY" -m pip install --quiet "boto3==$BOTO3_VERSION" "aws-sns-message-validator==$VALIDATOR_VERSION" || fail_setup "pip install failed"
fi
AWS_CLI=""
if [[ "${SNS_INTEROP_NO_CLI:-}" != 1 ]]; then
    if ! "$PY" -m awscli --version >/dev/null 2>&1; then
        "$PY" -m pip install --quiet "awscli==$AWSCLI_VERSION" >"$WORK/awscli.log" 2>&1 || log "note: awscli did not install"
    fi
    "$PY" -m awscli --version >/dev/null 2>&1 && AWS_CLI="$PY -m awscli"
fi

if [[ -n "${MAILSIGHT_BIN:-}" ]]; then
    BIN="$MAILSIGHT_BIN"
else
    log "cargo build -p mailsight"
    (cd "$ROOT" && cargo build -p mailsight) || fail_setup "cargo build failed"
    BIN="$TARGET/debug/mailsight"
fi
[[ -x "$BIN" ]] || fail_setup "no mailsight binary at $BIN"

NODE_DIR=$("$ROOT/scripts/node-packages") || fail_setup "installing the npm packages (sns-validator) failed"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
TLS_PORT=$(free_port)
# The API over http, and HTTPS beside it: the topics' SigningCertURL,
# SubscribeURL and UnsubscribeURL are then https URLs, signed by the local
# authority mailsight makes in its data directory (tls/ca.pem).
"$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --tls-listen "127.0.0.1:$TLS_PORT" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; fail_setup "mailsight serve exited"; }
    "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$PORT" \
        >/dev/null 2>&1 && break
    sleep 0.1
done
log "mailsight $SERVER_PID on http://127.0.0.1:$PORT"

# The HTTPS port is bound once the server has started (after the http one).
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; fail_setup "mailsight serve exited"; }
    "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$TLS_PORT" \
        >/dev/null 2>&1 && break
    sleep 0.1
done
CA="$WORK/data/tls/ca.pem"
[[ -f "$CA" ]] || fail_setup "mailsight made no local authority at $CA"
# The PyPI validator fetches certificates with requests.
export REQUESTS_CA_BUNDLE="$CA"
ARGS=(--endpoint "http://127.0.0.1:$PORT" --sns-url "https://127.0.0.1:$TLS_PORT" --ca "$CA" --node-dir "$NODE_DIR")
[[ -n "$AWS_CLI" ]] && ARGS+=(--aws-cli "$AWS_CLI")
"$PY" "$ROOT/scripts/sns-interop.py" "${ARGS[@]}"
rc=$?
if [[ $rc -ne 0 ]]; then
    log "last server log lines:"
    tail -n 20 "$WORK/server.log"
fi
exit $rc
