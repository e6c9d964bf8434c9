#!/usr/bin/env bash
# Builds the browser client (frontend/, a Leptos CSR app) into frontend/dist/:
#   index.html, boot.js, atende.js, atende_bg.wasm (the main module), __wasm_split.js and one .wasm
#   chunk per lazy route (or group of code lazy routes share), style.css, favicon.svg, and a .gz
#   beside each script, stylesheet and module, which the server sends to browsers that accept gzip.
#
# The rustup toolchain here has no wasm32 target, so the SPA is compiled with Debian's rustc-web
# (rustc >= 1.88 with rust-src) using -Zbuild-std, linked by LLVM 19's wasm-ld with --emit-relocs.
# wasm-split-cli (wasm_split_cli_support) reads those relocations to cut the module at the split
# points of the lazy routes (frontend/src/routes.rs) into a main module, chunks and a loader.
# wasm-ld 14 (Debian's default lld) drops relocations the splitter needs. The main module then goes
# through wasm-bindgen (the CLI version must equal the wasm-bindgen crate in Cargo.lock; it keeps
# the exports the chunks link against) and, when npm is available, every module through wasm-opt
# from npm's binaryen@132 (Debian's binaryen 108 produces a broken module).
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
wasm_ld=/usr/bin/wasm-ld-19
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
[ -x "$wasm_ld" ] || fail "$wasm_ld is missing: apt-get install lld-19"

wasm_bindgen="$(command -v wasm-bindgen || true)"
[ -z "$wasm_bindgen" ] && [ -x "$HOME/.cargo/bin/wasm-bindgen" ] && wasm_bindgen="$HOME/.cargo/bin/wasm-bindgen"
lock_wbg="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)"
[ -n "$lock_wbg" ] || fail "cannot find the wasm-bindgen version in Cargo.lock"
[ -n "$wasm_bindgen" ] ||
    fail "wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version $lock_wbg"
cli_wbg="$("$wasm_bindgen" --version | awk '{ print $2 }')"
[ "$cli_wbg" = "$lock_wbg" ] ||
    fail "wasm-bindgen CLI is $cli_wbg but Cargo.lock has $lock_wbg: cargo install wasm-bindgen-cli --version $lock_wbg"

wasm_split="$(command -v wasm-split-cli || true)"
[ -z "$wasm_split" ] && [ -x "$HOME/.cargo/bin/wasm-split-cli" ] && wasm_split="$HOME/.cargo/bin/wasm-split-cli"
[ -n "$wasm_split" ] ||
    fail "wasm-split-cli is not installed: make deps-wasm-split (cargo install wasm_split_cli_support --features build-binary)"

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
# faster builds. The relocations are the splitter's input. Appended to any RUSTFLAGS the caller set.
spa_rustflags="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components -Clink-arg=--emit-relocs"

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

# --- split, wasm-bindgen (+ wasm-opt), skipped when the input is unchanged ------------------------
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

# One module through wasm-opt. The splitter's modules carry a name subsection binaryen does not
# know; its warning about it (once per module) is dropped, anything else it says is shown.
optimize() {
    local log="$1.opt.log"
    if ! "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue -o "$1.opt" "$1" 2>"$log"; then
        cat "$log" >&2
        fail "wasm-opt failed on $1"
    fi
    grep -v '^warning: unknown name subsection' "$log" >&2 || true
    rm -f "$log"
    mv "$1.opt" "$1"
}

split_hash="$(sha256sum "$wasm_split" | cut -c1-16)"
stamp="$(sha256sum "$wasm_in" | awk '{ print $1 }') wbg=$cli_wbg split=$split_hash opt=${wasm_opt:+$binaryen_version}"
if [ "$(cat "$stage/.stamp" 2>/dev/null || true)" != "$stamp" ] || [ ! -f "$stage/out/atende_bg.wasm" ]; then
    rm -rf "$stage/split" "$stage/out" "$stage/.stamp"
    mkdir -p "$stage/split" "$stage/out"
    say "wasm-split-cli"
    # Writes the main module (still to be bound) as atende.wasm, the chunks and the loader
    # __wasm_split.js, which imports initSync from ./atende.js.
    "$wasm_split" --target web --out-name atende "$wasm_in" "$stage/split"
    say "wasm-bindgen $cli_wbg"
    # The chunks link against the main module's exports, lld's own among them (the function
    # table, the stack pointer): wasm-bindgen must keep them, and leave names as they are (the
    # flags cargo-leptos passes for a split build).
    "$wasm_bindgen" --target web --no-typescript --remove-name-section --keep-lld-exports --no-demangle \
        --out-dir "$stage/out" --out-name atende "$stage/split/atende.wasm"
    rm "$stage/split/atende.wasm"
    mv "$stage/split"/* "$stage/out/"
    if [ -n "$wasm_opt" ]; then
        say "wasm-opt -Oz, each module"
        for module in "$stage/out"/*.wasm; do
            optimize "$module"
        done
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
# Modules of an earlier build that this one did not write go, with their compressed copies.
for f in "$dist"/*.wasm "$dist"/__wasm_split*.js; do
    [ -e "$f" ] || continue
    [ -e "$stage/out/$(basename "$f")" ] || rm -f "$f" "$f.gz"
done
for f in "$stage/out"/*.js "$stage/out"/*.wasm; do
    install_if_changed "$f" "$dist"
done
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
chunk_count="$(find "$dist" -maxdepth 1 -name '*.wasm' ! -name atende_bg.wasm | wc -l)"
chunk_bytes="$(find "$dist" -maxdepth 1 -name '*.wasm.gz' ! -name atende_bg.wasm.gz -exec cat {} + | wc -c)"
say "done: $dist (main wasm $(wc -c <"$dist/atende_bg.wasm") B, gzipped $wasm_bytes B + js $js_bytes B;" \
    "$chunk_count chunks, $chunk_bytes B gzipped)"
