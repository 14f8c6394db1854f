#!/usr/bin/env bash
# The officials' reports on a national-size dataset (`diklat dataset --scale national`: ~83,000
# KKMP, ~800,000 people, ~9.6 million attendance marks, ~620,000 certificates).
#
#   cargo leptos build --release
#   ./scripts/bench-report.sh                                                   # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/diklat_national ./scripts/bench-report.sh
#
# The dataset is generated once into DATA_DIR (default ~/.cache/diklat-kkmp/bench-national) or
# into the PostgreSQL database named (created if missing; generated when it holds no people),
# and reused by later runs. Then, signed in as the national pejabat:
#   1. each level's /laporan page once cold (figures computed) and once warm (from the cache),
#      per level from the whole country down to one desa, with curl's total time;
#   2. wrk (2 threads, CONNECTIONS=64, DURATION=10s, RUNS=3, after a warm-up) on the national
#      page, and on the kabupaten/kota pages in turn (a Lua script over every code), next to a
#      bare axum handler in the same run;
#   3. the CSV and XLSX of every certified participant in the country: time, size, rows, and
#      the server's peak memory (VmHWM) while they were built.
# SCALE=sample uses a fourteenth of the dataset (for a quick look).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/diklat"
PORT="${PORT:-3201}"
BASE_PORT="${BASE_PORT:-3202}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
RUNS="${RUNS:-3}"
SCALE="${SCALE:-national}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$BIN is missing: run cargo leptos build --release" >&2; exit 1; }

DATA="${DATA_DIR:-$HOME/.cache/diklat-kkmp/bench-$SCALE}"
mkdir -p "$DATA"
OUT="$(mktemp -d)"
DB_ARGS=()
if [ -n "${DATABASE_URL:-}" ]; then
  DB_ARGS=(--database-url "$DATABASE_URL")
  NAME="${DATABASE_URL##*/}"
  psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$NAME'" | grep -q 1 \
    || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$NAME\""
  MARK="$DATA/generated-pg-$NAME"
else
  MARK="$DATA/generated-sqlite"
fi
if [ ! -f "$MARK" ]; then
  echo "generating the $SCALE dataset (once)…"
  "$BIN" dataset --scale "$SCALE" --data-dir "$DATA" --content-dir "$ROOT/content" "${DB_ARGS[@]}" | tee "$MARK"
fi
echo "dataset: $(cat "$MARK")"

START_NS="$(date +%s%N)"
"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" --content-dir "$ROOT/content" \
  --site-root "$ROOT/target/site" "${DB_ARGS[@]}" >"$OUT/log" 2>&1 &
APP=$!
"$BIN" bench-baseline --listen "127.0.0.1:$BASE_PORT" >/dev/null 2>&1 &
BASE=$!
trap 'kill $APP $BASE 2>/dev/null || true; rm -rf "$OUT"' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do sleep 0.05; done
echo "first response $(( ($(date +%s%N) - START_NS) / 1000000 )) ms after start"

curl -fsS -o /dev/null -c "$OUT/cookies" \
  -d "login=pejabat@nasional.bench.test&sandi=sandi-bench-kkmp&ke=/akun" "http://127.0.0.1:$PORT/auth/masuk"
COOKIE="$(awk '$6 == "diklat_sesi" { print "diklat_sesi=" $7 }' "$OUT/cookies")"
[ -n "$COOKIE" ] || { echo "sign-in failed" >&2; cat "$OUT/log" >&2; exit 1; }
get() { curl -fsS -H "Cookie: $COOKIE" -o "$OUT/page" -w '%{time_total}' "http://127.0.0.1:$PORT$1"; }

# One code per level, taken from the pages themselves.
code_in() { grep -o 'data-area="[0-9]*"' "$OUT/page" | head -1 | grep -o '[0-9]*'; }
printf '%-34s %9s %9s\n' "page (cold, then warm)" "cold s" "warm s"
path="/laporan"
for level in nasional provinsi kabupaten/kota kecamatan desa; do
  cold="$(get "$path")"; warm="$(get "$path")"
  printf '%-34s %9s %9s\n' "$level ($path)" "$cold" "$warm"
  next="$(code_in || true)"
  [ -n "$next" ] && path="/laporan?wilayah=$next"
