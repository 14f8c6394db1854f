#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (server and wasm builds separately), unit and
# integration tests on SQLite — and on PostgreSQL too when TEST_DATABASE_URL is set, e.g.
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ./test.sh
# — then the Playwright tests in Debian's Chromium against the real server.
# Installs whatever is missing first (see scripts/lib.sh).
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"
setup_tools
setup_e2e
setup_bench

# The same flags cargo-leptos uses for debug builds, so its build and ours share artifacts.
export RUSTFLAGS="--cfg erase_components"
export LEPTOS_OUTPUT_NAME=diklat
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SERVER_PKGS=(-p server -p domain -p migrations -p app --features app/ssr)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server build: ssr)"
cargo clippy "${SERVER_PKGS[@]}" --all-targets -- -D warnings

step "cargo clippy (wasm build: hydrate)"
cargo clippy -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

# The wasm site only: `cargo test` builds the `diklat` binary the Playwright tests run, with the
# test build's features, so the server is compiled once rather than twice.
step "cargo leptos build --frontend-only (wasm, js, css)"
cargo leptos build --frontend-only

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step "cargo test (SQLite and PostgreSQL: ${TEST_DATABASE_URL%%@*}@…)"
else
  step "cargo test (SQLite only; set TEST_DATABASE_URL to include PostgreSQL)"
fi
# cargo-nextest runs every test in its own process, stops one that hangs and retries a failure
# (.config/nextest.toml); plain cargo test, bounded, where nextest is not installed.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run "${SERVER_PKGS[@]}"
else
  timeout 1500 cargo test "${SERVER_PKGS[@]}"
fi

# The benchmark harness, in seconds (a tiny dataset, one short run per scenario): it keeps working,
# and every scenario's requests succeed and store what they should. The real runs: BENCHMARKS.md.
step "benchmark harness smoke run (SQLite${TEST_DATABASE_URL:+ and PostgreSQL})"
cargo build "${SERVER_PKGS[@]}" --example bench --example crash
bench_smoke() {
  "$TARGET_DIR/debug/examples/bench" --smoke --bin "$TARGET_DIR/debug/diklat" --site-root "$ROOT/target/site" "$@" \
    >/dev/null
}
bench_smoke
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  bench_smoke --database-url "${TEST_DATABASE_URL%/*}/diklat_bench_smoke"
fi

# The crash test, in seconds: a few kill -9 under a write load, then every acknowledged write
# checked. The full run (100 kills): SECURITY.md.
step "crash test smoke run: kill -9 under load (SQLite${TEST_DATABASE_URL:+ and PostgreSQL})"
crash_smoke() {
  "$TARGET_DIR/debug/examples/crash" --smoke --bin "$TARGET_DIR/debug/diklat" --site-root "$ROOT/target/site" "$@"
}
crash_smoke
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  crash_smoke --database-url "${TEST_DATABASE_URL%/*}/diklat_crash_smoke"
fi

step "diklat content check"
"$TARGET_DIR/debug/diklat" content check --content-dir "$ROOT/content"

step "playwright (Chromium: $(command -v chromium))"
(cd end2end && DIKLAT_BIN="$TARGET_DIR/debug/diklat" npx playwright test)

# The README's run command builds in release mode, where Leptos view types are not erased and
# have broken before: build it the same way (without our debug RUSTFLAGS) and start it once.
step "cargo leptos build --release (what ./run.sh serves), then a smoke start"
env -u RUSTFLAGS cargo leptos build --release
smoke_dir="$(mktemp -d)"
"$TARGET_DIR/release/diklat" serve --demo --listen 127.0.0.1:3199 --data-dir "$smoke_dir" \
  --content-dir "$ROOT/content" --site-root "$ROOT/target/site" >"$smoke_dir/out.log" 2>&1 &
smoke_pid=$!
trap 'kill $smoke_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null http://127.0.0.1:3199/healthz 2>/dev/null && break
  sleep 1
done
curl -fsS http://127.0.0.1:3199/healthz && echo
curl -fsS -o /dev/null http://127.0.0.1:3199/pkg/diklat.wasm
curl -fsS http://127.0.0.1:3199/ | grep -q "Diklat Pengurus dan Pengawas"
grep -q "demo-panitia-kkmp" "$smoke_dir/out.log" || { cat "$smoke_dir/out.log"; exit 1; }
kill "$smoke_pid"
echo "release build serves the demo"

step "all checks passed"
