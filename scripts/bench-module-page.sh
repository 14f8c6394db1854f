#!/usr/bin/env bash
# Throughput of a module page served to a signed-in peserta, next to a bare axum handler measured
# in the same run (`diklat bench-baseline`), with wrk (Debian package `wrk`) at 64 connections.
#
#   cargo leptos build --release        # or ./run.sh once
#   ./scripts/bench-module-page.sh      # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench ./scripts/bench-module-page.sh
#
# Settings: CONNECTIONS (64), DURATION (10s), RUNS (3), SLUG (the first module).
# The server and wrk share this machine's cores, as in every figure in BENCHMARKS.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/diklat"
PORT="${PORT:-3196}"
BASE_PORT="${BASE_PORT:-3197}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
RUNS="${RUNS:-3}"
SLUG="${SLUG:-pengembangan-usaha}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing: run cargo leptos build --release" >&2; exit 1; }

DATA="$(mktemp -d)"
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then DB_ARGS=(--database-url "$DATABASE_URL"); fi
"$BIN" serve --demo --listen "127.0.0.1:$PORT" --data-dir "$DATA" --content-dir "$ROOT/content" \
  --site-root "$ROOT/target/site" "${DB_ARGS[@]}" >"$DATA/log" 2>&1 &
APP=$!
"$BIN" bench-baseline --listen "127.0.0.1:$BASE_PORT" >/dev/null 2>&1 &
BASE=$!
trap 'kill $APP $BASE 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done

# Sign the demo peserta in and keep the session cookie.
curl -fsS -o /dev/null -c "$DATA/cookies" -d "login=081234560001&sandi=demo-peserta-kkmp&ke=/akun" \
  "http://127.0.0.1:$PORT/auth/masuk"
COOKIE="$(awk '$6 == "diklat_sesi" { print "diklat_sesi=" $7 }' "$DATA/cookies")"
[ -n "$COOKIE" ] || { echo "sign-in failed" >&2; cat "$DATA/log" >&2; exit 1; }
PAGE="http://127.0.0.1:$PORT/modul/$SLUG"
curl -fsS -H "Cookie: $COOKIE" "$PAGE" -o "$DATA/page.html"
grep -q 'id="module-progress"' "$DATA/page.html" || { echo "the page is not the signed-in view" >&2; exit 1; }
# Mark one section read, so the page carries real progress.
ANCHOR="$(grep -o 'name="bagian" value="[^"]*"' "$DATA/page.html" | head -1 | sed 's/.*value="//; s/"$//')"
curl -fsS -o /dev/null -H "Cookie: $COOKIE" -d "slug=$SLUG&bagian=$ANCHOR" "http://127.0.0.1:$PORT/progres/tandai"

run() { # label url [header]
  local label="$1" url="$2"; shift 2
  wrk -t2 -c"$CONNECTIONS" -d3s "$@" "$url" >/dev/null # warm-up
  for i in $(seq 1 "$RUNS"); do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$DATA/$label.$i"
  done
}
run baseline "http://127.0.0.1:$BASE_PORT/"
# What a phone's browser sends: it gets brotli.
run signed_in "$PAGE" -H "Cookie: $COOKIE" -H "Accept-Encoding: gzip, deflate, br"
run signed_in_gzip "$PAGE" -H "Cookie: $COOKIE" -H "Accept-Encoding: gzip"
run anonymous "$PAGE" -H "Accept-Encoding: gzip, deflate, br"
BR_BYTES="$(curl -fsS -H "Cookie: $COOKIE" -H "Accept-Encoding: br" "$PAGE" | wc -c)"
GZ_BYTES="$(curl -fsS -H "Cookie: $COOKIE" -H "Accept-Encoding: gzip" "$PAGE" | wc -c)"

python3 - "$DATA" "$RUNS" "$(wc -c <"$DATA/page.html")" "$BR_BYTES" "$GZ_BYTES" "$ROOT/scripts" <<'PY'
import sys
data, runs, page_bytes, br_bytes, gz_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path.insert(0, sys.argv[6])
from wrk_runs import parse as parse_runs
parse = lambda label: parse_runs(data, label, runs)
base, _ = parse("baseline")
print(f"module page: {page_bytes} bytes uncompressed, {br_bytes} brotli, {gz_bytes} gzip; median of {runs} runs")
print(f"{'scenario':34} {'req/s':>9} {'× bare':>7} {'p50 ms':>7} {'p99 ms':>7}  non-2xx  runs")
for label, name in (("baseline", "bare axum handler"), ("signed_in", "module page, signed-in peserta (br)"),
                    ("signed_in_gzip", "module page, signed-in peserta (gzip)"), ("anonymous", "module page, visitor (br)")):
    (rps, p50, p99, bad, err), all_rps = parse(label)
    print(f"{name:34} {rps:9.0f} {rps / base[0]:7.3f} {p50:7.2f} {p99:7.2f}  {bad:7}  {', '.join(f'{r:.0f}' for r in all_rps)}"
          + (f"  socket errors: {err}" if err else ""))
PY
