#!/usr/bin/env bash
# Builds the browser client (frontend/, a Leptos CSR app) into frontend/dist/:
#   index.html, boot.js, atende.js, atende_bg.wasm, style.css, favicon.svg, and a .gz beside each
#   script, stylesheet and module, which the server sends to browsers that accept gzip.
#
# The rustup toolchain here has no wasm32 target, so the SPA is compiled with Debian's rustc-web
# (rustc >= 1.88 with rust-src) using -Zbuild-std, linked by lld's wasm-ld, then passed through
# wasm-bindgen (the CLI version must equal the wasm-bindgen crate in Cargo.lock) and, when npm is
# available, wasm-opt from npm's binaryen@132 (Debian's binaryen 108 produces a broken module).
#
# Idempotent: a second run with nothing changed is a cargo no-op plus a few file comparisons.
#
# Environment:
#   SPA_PROFILE=fast   lighter optimisation (no LTO, several codegen units) for quicker rebuilds
#   SPA_WASM_OPT=0     skip wasm-opt
#   SPA_DIST=DIR       assemble into DIR instead of frontend/dist (to measure a build beside the one served)
#   CARGO_TARGET_DIR   honoured: the wasm build goes to "$CARGO_TARGET_DIR/wasm" ("wasm-fast" for fast)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

fail() {
    echo "build-spa: $*" >&2
    exit 1
}
say() { echo "build-spa: $*" >&2; }

deb_cargo=/usr/bin/cargo
deb_rustc=/usr/bin/rustc
wasm_ld=/usr/bin/wasm-ld
binaryen_version=132

# --- tools ------------------------------------------------------------------------------------------
[ -x "$deb_cargo" ] && [ -x "$deb_rustc" ] ||
    fail "Debian's Rust toolchain is missing: apt-get install rustc-web cargo-web rust-web-src (see the Makefile)"
rustc_minor="$("$deb_rustc" --version | sed -n 's/^rustc 1\.\([0-9]*\)\..*/\1/p')"
[ -n "$rustc_minor" ] && [ "$rustc_minor" -ge 88 ] ||
    fail "$deb_rustc is $("$deb_rustc" --version); Leptos 0.8 needs >= 1.88 (Debian's rustc-web package)"
sysroot="$("$deb_rustc" --print sysroot)"
[ -d "$sysroot/lib/rustlib/src/rust/library" ] ||
    fail "the standard library sources are missing under $sysroot: apt-get install rust-web-src"
[ -x "$wasm_ld" ] || fail "$wasm_ld is missing: apt-get install lld"

wasm_bindgen="$(command -v wasm-bindgen || true)"
[ -z "$wasm_bindgen" ] && [ -x "$HOME/.cargo/bin/wasm-bindgen" ] && wasm_bindgen="$HOME/.cargo/bin/wasm-bindgen"
lock_wbg="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)"
[ -n "$lock_wbg" ] || fail "cannot find the wasm-bindgen version in Cargo.lock"
[ -n "$wasm_bindgen" ] ||
    fail "wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version $lock_wbg"
cli_wbg="$("$wasm_bindgen" --version | awk '{ print $2 }')"
[ "$cli_wbg" = "$lock_wbg" ] ||
    fail "wasm-bindgen CLI is $cli_wbg but Cargo.lock has $lock_wbg: cargo install wasm-bindgen-cli --version $lock_wbg"

# --- compile ----------------------------------------------------------------------------------------
wasm_root="${CARGO_TARGET_DIR:-$root/target}/wasm"
target_dir="$wasm_root"
case "${SPA_PROFILE:-release}" in
release)
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
    ;;
fast)
    # Its own target dir, so switching profiles does not rebuild everything each time.
    target_dir="$target_dir-fast"
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
    ;;
*) fail "SPA_PROFILE must be release or fast" ;;
esac
export CARGO_PROFILE_RELEASE_PANIC=abort CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false
# Leptos erases component types to `AnyView`: about 16% less wasm (gzipped) for this app, and
# faster builds. Appended to any RUSTFLAGS the caller set.
spa_rustflags="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"

