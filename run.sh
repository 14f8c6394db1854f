#!/usr/bin/env bash
# Runs Diklat KKMP on this machine: installs what is missing, builds (release), and serves at
# http://127.0.0.1:3000 on SQLite (./data/diklat.db) with the demo data and demo sign-ins.
# Extra arguments go to `diklat serve`, e.g. ./run.sh --listen 0.0.0.0:3000
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"
setup_tools
step "cargo leptos build --release"
cargo leptos build --release
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
exec "$TARGET_DIR/release/diklat" serve --demo --site-root "$ROOT/target/site" "$@"
