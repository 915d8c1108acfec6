#!/usr/bin/env bash
# mailsight through the AWS SDK for JavaScript v3 (@aws-sdk/client-sesv2,
# @aws-sdk/client-ses, @aws-sdk/client-sns from npm, versions pinned in
# scripts/node/package-lock.json).
#
#   scripts/js-lifecycle.sh
#
# Installs the SDK with `npm ci` (scripts/node-packages), starts `mailsight serve` on a free
# loopback port with a fresh data directory, runs
# scripts/node/lifecycle.mjs against it and stops the server
# whatever happens. The last line is always
#
#   js-lifecycle: N passed, M failed
#
# Environment: MAILSIGHT_BIN=PATH uses that binary instead of building one;
# JS_LIFECYCLE_KEEP=1 keeps the temp dir (data dir, server log).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=$("$ROOT/scripts/target-dir" 2>/dev/null) || TARGET="$ROOT/target"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SES AWS_ENDPOINT_URL_SESV2 \
      AWS_ENDPOINT_URL_SNS AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset MAILSIGHT_CONFIG MAILSIGHT_LISTEN MAILSIGHT_DATA_DIR MAILSIGHT_ACCESS_KEY_ID \
      MAILSIGHT_SECRET_ACCESS_KEY MAILSIGHT_ACCOUNT_ID MAILSIGHT_DATABASE_URL
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/js-lifecycle.XXXXXX")
SERVER_PID=""
log() { printf 'js-lifecycle: %s\n' "$*"; }
fail_setup() { log "SETUP FAILED: $*"; echo "js-lifecycle: 0 passed, 1 failed"; exit 1; }
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [[ "${JS_LIFECYCLE_KEEP:-}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT


# ---- the SDK, installed once per lockfile ------------------------------------
PKG=$("$ROOT/scripts/node-packages") || fail_setup "installing the npm packages failed"

# ---- mailsight ------------------------------------------------------------------
if [[ -n "${MAILSIGHT_BIN:-}" ]]; then
    BIN="$MAILSIGHT_BIN"
else
    log "cargo build -p mailsight"
    (cd "$ROOT" && cargo build -p mailsight --locked) || fail_setup "cargo build -p mailsight failed"
    BIN="$TARGET/debug/mailsight"
fi
[[ -x "$BIN" ]] || fail_setup "no mailsight binary at $BIN"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port_answers() { node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$1"; }

started=0
for _ in 1 2 3; do
    PORT=$(free_port) || fail_setup "could not find a free port"
    "$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        if port_answers "$PORT"; then started=1; break; fi
        sleep 0.1
    done
    [[ $started -eq 1 ]] && break
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
done
[[ $started -eq 1 ]] || { tail -n 30 "$WORK/server.log"; fail_setup "mailsight serve did not start"; }
log "mailsight $SERVER_PID on http://127.0.0.1:$PORT; node $(node --version)"

(cd "$PKG" && node lifecycle.mjs "http://127.0.0.1:$PORT")
rc=$?
if [[ $rc -ne 0 ]]; then
    log "last server log lines:"
    tail -n 20 "$WORK/server.log"
fi
exit $rc
