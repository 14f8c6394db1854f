#!/usr/bin/env bash
# Compares how long a failed sign-in takes for an existing account (wrong password) and for an
# unknown one: they should match, so timing does not reveal who has an account.
# Uses the release binary (./run.sh or `cargo leptos build --release` builds it) on a fresh
# SQLite database with the demo; 14 attempts of each, interleaved (28 failures stay under the
# per-address lock of 30).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/diklat"
PORT="${PORT:-3195}"
DATA="$(mktemp -d)"
"$BIN" serve --demo --listen "127.0.0.1:$PORT" --data-dir "$DATA" --content-dir "$ROOT/content" >"$DATA/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done
for i in $(seq 20 33); do
  curl -s -o /dev/null -w "%{time_total}\n" -d "login=08123456$(printf %04d "$i")&sandi=salah-sekali-ya" "http://127.0.0.1:$PORT/auth/masuk" >>"$DATA/existing"
  curl -s -o /dev/null -w "%{time_total}\n" -d "login=08998888$(printf %04d "$i")&sandi=salah-sekali-ya" "http://127.0.0.1:$PORT/auth/masuk" >>"$DATA/unknown"
done
python3 - "$DATA/existing" "$DATA/unknown" <<'PY'
import statistics, sys
for label, path in (("wrong password, existing account", sys.argv[1]), ("unknown account", sys.argv[2])):
    t = [float(x) * 1000 for x in open(path)]
    print(f"{label:34} median {statistics.median(t):5.1f} ms  min {min(t):5.1f}  max {max(t):5.1f}  n={len(t)}")
PY
