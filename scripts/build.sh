#!/usr/bin/env bash
# Builds the server and its site the way ./run.sh serves them (what `cargo leptos build` did,
# without installing cargo-leptos):
#   scripts/build.sh                # what ./run.sh and ./test.sh serve: target/debug/diklat, target/site
#   scripts/build.sh --release      # production: target/release/diklat (full optimisation), target/site
#   scripts/build.sh --site-only    # only target/site (wasm, js, css, public files)
# For development with live reload, `cargo leptos watch` still works where cargo-leptos is
# installed (the workspace keeps its metadata).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mode=serve
site=1
server=1
for arg in "$@"; do
  case "$arg" in
    --release) mode=release ;;
    --serve|--debug) mode=serve ;;
    --site-only) server=0 ;;
    --server-only) site=0 ;;
    *) echo "scripts/build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
setup_tools
if [ "$site" = 1 ]; then
  step "site ($mode): wasm, js, css → target/site"
  build_site "$mode"
fi
if [ "$server" = 1 ]; then
  step "server ($mode)"
  build_server "$mode"
  echo "$SERVER_BIN"
fi
