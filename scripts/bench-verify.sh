#!/usr/bin/env bash
# Certificate verification throughput for valid codes — the JSON API a bank calls and the page
# the QR opens — next to a bare axum handler in the same run (`diklat bench-baseline`), with wrk
# at 64 connections; then the time to build a ZIP of every certificate of the demo diklat
# (PDF rendering), through the panitia's own form.
#
#   cargo leptos build --release        # or ./run.sh once
#   ./scripts/bench-verify.sh           # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench ./scripts/bench-verify.sh
#
# Settings: CONNECTIONS (64), DURATION (10s), RUNS (3). The server and wrk share the machine's
# cores. Each request asks for one of the demo's codes in turn (wrk Lua script), so the lookups
# are spread over every certificate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/diklat"
PORT="${PORT:-3198}"
BASE_PORT="${BASE_PORT:-3199}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
RUNS="${RUNS:-3}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing: run cargo leptos build --release" >&2; exit 1; }

DATA="$(mktemp -d)"
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then DB_ARGS=(--database-url "$DATABASE_URL"); fi
# The per-address limit would stop one benchmarking address at once: lifted for the run.
DIKLAT_VERIFY_RATE_PER_MINUTE=4000000000 "$BIN" serve --demo --listen "127.0.0.1:$PORT" --data-dir "$DATA" \
  --content-dir "$ROOT/content" --site-root "$ROOT/target/site" "${DB_ARGS[@]}" >"$DATA/log" 2>&1 &
APP=$!
"$BIN" bench-baseline --listen "127.0.0.1:$BASE_PORT" >/dev/null 2>&1 &
BASE=$!
trap 'kill $APP $BASE 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done

# The panitia's completion page lists the demo's certificates (issued automatically at start-up).
curl -fsS -o /dev/null -c "$DATA/cookies" \
  -d "login=panitia@demo.diklat-kkmp.test&sandi=demo-panitia-kkmp&ke=/akun" "http://127.0.0.1:$PORT/auth/masuk"
COOKIE="$(awk '$6 == "diklat_sesi" { print "diklat_sesi=" $7 }' "$DATA/cookies")"
[ -n "$COOKIE" ] || { echo "sign-in failed" >&2; cat "$DATA/log" >&2; exit 1; }
# The October angkatan: the diklat whose completion page lists certificates.
for DIKLAT in $(curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/diklat" | grep -o 'href="/diklat/[0-9]*"' | grep -o '[0-9]*' | sort -u); do
  curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/diklat/$DIKLAT/kelulusan" >"$DATA/standings.html"
  grep -q 'href="/verifikasi/' "$DATA/standings.html" && break
done
grep -o 'href="/verifikasi/[^"]*"' "$DATA/standings.html" | sed 's|href="/verifikasi/||; s|"$||' | sort -u >"$DATA/codes"
CODES="$(wc -l <"$DATA/codes")"
[ "$CODES" -gt 0 ] || { echo "no certificates found" >&2; exit 1; }
{
  echo "codes = {"
  sed 's/.*/  "&",/' "$DATA/codes"
  echo "}"
  cat <<'LUA'
counter = 0
prefix = os.getenv("PREFIX")
request = function()
  counter = counter + 1
  return wrk.format("GET", prefix .. codes[(counter % #codes) + 1])
end
LUA
} >"$DATA/codes.lua"
FIRST="$(head -1 "$DATA/codes")"
curl -fsS "http://127.0.0.1:$PORT/api/v1/certificates/$FIRST" | grep -q '"status":"aktif"' || { echo "the API does not answer aktif" >&2; exit 1; }

run() { # label url [wrk args]
  local label="$1" url="$2"; shift 2
  wrk -t2 -c"$CONNECTIONS" -d3s "$@" "$url" >/dev/null # warm-up (fills the cache)
  for i in $(seq 1 "$RUNS"); do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$DATA/$label.$i"
  done
}
# The baseline gets the same requests through the same script (it answers any path), so wrk's
# own cost per request is the same on both sides of the ratio.
PREFIX=/api/v1/certificates/ run baseline "http://127.0.0.1:$BASE_PORT" -s "$DATA/codes.lua"
PREFIX=/api/v1/certificates/ run api "http://127.0.0.1:$PORT" -s "$DATA/codes.lua"
PREFIX=/verifikasi/ run page "http://127.0.0.1:$PORT" -s "$DATA/codes.lua" -H "Accept-Encoding: gzip, deflate, br"

# Bulk PDFs: the ZIP of every certificate of the diklat, timed from the form post to "ready".
START="$(date +%s.%N)"
PROGRESS="$(curl -fsS -o /dev/null -w '%{redirect_url}' -H "Cookie: $COOKIE" -H "Origin: http://127.0.0.1:$PORT" \
  -d "kelurahan=" "http://127.0.0.1:$PORT/diklat/$DIKLAT/sertifikat/zip")"
until curl -fsS -H "Cookie: $COOKIE" "$PROGRESS" | grep -q 'data-testid="zip-download"'; do sleep 0.05; done
END="$(date +%s.%N)"
JOB="${PROGRESS##*/}"
curl -fsS -H "Cookie: $COOKIE" -o "$DATA/all.zip" "http://127.0.0.1:$PORT/unduh/sertifikat-zip/$JOB"
PDFS="$(python3 -c "import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$DATA/all.zip")"

python3 - "$DATA" "$RUNS" "$CODES" "$START" "$END" "$PDFS" "$(wc -c <"$DATA/all.zip")" "$ROOT/scripts" <<'PY'
import sys
data, runs, codes, start, end, pdfs, zip_bytes = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
sys.path.insert(0, sys.argv[8])
from wrk_runs import parse as parse_runs
parse = lambda label: parse_runs(data, label, runs)
base, _ = parse("baseline")
print(f"verification of {codes} valid codes in turn; median of {runs} runs")
print(f"{'scenario':34} {'req/s':>9} {'× bare':>7} {'p50 ms':>7} {'p99 ms':>7}  non-2xx  runs")
for label, name in (("baseline", "bare axum handler"), ("api", "GET /api/v1/certificates/{code}"), ("page", "GET /verifikasi/{code} (br)")):
    (rps, p50, p99, bad, _), all_rps = parse(label)
    print(f"{name:34} {rps:9.0f} {rps / base[0]:7.3f} {p50:7.2f} {p99:7.2f}  {bad:7}  {', '.join(f'{r:.0f}' for r in all_rps)}")
secs = end - start
print(f"bulk PDF: ZIP of {pdfs} certificates ready in {secs:.2f} s ({secs / pdfs * 1000:.0f} ms each, {zip_bytes / 1024:.0f} KiB)")
PY