say "compiling atende-frontend for wasm32 (profile ${SPA_PROFILE:-release}) into $target_dir"
env -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER \
    PATH="/usr/bin:$PATH" \
    RUSTC="$deb_rustc" \
    RUSTDOC=/usr/bin/rustdoc \
    RUSTC_BOOTSTRAP=1 \
    RUSTFLAGS="$spa_rustflags" \
    CARGO_TARGET_DIR="$target_dir" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$wasm_ld" \
    "$deb_cargo" build --release --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort -p atende-frontend

wasm_in="$target_dir/wasm32-unknown-unknown/release/atende-frontend.wasm"
[ -f "$wasm_in" ] || fail "cargo did not produce $wasm_in"

# --- wasm-bindgen (+ wasm-opt), skipped when the input is unchanged ---------------------------------
stage="$target_dir/spa"
mkdir -p "$stage"
use_opt="${SPA_WASM_OPT:-1}"
wasm_opt=""
if [ "$use_opt" != 0 ]; then
    tools="$wasm_root/tools"
    wasm_opt="$tools/node_modules/.bin/wasm-opt"
    if [ ! -x "$wasm_opt" ] || ! grep -q "\"version\": \"$binaryen_version\." "$tools/node_modules/binaryen/package.json" 2>/dev/null; then
        if command -v npm >/dev/null 2>&1; then
            say "installing wasm-opt (npm binaryen@$binaryen_version) into $tools"
            mkdir -p "$tools"
            npm install --silent --no-audit --no-fund --prefix "$tools" "binaryen@$binaryen_version" >&2 ||
                fail "npm install binaryen@$binaryen_version failed"
        else
            say "npm not found: skipping wasm-opt (the SPA works, only larger)"
            wasm_opt=""
        fi
    fi
fi

stamp="$(sha256sum "$wasm_in" | awk '{ print $1 }') wbg=$cli_wbg opt=${wasm_opt:+$binaryen_version}"
if [ "$(cat "$stage/.stamp" 2>/dev/null || true)" != "$stamp" ] || [ ! -f "$stage/atende_bg.wasm" ]; then
    say "wasm-bindgen $cli_wbg"
    rm -f "$stage/atende.js" "$stage/atende_bg.wasm" "$stage/.stamp"
    "$wasm_bindgen" --target web --no-typescript --remove-name-section \
        --out-dir "$stage" --out-name atende "$wasm_in"
    if [ -n "$wasm_opt" ]; then
        say "wasm-opt -Oz"
        "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            -o "$stage/atende_bg.opt.wasm" "$stage/atende_bg.wasm"
        mv "$stage/atende_bg.opt.wasm" "$stage/atende_bg.wasm"
    fi
    echo "$stamp" >"$stage/.stamp"
fi

# --- assemble frontend/dist -------------------------------------------------------------------------
dist="${SPA_DIST:-$root/frontend/dist}"
mkdir -p "$dist"
install_if_changed() {
    if ! cmp -s "$1" "$2/$(basename "$1")"; then
        cp "$1" "$2/"
    fi
}
install_if_changed "$stage/atende.js" "$dist"
install_if_changed "$stage/atende_bg.wasm" "$dist"
for f in "$root"/frontend/static/*; do
    install_if_changed "$f" "$dist"
done

# Precompressed copies (the server picks them by Accept-Encoding), rewritten only when stale.
for f in "$dist"/*.js "$dist"/*.wasm "$dist"/*.css; do
    if [ ! -f "$f.gz" ] || [ "$f" -nt "$f.gz" ]; then
        gzip -9 -n -c "$f" >"$f.gz"
    fi
done

js_bytes="$(wc -c <"$dist/atende.js.gz")"
wasm_bytes="$(wc -c <"$dist/atende_bg.wasm.gz")"
say "done: $dist (wasm $(wc -c <"$dist/atende_bg.wasm") B, gzipped wasm $wasm_bytes B + js $js_bytes B)"
