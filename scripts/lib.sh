# Shared set-up for run.sh, test.sh and scripts/build.sh. Source it; it installs only what is
# missing, from crates.io, npm and Debian's packages (nothing is downloaded from anywhere else).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${DIKLAT_TOOLS_DIR:-$HOME/.cache/diklat-kkmp/tools}"
BINARYEN_VERSION="132.0.0"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_ROOT="$ROOT/target/site"
STARTED_AT=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

# A step a person can follow while the first build runs: "langkah 2/4: … (±10 menit)", with the
# minutes since the command started.
progress() {
  local n="$1" what="$2" estimate="${3:-}"
  local spent=$(( ($(date +%s) - STARTED_AT) / 60 ))
  printf '\n==> langkah %s: %s%s  [%s menit berjalan]\n' "$n" "$what" "${estimate:+ ($estimate)}" "$spent"
}

# What building the site needs: the wasm target and wasm-opt from npm's binaryen (Debian's
# binaryen 108 breaks hydration). No cargo-leptos (its install alone took 15.5 of the 40 minutes a
# fresh machine needed) and no wasm-bindgen-cli (3–5 minutes to install): scripts/bindgen calls
# the same library at the lock's version, built with the rest of the workspace in under a minute.
setup_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    step "npm install binaryen@$BINARYEN_VERSION (wasm-opt)"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION"
  fi
}

# The test runner test.sh relies on (each test in its own process, a hung test stopped).
setup_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    step "cargo install cargo-nextest (±6 menit, sekali saja)"
    cargo install --locked cargo-nextest
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

# Cargo profiles and flags of the builds (see the README's set-up section for the timings):
# - `serve` (./run.sh and ./test.sh): the dev profile, whose own crates and rendering hot path are
#   compiled at opt-level 1 (Cargo.toml), with Leptos' view types erased (`--cfg erase_components`,
#   from .cargo/config.toml); the wasm optimised for size. The tests, the benchmark and crash smoke
#   runs, Playwright and ./run.sh all use this one server binary, built once.
# - `release` (production, `scripts/build.sh --release`): full optimisation, view types not erased
#   (RUSTFLAGS set to nothing replaces the config's flags).
# The server and its wasm are always built the same way, or hydration can fail. The wasm keeps
# wasm-bindgen's name, `diklat_bg.wasm`: what the server asks for when LEPTOS_OUTPUT_NAME is not set
# at build time (an environment variable at compile time would make a plain `cargo build` differ).
mode_flags() {
  case "$1" in
    serve|debug)
      unset RUSTFLAGS
      SERVER_PROFILE=dev; SERVER_DIR=debug
      ;;
    release)
      export RUSTFLAGS=""
      SERVER_PROFILE=release; SERVER_DIR=release
      ;;
    *) echo "unknown build mode $1 (serve or release)" >&2; return 1 ;;
  esac
  WASM_PROFILE=wasm-release; WASM_DIR=wasm-release
  unset LEPTOS_OUTPUT_NAME
}

# The site the server serves from target/site: the islands' wasm and its JavaScript glue
# (scripts/bindgen: wasm-bindgen's own library), wasm-opt -Oz, the stylesheet and the public files — what
# `cargo leptos build` made, without installing it.
build_site() {
  mode_flags "$1"
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --profile "$WASM_PROFILE"
  local built="$TARGET_DIR/wasm32-unknown-unknown/$WASM_DIR/app.wasm"
  local staging
  mkdir -p "$ROOT/target"
  staging="$(mktemp -d "$ROOT/target/.site-XXXXXX")"
  mkdir -p "$staging/pkg"
  cargo build -q -p bindgen --profile dev
  "$TARGET_DIR/debug/bindgen" "$built" "$staging/pkg" diklat
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$staging/pkg/diklat_bg.wasm" -o "$staging/pkg/diklat_bg.wasm"
  cp "$ROOT/style/main.css" "$staging/pkg/diklat.css"
  cp -r "$ROOT/public/." "$staging/"
  # Swapped in whole, so a server reading target/site never sees half a site.
  rm -rf "$SITE_ROOT.old"
  if [ -d "$SITE_ROOT" ]; then mv "$SITE_ROOT" "$SITE_ROOT.old"; fi
  mv "$staging" "$SITE_ROOT"
  rm -rf "$SITE_ROOT.old"
}

# The `diklat` binary: target/debug/diklat or target/release/diklat.
build_server() {
  mode_flags "$1"
  cargo build -p server --bin diklat --profile "$SERVER_PROFILE"
  SERVER_BIN="$TARGET_DIR/$SERVER_DIR/diklat"
}