done
DIKLAT="$(grep -o '<option value="[0-9]*"' "$OUT/page" | head -1 | grep -o '[0-9]*' || true)"
if [ -n "$DIKLAT" ]; then
  cold="$(get "/laporan?diklat=$DIKLAT")"; warm="$(get "/laporan?diklat=$DIKLAT")"
  printf '%-34s %9s %9s\n' "nasional, one diklat" "$cold" "$warm"
fi

# Every kabupaten/kota code, for a load that moves across the country.
get "/laporan" >/dev/null
PROVINCES="$(grep -o 'data-area="[0-9]*"' "$OUT/page" | grep -o '[0-9]*')"
: >"$OUT/regencies"
for p in $PROVINCES; do
  get "/laporan?wilayah=$p" >/dev/null
  grep -o 'data-area="[0-9]*"' "$OUT/page" | grep -o '[0-9]*' >>"$OUT/regencies"
done
{
  echo "codes = {"
  sed 's/.*/  "&",/' "$OUT/regencies"
  echo "}"
  cat <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/laporan?wilayah=" .. codes[(counter % #codes) + 1])
end
LUA
} >"$OUT/regencies.lua"

run() { # label url [wrk args]
  local label="$1" url="$2"; shift 2
  wrk -t2 -c"$CONNECTIONS" -d3s "$@" "$url" >/dev/null # warm-up
  for i in $(seq 1 "$RUNS"); do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$OUT/$label.$i"
  done
}
run baseline "http://127.0.0.1:$BASE_PORT/laporan"
run national "http://127.0.0.1:$PORT/laporan" -H "Cookie: $COOKIE" -H "Accept-Encoding: br"
run regencies "http://127.0.0.1:$PORT" -s "$OUT/regencies.lua" -H "Cookie: $COOKIE" -H "Accept-Encoding: br"

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$APP/status"; }
RSS_BEFORE="$(hwm)"
CSV_S="$(curl -fsS -H "Cookie: $COOKIE" -o "$OUT/all.csv" -w '%{time_total}' "http://127.0.0.1:$PORT/laporan/ekspor/bersertifikat.csv")"
RSS_CSV="$(hwm)"
XLSX_S="$(curl -fsS -H "Cookie: $COOKIE" -o "$OUT/all.xlsx" -w '%{time_total}' "http://127.0.0.1:$PORT/laporan/ekspor/bersertifikat.xlsx")"
RSS_XLSX="$(hwm)"

python3 - "$OUT" "$RUNS" "$ROOT/scripts" "$(wc -l <"$OUT/regencies")" <<PY
import sys, zipfile
out, runs = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from wrk_runs import parse as parse_runs
parse = lambda label: parse_runs(out, label, runs)
base, _ = parse("baseline")
print(f"{'scenario':44} {'req/s':>9} {'× bare':>7} {'p50 ms':>8} {'p99 ms':>8}  non-2xx  runs")
for label, name in (("baseline", "bare axum handler"), ("national", "/laporan, the whole country (br)"),
                    ("regencies", f"/laporan?wilayah=<each of {sys.argv[4]} kab/kota> (br)")):
    (rps, p50, p99, bad, _), all_rps = parse(label)
    print(f"{name:44} {rps:9.0f} {rps / base[0]:7.3f} {p50:8.2f} {p99:8.2f}  {bad:7}  {', '.join(f'{r:.0f}' for r in all_rps)}")
rows = sum(1 for _ in open(f"{out}/all.csv", encoding="utf-8-sig")) - 1
z = zipfile.ZipFile(f"{out}/all.xlsx")
sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
import os
print(f"certified list, CSV:  {rows} rows, {os.path.getsize(out + '/all.csv') / 1048576:.1f} MiB in $CSV_S s")
print(f"certified list, XLSX: {len(sheets)} sheets, {os.path.getsize(out + '/all.xlsx') / 1048576:.1f} MiB in $XLSX_S s")
print(f"server peak RSS (VmHWM): {int('$RSS_BEFORE') / 1024:.0f} MiB before the exports, {int('$RSS_CSV') / 1024:.0f} after the CSV, {int('$RSS_XLSX') / 1024:.0f} after the XLSX")
PY
