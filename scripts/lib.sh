# Shared set-up for run.sh and test.sh. Source it; it installs only what is missing, from
# crates.io, npm and Debian's packages (nothing is downloaded from anywhere else).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${DIKLAT_TOOLS_DIR:-$HOME/.cache/diklat-kkmp/tools}"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132.0.0"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

# The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

setup_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    step "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes, once)"
    cargo install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION"
  fi
  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    step "cargo install wasm-bindgen-cli $wbg"
    # Its own lock file can name crates the registry no longer serves; fall back to a fresh resolve.
    cargo install --locked wasm-bindgen-cli --version "$wbg" || cargo install wasm-bindgen-cli --version "$wbg"
  fi
  if ! [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    step "npm install binaryen@$BINARYEN_VERSION (wasm-opt)"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION"
  fi
}

setup_e2e() {
  if ! command -v chromium >/dev/null; then
    step "apt-get install chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if ! [ -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    step "npm ci (end2end)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  fi
}

# wrk, the HTTP load generator of the benchmark harness (server/examples/bench.rs).
setup_bench() {
  if ! command -v wrk >/dev/null; then
    step "apt-get install wrk"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
}
