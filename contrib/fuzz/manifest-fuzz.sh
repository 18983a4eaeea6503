#!/usr/bin/env bash
# Builds the manifest-loader libFuzzer target and runs it.
#
# Usage: contrib/fuzz/manifest-fuzz.sh [SECONDS] [LIBFUZZER-FLAG...]
#   SECONDS  how long to fuzz (default 60)
#   Extra flags go to libFuzzer, e.g. `-jobs=4 -workers=4`, or a crash file to replay it:
#   contrib/fuzz/manifest-fuzz.sh 0 contrib/fuzz/regressions/some-input.yaml
#
# ChainbotCore, ChainbotYAML and ChainbotManifest are compiled as separate modules (static libraries
# with coverage and address sanitizer, in dependency order) and ManifestFuzz.swift is linked against
# them with libFuzzer; libyaml comes from the system (libyaml-dev). Nothing here touches .build/ or
# runs SwiftPM. Seeds: manifests/*.yaml, fixtures/manifests/**/*.yaml and the in.yaml files of the
# YAML test suite beside the checkout (../shared/conformance/yaml-test-suite). Everything it writes
# goes to fuzz-out/manifest/ (gitignored): modules/, the binary, the growing corpus/, seeds/ and
# crash/leak/timeout artifacts/.
#
# Environment:
#   MANIFEST_FUZZ_REV=REV     build the Sources of commit REV (exported with git archive into
#                             fuzz-out/manifest/src) instead of the work tree, e.g. HEAD while someone
#                             else is editing Sources/
#   MANIFEST_FUZZ_REBUILD=0   reuse an existing binary (for replaying or minimising)
#   MANIFEST_FUZZ_PRINT=1     print each input's rendered diagnostics and resources
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
shift || true
out="$root/fuzz-out/manifest"
modules="$out/modules"
suite="$root/../shared/conformance/yaml-test-suite"
flags=(-parse-as-library -swift-version 6 -sanitize=fuzzer,address -O -g)

mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts" "$modules"

# Where the module sources come from: the work tree, or one commit's tree.
sources="$root/Sources"
if [ -n "${MANIFEST_FUZZ_REV:-}" ]; then
    rev="$(git -C "$root" rev-parse --verify "$MANIFEST_FUZZ_REV^{commit}")"
    if [ "$(cat "$out/src/REV" 2>/dev/null)" != "$rev" ]; then
        rm -rf "$out/src"
        mkdir -p "$out/src"
        git -C "$root" archive "$rev" Sources | tar -x -C "$out/src"
        echo "$rev" > "$out/src/REV"
        find "$out/src/Sources" -exec touch {} +  # newer than every library: rebuild all
    fi
    sources="$out/src/Sources"
    echo "manifest-fuzz: sources of $rev" >&2
fi

# Seeds: the repo's manifests and fixtures, then the YAML suite.
find "$root/manifests" "$root/fixtures/manifests" -type f \( -name '*.yaml' -o -name '*.yml' \) | while read -r file; do
    id="${file#"$root"/}"
    cp "$file" "$out/seeds/${id//\//_}"
done
if [ -d "$suite" ]; then
    find "$suite" -name in.yaml | while read -r file; do
        id="${file#"$suite"/}"
        id="${id%/in.yaml}"
        cp "$file" "$out/seeds/suite_${id//\//_}.yaml"
    done
else
    echo "manifest-fuzz: no YAML test suite at $suite; seeding from the repo's manifests only" >&2
fi

# One module: a static library plus its .swiftmodule, built in $modules (whole-module mode writes its
# object file into the working directory). Skipped when the library is newer than its sources, this
# script, and the modules it imports (listed after the name).
build_module() {
    local name="$1"
    shift
    local lib="$modules/lib$name.a" dep
    if [ -f "$lib" ] && [ -z "$(find "$sources/$name" "$0" -newer "$lib" -print -quit)" ]; then
        local stale=0
        for dep in "$@"; do [ "$modules/lib$dep.a" -nt "$lib" ] && stale=1; done
        if [ "$stale" = 0 ]; then return 0; fi
    fi
    echo "manifest-fuzz: building $name" >&2
    (cd "$modules" && swiftc "${flags[@]}" -emit-library -static -emit-module \
        -emit-module-path "$modules/$name.swiftmodule" -module-name "$name" \
        -I "$modules" -I "$sources/CYAML" \
        $(find "$sources/$name" -name '*.swift' | LC_ALL=C sort) \
        -o "$lib")
}

if [ "${MANIFEST_FUZZ_REBUILD:-1}" != 0 ] || [ ! -x "$out/manifest-fuzz" ]; then
    # Libraries built from other sources (another commit, or the work tree) are stale whatever their dates.
    if [ "$(cat "$modules/SOURCES" 2>/dev/null)" != "$sources ${rev:-}" ]; then
        rm -f "$modules"/lib*.a
        echo "$sources ${rev:-}" > "$modules/SOURCES"
    fi
    # ChainbotCore and ChainbotYAML are independent; build them side by side.
    build_module ChainbotCore &
    core=$!
    build_module ChainbotYAML &
    yaml=$!
    wait "$core"
    wait "$yaml"
    build_module ChainbotManifest ChainbotCore ChainbotYAML

    echo "manifest-fuzz: linking $out/manifest-fuzz" >&2
    # gold warns once per ASan helper symbol it cannot export; those lines are noise.
    (cd "$modules" && swiftc "${flags[@]}" -module-name ManifestFuzz \
        -I "$modules" -I "$sources/CYAML" -L "$modules" \
        "$root/contrib/fuzz/ManifestFuzz.swift" \
        -lChainbotManifest -lChainbotYAML -lChainbotCore -lyaml -lm \
        -o "$out/manifest-fuzz" 2>&1) | { grep -v "warning: Cannot export local symbol '__asan" || true; } >&2
fi

# The Swift runtime's own crash backtracer reads the stack in a way ASan reports as an underflow,
# hiding the real report; libFuzzer and ASan print the stack anyway.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
# Allocations made by one-time global initialisers are not leaks; see lsan.supp.
export LSAN_OPTIONS="suppressions=$root/contrib/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

if [ "$seconds" = 0 ]; then
    # Replay mode: run the given inputs (or flags) once each.
    exec "$out/manifest-fuzz" -artifact_prefix="$out/artifacts/" "$@"
fi

echo "manifest-fuzz: fuzzing for $seconds s" >&2
exec "$out/manifest-fuzz" "$out/corpus" "$out/seeds" \
    -max_total_time="$seconds" \
    -dict="$root/contrib/fuzz/manifest.dict" \
    -artifact_prefix="$out/artifacts/" \
    -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 \
    "$@"
