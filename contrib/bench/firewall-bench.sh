#!/usr/bin/env bash
# firewall-bench.sh: the nftables firewall (issue 4) with real nft, in a throwaway network namespace.
#
#   contrib/bench/firewall-bench.sh [BINARY]     as root; BINARY defaults to $CHAINBOT_BIN, then
#                                                .build/release/chainbot (relative to the repository)
#
# For each size N (CHAINBOT_BENCH_SIZES, default "500") it writes a Firewall plus N FirewallRules (one
# port each, from a /24; the table holds N + 5 rules) to a temporary directory outside any git work tree,
# and times, inside the namespace (bash's EPOCHREALTIME around the command):
#   - the first converge, `chainbot apply` (load manifests, render the table, save the old one, arm the
#     revert watchdog, `nft -f`, read back and compare, confirm, record);
#   - the reload after one rule was added by hand (`chainbot apply`: the same load path on a table that
#     exists);
#   - the no-op `chainbot diff` (load manifests, `nft -j list table`, parse, compare);
#   - the floors: `nft -j list table inet chainbot` alone (what observing must cost at least) and
#     `nft -f` of the rendered table alone (what loading must cost at least);
#   - `chainbot validate` (process start + manifest load), to show what of the diff is not the firewall.
# Repeated ones run CHAINBOT_BENCH_RUNS times (default 7) after one warm-up; the median is reported.
# Peak RSS (KiB) of apply and diff from one extra run under GNU time.
set -euo pipefail

PROG=firewall-bench.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
NETNS=$REPO/contrib/testbed/netns.sh

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }
micros() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

timed() { # timed VAR EXPECTED_STATUS CMD...
    local var=$1 expected=$2 start end rc=0
    shift 2
    micros start
    "$@" >/dev/null 2>&1 || rc=$?
    micros end
    [[ $rc -eq $expected ]] || die "exit status $rc (expected $expected) from: $*"
    printf -v "$var" '%d' $((end - start))
}

rss() {
    local out
    out=$(mktemp)
    /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$out"
    rm -f "$out"
}

repeat() { # repeat NAME EXPECTED CMD... -> median microseconds in RESULTS[NAME]
    local name=$1 expected=$2 t i samples=()
    shift 2
    timed t "$expected" "$@" # warm-up
    for ((i = 0; i < RUNS; i++)); do
        timed t "$expected" "$@"
        samples+=("$t")
    done
    RESULTS[$name]=$(median "${samples[@]}")
}

inner() { # inside the namespace: inner N BINARY RUNS DIR
    local n=$1 dir=$4 i t
    BIN=$2 RUNS=$3
    declare -gA RESULTS=()
    mkdir -p "$dir/manifests" "$dir/run"
    export CHAINBOT_RUNTIME_DIR=$dir/run
    {
        printf 'apiVersion: chainbot.dev/v1\nkind: Firewall\nmetadata: {name: pi}\nspec:\n  defaultInput: drop\n  managementPorts: [5420]\n'
        for ((i = 1; i <= n; i++)); do
            printf -- '---\napiVersion: chainbot.dev/v1\nkind: FirewallRule\nmetadata: {name: rule-%04d}\nspec: {action: accept, protocol: tcp, ports: [%d], from: [10.%d.%d.0/24]}\n' \
                "$i" $((20000 + i)) $((i / 250)) $((i % 250))
        done
    } >"$dir/manifests/firewall.yaml"
    local args=(-f "$dir/manifests" --state "$dir/state.db")

    timed t 0 "$BIN" apply "${args[@]}"
    RESULTS[first]=$t
    nft list table inet chainbot >"$dir/table.nft"
    local rules
    rules=$(grep -c 'comment "chainbot:' "$dir/table.nft")
    [[ $rules -eq $((n + 5)) ]] || die "the table holds $rules chainbot rules, expected $((n + 5))"
    { printf 'table inet chainbot\ndelete table inet chainbot\n'; cat "$dir/table.nft"; } >"$dir/reload.nft"

    local samples=()
    for ((i = 0; i < RUNS; i++)); do
        nft add rule inet chainbot input tcp dport 7 accept
        timed t 0 "$BIN" apply "${args[@]}"
        samples+=("$t")
    done
    RESULTS[reload]=$(median "${samples[@]}")
    repeat diff 0 "$BIN" diff "${args[@]}"
    repeat list 0 nft -j list table inet chainbot
    repeat nftload 0 nft -f "$dir/reload.nft"
    repeat validate 0 "$BIN" validate "$dir/manifests"
    local rss_apply rss_diff
    nft add rule inet chainbot input tcp dport 7 accept
    rss_apply=$(rss "$BIN" apply "${args[@]}")
    rss_diff=$(rss "$BIN" diff "${args[@]}")
    printf 'RESULT %d %s %s %s %s %s %s %s %s\n' "$n" "$(ms "${RESULTS[first]}")" "$(ms "${RESULTS[reload]}")" \
        "$(ms "${RESULTS[diff]}")" "$(ms "${RESULTS[list]}")" "$(ms "${RESULTS[nftload]}")" \
        "$(ms "${RESULTS[validate]}")" "$rss_apply" "$rss_diff"
}

if [[ ${1:-} == __inner ]]; then
    shift
    inner "$@"
    exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (it creates a network namespace)"
command -v nft >/dev/null || die "nft is not installed (apt-get install nftables)"
BINARY=$(realpath -e "${1:-${CHAINBOT_BIN:-$REPO/.build/release/chainbot}}") || die "no chainbot binary; build it: swift build -c release"
RUNS=${CHAINBOT_BENCH_RUNS:-7}
WORK=$(mktemp -d /tmp/chainbot-fwbench-XXXXXX)
cleanup() { "$NETNS" down fwbench; rm -rf "$WORK"; }
trap cleanup EXIT
"$NETNS" up fwbench >/dev/null

printf '%s\n' "chainbot $("$BINARY" --version | cut -d' ' -f2), nft $(nft --version | cut -d' ' -f2), $(nproc) cores, $RUNS runs (median)"
printf '%-6s %10s %10s %10s %10s %10s %10s %9s %9s\n' rules 'apply/ms' 'reload/ms' 'diff/ms' 'list/ms' 'nft-f/ms' 'valid/ms' 'rssA/KiB' 'rssD/KiB'
for n in ${CHAINBOT_BENCH_SIZES:-500}; do
    rm -rf "$WORK/$n"
    line=$("$NETNS" exec fwbench host bash "$SELF" __inner "$n" "$BINARY" "$RUNS" "$WORK/$n" | grep '^RESULT')
    read -r _ count first reload diff list nftload validate rssa rssd <<<"$line"
    printf '%-6s %10s %10s %10s %10s %10s %10s %9s %9s\n' $((count + 5)) "$first" "$reload" "$diff" "$list" "$nftload" "$validate" "$rssa" "$rssd"
done
