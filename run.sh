#!/usr/bin/env bash
# Runs Diklat KKMP on this machine: installs what is missing, builds, and serves at
# http://127.0.0.1:3000 on SQLite (./data/diklat.db) with the demo data and demo sign-ins.
# Extra arguments go to `diklat serve`, e.g. ./run.sh --listen 0.0.0.0:3000
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"
progress 1/4 "memasang alat yang belum ada (target wasm32, wasm-opt)" "±1 menit pertama kali"
setup_tools
progress 2/4 "membangun tampilan: wasm, JavaScript, CSS" "±2 menit pertama kali"
build_site serve
progress 3/4 "membangun server" "±9 menit pertama kali"
build_server serve
progress 4/4 "menjalankan server dengan data demo"
exec "$SERVER_BIN" serve --demo --site-root "$SITE_ROOT" "$@"
