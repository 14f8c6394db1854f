#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (server and wasm builds separately), unit and
# integration tests on SQLite — and on PostgreSQL too when TEST_DATABASE_URL is set, e.g.
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ./test.sh
# — the benchmark and crash-test smoke runs and the Playwright tests in Debian's Chromium, all
# against the one server binary ./run.sh serves (built once). Installs whatever is missing first
# (scripts/lib.sh). No retries anywhere: a flaky test is a failed test.
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"
SERVER_PKGS=(-p server -p domain -p types -p migrations -p app --features app/ssr)
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  databases="SQLite dan PostgreSQL"
else
  databases="SQLite saja; set TEST_DATABASE_URL untuk PostgreSQL (varian PostgreSQL tampil sebagai 'skipped')"
fi

progress 1/7 "memasang alat yang belum ada" "±5 menit pertama kali"
setup_tools
setup_nextest
setup_e2e
setup_bench

progress 2/7 "cargo fmt --check"
cargo fmt --all -- --check

# RUSTFLAGS set to nothing replaces .cargo/config.toml's `--cfg erase_components`: the lints
# also type-check Leptos' full view types, which builds erase (they have broken before: a
# recursion limit only the full types reach).
progress 3/7 "cargo clippy: server (ssr) dan wasm (hydrate), masing-masing" "±7 menit pertama kali"
RUSTFLAGS= cargo clippy "${SERVER_PKGS[@]}" --all-targets -- -D warnings
RUSTFLAGS= cargo clippy -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
mode_flags serve

progress 4/7 "uji Rust ($databases)" "±14 menit pertama kali"
# One process per test (nextest), no retries (.config/nextest.toml); a test still running after
# 2 minutes is stopped and fails.
cargo nextest run "${SERVER_PKGS[@]}"

progress 5/7 "tampilan (wasm), diklat content check, contoh benchmark dan uji crash" "±4 menit pertama kali"
# The server the test build made (target/debug/diklat: the profile ./run.sh builds) is what the
# smoke runs and the browser tests start; its site is built the same way.
build_site serve
SERVER_BIN="$TARGET_DIR/debug/diklat"
"$SERVER_BIN" content check --content-dir "$ROOT/content"
cargo build "${SERVER_PKGS[@]}" --example bench --example crash

progress 6/7 "benchmark dan uji crash (kill -9), versi singkat ($databases)"
bench_smoke() {
  "$TARGET_DIR/debug/examples/bench" --smoke --bin "$SERVER_BIN" --site-root "$SITE_ROOT" "$@" >/dev/null
}
crash_smoke() {
  "$TARGET_DIR/debug/examples/crash" --smoke --bin "$SERVER_BIN" --site-root "$SITE_ROOT" "$@"
}
bench_smoke
crash_smoke
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  bench_smoke --database-url "${TEST_DATABASE_URL%/*}/diklat_bench_smoke"
  crash_smoke --database-url "${TEST_DATABASE_URL%/*}/diklat_crash_smoke"
fi

progress 7/7 "Playwright (Chromium: $(command -v chromium))"
(cd end2end && DIKLAT_BIN="$SERVER_BIN" npx playwright test)
smoke_dir="$(mktemp -d)"
"$SERVER_BIN" serve --demo --listen 127.0.0.1:3199 --data-dir "$smoke_dir" \
  --content-dir "$ROOT/content" --site-root "$SITE_ROOT" >"$smoke_dir/out.log" 2>&1 &
smoke_pid=$!
trap 'kill $smoke_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null http://127.0.0.1:3199/healthz 2>/dev/null && break
  sleep 1
done
curl -fsS http://127.0.0.1:3199/healthz && echo
curl -fsS -o /dev/null http://127.0.0.1:3199/pkg/diklat_bg.wasm
curl -fsS http://127.0.0.1:3199/ | grep -q "Diklat Pengurus dan Pengawas"
grep -q "demo-panitia-kkmp" "$smoke_dir/out.log" || { cat "$smoke_dir/out.log"; exit 1; }
kill "$smoke_pid"
echo "the server ./run.sh serves starts with the demo"

step "all checks passed in $(( ($(date +%s) - STARTED_AT) / 60 )) minutes"
