#!/usr/bin/env bash
# Instructions per request (valgrind callgrind, the whole server process) for the module page,
# certificate verification and a quiz submission, where a rate on a shared machine swings too much to compare two builds:
#   scripts/bench-instructions.sh <diklat binary> <data folder> <content folder> [port]
# The data folder is one the benchmark harness has run on (target/debug/examples/bench --data-dir …:
# its dataset and its peserta, password `sandi-bench-kkmp`); it is copied, never changed. Needs valgrind.
# Prints one line per window: name, instructions, instructions per request (N requests, default 200).
set -euo pipefail
BIN=$(realpath "$1"); SOURCE=$(realpath "$2"); CONTENT=$(realpath "$3"); PORT=${4:-3321}; N=${N:-200}
SITE=$(cd "$(dirname "$0")/.." && pwd)/target/site
WORK=$(mktemp -d); trap 'kill $VG 2>/dev/null || true; rm -rf "$WORK"' EXIT; VG=
# A fresh copy, its WAL checkpointed, with no diklat due for automatic certificate issue: the
# server's minute job then has nothing to do inside a window (the same for every build compared).
python3 -c "import sqlite3; c=sqlite3.connect('$SOURCE/diklat.db'); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()"
mkdir "$WORK/data"; cp -r "$SOURCE"/. "$WORK/data/"
python3 -c "import sqlite3; c=sqlite3.connect('$WORK/data/diklat.db'); c.execute(\"UPDATE diklat SET status = 'open'\"); c.commit(); c.close()"
# The quiz window's peserta have not taken the pre-test in the copy (the harness's own run had them take it).
python3 -c "
import sqlite3; c=sqlite3.connect('$WORK/data/diklat.db'); c.execute('PRAGMA foreign_keys = ON')
who = \"(SELECT id FROM people WHERE phone BETWEEN '+6285000000101' AND '+6285000000199')\"
c.execute('DELETE FROM attempt_answers WHERE attempt_id IN (SELECT id FROM attempts WHERE person_id IN ' + who + ')')
c.execute('DELETE FROM attempts WHERE person_id IN ' + who); c.commit(); c.close()"
DIKLAT_VERIFY_RATE_PER_MINUTE=4000000000 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$WORK/cg.out" "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  --content-dir "$CONTENT" --site-root "$SITE" > "$WORK/server.log" 2>&1 &
VG=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 1; done
BASE=http://127.0.0.1:$PORT; JAR=$WORK/jar; H='Accept-Encoding: gzip, deflate, br'
curl -s -o /dev/null -c "$JAR" -b "$JAR" -X POST -d "login=%2B6285000000001&sandi=sandi-bench-kkmp&ke=%2Fakun" "$BASE/auth/masuk"
python3 -c "
import sqlite3; c=sqlite3.connect('$WORK/data/diklat.db')
for (code,) in c.execute('SELECT verification_code FROM certificates ORDER BY id LIMIT $N'): print(code)" > "$WORK/codes"
module() { for _ in $(seq 1 "$1"); do curl -s -o /dev/null -b "$JAR" -H "$H" "$BASE/modul/pengembangan-usaha"; done; }
verify() { head -n "$1" "$WORK/codes" | while read -r c; do curl -s -o /dev/null -H "$H" "$BASE/verifikasi/$c"; done; }
cached() { verify "$@"; }
curl -s -b "$JAR" -H "$H" --compressed "$BASE/modul/pengembangan-usaha" | grep -q module-progress \
  || { echo "the module page did not answer as a signed-in peserta's" >&2; exit 1; }
# The quiz window: K of the harness's peserta (phones +62850000000NN) each submit a started pre-test,
# the form as the attempt page has it (first option of each question), Kumpulkan and Saya selesai.
K=${K:-40}
for i in $(seq 1 "$K"); do
  j="$WORK/q$i"; phone=$(printf '%%2B62850%08d' $((i + 100)))
  curl -s -o /dev/null -c "$j.jar" -b "$j.jar" -X POST -d "login=$phone&sandi=sandi-bench-kkmp&ke=%2Fakun" "$BASE/auth/masuk"
  to=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$j.jar" -X POST -d "slug=pengembangan-usaha&fase=awal" "$BASE/kuis/mulai")
  curl -s -b "$j.jar" "$to" > "$j.html"
  python3 "$(dirname "$0")/attempt_form.py" "$j.html" > "$j.form"
done
quiz() { for i in $(seq 1 "$K"); do
  curl -s -o /dev/null -w '%{redirect_url}\n' -b "$WORK/q$i.jar" -H "$H" -X POST --data @"$WORK/q$i.form" "$BASE/kuis/jawab"; done; }
sleep 30   # start-up work (the standings refresh, …) runs uncounted
callgrind_control -i on "$VG" >/dev/null
module 20; verify 20
for window in module verify cached; do
  callgrind_control -z "$VG" >/dev/null
  $window "$N"
  callgrind_control -d "$window" "$VG" >/dev/null
done
sleep 2
callgrind_control -z "$VG" >/dev/null
submitted=$(quiz | grep -c 'terkumpul=1' || true)
callgrind_control -d quiz "$VG" >/dev/null
[ "$submitted" = "$K" ] || echo "quiz: only $submitted of $K submissions went through" >&2
sleep 2
for f in "$WORK"/cg.out.*; do
  window=$(awk '/^desc: Trigger: dump/ {print $4}' "$f"); ir=$(awk '/^summary:/ {print $2}' "$f")
  n=$N; [ "$window" = quiz ] && n=$K
  echo "$window $ir $((ir / n))"
done
