#!/usr/bin/env bash
# Builds the ChainbotYAML libFuzzer target and runs it.
#
# Usage: contrib/fuzz/yaml-fuzz.sh [SECONDS] [LIBFUZZER-FLAG...]
#   SECONDS  how long to fuzz (default 60)
#
# The target compiles Sources/ChainbotYAML directly with address sanitizer and libFuzzer; libyaml is
# linked from the system (libyaml-dev). Seeds are the in.yaml files of the YAML test suite beside
# the checkout (../shared/conformance/yaml-test-suite). Everything it writes goes to fuzz-out/
# (gitignored): the binary, the growing corpus, and crash/leak/timeout artifacts.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
shift || true
out="$root/fuzz-out"
suite="$root/../shared/conformance/yaml-test-suite"

mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts"
if [ -d "$suite" ]; then
    find "$suite" -name in.yaml | while read -r file; do
        id="${file#"$suite"/}"
        id="${id%/in.yaml}"
        cp "$file" "$out/seeds/${id//\//_}.yaml"
    done
else
    echo "yaml-fuzz: no YAML test suite at $suite; fuzzing without seeds" >&2
fi

echo "yaml-fuzz: building $out/yaml-fuzz" >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name ChainbotYAMLFuzz \
    -I "$root/Sources/CYAML" -lyaml \
    "$root"/Sources/ChainbotYAML/*.swift "$root/contrib/fuzz/YAMLFuzz.swift" \
    -o "$out/yaml-fuzz"

echo "yaml-fuzz: fuzzing for $seconds s" >&2
exec "$out/yaml-fuzz" "$out/corpus" "$out/seeds" \
    -max_total_time="$seconds" \
    -dict="$root/contrib/fuzz/yaml.dict" \
    -artifact_prefix="$out/artifacts/" \
    -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 \
    "$@"
