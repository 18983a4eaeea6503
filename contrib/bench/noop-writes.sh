#!/usr/bin/env bash
# noop-writes.sh: bytes written per no-op `chainbot apply` / `chainbot diff` and per idle agent pass
# (issue 15). No root needed, no testbed: ConfigFiles only, the CLI under --root DIR.
#
#   contrib/bench/noop-writes.sh [BINARY]     BINARY defaults to $CHAINBOT_BIN, then
#                                             .build/release/chainbot (relative to the repository)
#
# Environment: CHAINBOT_BENCH_FILES (resources, default 40), CHAINBOT_BENCH_RUNS (no-op runs averaged,
# default 5), CHAINBOT_BENCH_PASSES (agent passes measured, default 10), CHAINBOT_BENCH_RESYNC (the
# agent's --resync, default 2s).
#
# The CLI's figures come from this shell's own /proc/$$/io before and after each run: the kernel adds a
# reaped child's I/O to its parent's, and reading the file with `read` starts no process. The agent's come
# from /proc/PID/io before and after the passes, counted as the distinct agent.lastSync values
# `chainbot status` shows. wchar: bytes handed to write(2)/pwrite(2) (including stdout); write_bytes:
# page cache dirtied (what may reach the disk), minus cancelled_write_bytes (files deleted before
# writeback, e.g. SQLite's -shm and -wal removed when the last connection closes).
set -euo pipefail

PROG=noop-writes.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
BIN=${1:-${CHAINBOT_BIN:-$REPO/.build/release/chainbot}}
FILES=${CHAINBOT_BENCH_FILES:-40}
RUNS=${CHAINBOT_BENCH_RUNS:-5}
PASSES=${CHAINBOT_BENCH_PASSES:-10}
RESYNC=${CHAINBOT_BENCH_RESYNC:-2s}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -x $BIN ]] || die "no chainbot binary at $BIN (build it: swift build -c release --product chainbot)"
[[ -r /proc/$$/io ]] || die "cannot read /proc/$$/io (needs Linux with task I/O accounting)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/noop-writes.XXXXXX")
AGENT=
cleanup() {
    [[ -n $AGENT ]] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# manifests DIR PATHPREFIX: FILES ConfigFiles at PATHPREFIX/file-NNN.conf.
manifests() {
    local dir=$1 prefix=$2 i name
    mkdir -p "$dir"
    for ((i = 1; i <= FILES; i++)); do
        printf -v name 'file-%03d' "$i"
        printf -- '---\napiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: %s}\nspec: {path: %s/%s.conf, content: "value %d\\n"}\n' \
            "$name" "$prefix" "$name" "$i"
    done >"$dir/files.yaml"
}

# io FILE: sets IO_wchar, IO_syscw, IO_write_bytes, IO_cancelled_write_bytes from a /proc io file.
io() {
    local key value
    while IFS=': ' read -r key value; do printf -v "IO_$key" '%s' "$value"; done <"$1"
}

# cli COMMAND...: runs it RUNS times, prints the mean bytes per run.
cli() {
    local w0 c0 b0 x0 i
    io /proc/$$/io
    w0=$IO_wchar c0=$IO_syscw b0=$IO_write_bytes x0=$IO_cancelled_write_bytes
    for ((i = 0; i < RUNS; i++)); do "$BIN" "$@" >/dev/null 2>&1 || true; done
    io /proc/$$/io
    printf '%-28s %10d %8d %12d\n' "chainbot $1" $(((IO_wchar - w0) / RUNS)) $(((IO_syscw - c0) / RUNS)) \
        $(((IO_write_bytes - b0 - IO_cancelled_write_bytes + x0) / RUNS))
}

last_sync() { "$BIN" status --state "$WORK/agent/state.db" -o json 2>/dev/null | grep -m1 '"lastSync"' || true; }

say "binary $BIN, $FILES ConfigFiles, $RUNS runs per CLI command, $PASSES agent passes at --resync $RESYNC"
manifests "$WORK/cli/manifests" /etc/bench
mkdir -p "$WORK/cli/image"
common=(-f "$WORK/cli/manifests" --root "$WORK/cli/image")
"$BIN" apply "${common[@]}" >/dev/null 2>&1 || die "the first apply failed"
"$BIN" apply "${common[@]}" >/dev/null 2>&1 || die "the second apply failed"
printf '%-28s %10s %8s %12s\n' "per run / pass" wchar writes write_bytes
cli apply "${common[@]}"
cli diff "${common[@]}"

manifests "$WORK/agent/manifests" "$WORK/agent/files"
mkdir -p "$WORK/agent/files"
"$BIN" agent -f "$WORK/agent/manifests" --state "$WORK/agent/state.db" --resync "$RESYNC" --listen off \
    >"$WORK/agent/log" 2>&1 &
AGENT=$!
for ((i = 0; i < 300; i++)); do
    [[ -n $(last_sync) ]] && break
    kill -0 "$AGENT" 2>/dev/null || die "the agent stopped: $(cat "$WORK/agent/log")"
    sleep 0.1
done
[[ -n $(last_sync) ]] || die "the agent did not finish its first pass in 30 s"
sleep 3 # two idle passes: the first one after the converge may still record what settled
seen=$(last_sync)
while [[ $(last_sync) == "$seen" ]]; do sleep 0.05; done
io "/proc/$AGENT/io"
w0=$IO_wchar c0=$IO_syscw b0=$IO_write_bytes x0=$IO_cancelled_write_bytes
seen=$(last_sync) passes=0
while ((passes < PASSES)); do
    sleep 0.2
    now=$(last_sync)
    [[ $now != "$seen" ]] && seen=$now && passes=$((passes + 1))
done
io "/proc/$AGENT/io"
printf '%-28s %10d %8d %12d\n' "agent pass" $(((IO_wchar - w0) / PASSES)) $(((IO_syscw - c0) / PASSES)) \
    $(((IO_write_bytes - b0 - IO_cancelled_write_bytes + x0) / PASSES))
