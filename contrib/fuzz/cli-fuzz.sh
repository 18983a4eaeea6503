#!/usr/bin/env bash
# Whole-CLI fuzzing: mutated manifests through the built `chainbot validate` and `chainbot diff --root`
# into a scratch image whose links point outside it. Usage:
#   contrib/fuzz/cli-fuzz.sh [SECONDS (default 60)] [SEED (default: from the clock)] [ITERATIONS (default no limit)]
# Uses $CHAINBOT (default .build/debug/chainbot, built when missing). Output under fuzz-out/cli/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
seed=${2:-$(date +%s)}
iterations=${3:-1000000000}
chainbot=${CHAINBOT:-.build/debug/chainbot}
if [ ! -x "$chainbot" ]; then
    swift build --product chainbot
fi
exec python3 contrib/fuzz/cli_fuzz.py "$seconds" "$seed" "$iterations" "$(realpath "$chainbot")"
