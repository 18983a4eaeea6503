#!/usr/bin/env bash
# drift-latency.sh: how long `chainbot agent` takes from a hand-made change on the host to having healed
# it (issue 15), with a resync (${CHAINBOT_BENCH_RESYNC:-10m}) long enough that only the agent's host watch can
# explain a heal.
#
#   contrib/bench/drift-latency.sh [BINARY]     BINARY defaults to $CHAINBOT_BIN, then .build/debug/chainbot
#
# Trials (${CHAINBOT_BENCH_TRIALS:-20} each), printed as median and max in milliseconds:
#   - configfile-edit: one of 20 ConfigFiles rewritten in place by hand (printf > FILE), until its
#     content is back. Needs nothing but a writable temporary directory.
#   - nft-flush: `nft flush table inet chainbot` by hand, until the rule is loaded again. Only as root with
#     nft and ip: the agent runs in a network namespace made for it (contrib/testbed/netns.sh), the host's
#     own ruleset is never touched.
# The change is polled for every 5 ms, so each figure includes up to 5 ms of polling. A trial not healed
# within ${CHAINBOT_BENCH_LIMIT:-20} s counts as the limit and is reported as such.
set -euo pipefail

PROG=drift-latency.sh
REPO=$(cd "$(dirname "$(realpath -e "${BASH_SOURCE[0]}")")/../.." && pwd)
BIN=${1:-${CHAINBOT_BIN:-$REPO/.build/debug/chainbot}}
TRIALS=${CHAINBOT_BENCH_TRIALS:-20}
LIMIT=${CHAINBOT_BENCH_LIMIT:-20}
RESYNC=${CHAINBOT_BENCH_RESYNC:-10m}
NETNS=$REPO/contrib/testbed/netns.sh

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }
[[ -x $BIN ]] || die "no chainbot binary at $BIN (swift build, or pass its path)"

WORK=$(mktemp -d /tmp/chainbot-drift.XXXXXX)
AGENT=
NAME=
cleanup() {
    [[ -n $AGENT ]] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
    [[ -n $NAME ]] && "$NETNS" down "$NAME" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_for CMD...: polls CMD every 5 ms; prints the elapsed milliseconds (LIMIT*1000 when it never held).
wait_for() {
    local start end
    start=$(now_us)
    while ! "$@"; do
        end=$(now_us)
        if (((end - start) > LIMIT * 1000000)); then
            echo $((LIMIT * 1000))
            return
        fi
        sleep 0.005
    done
    end=$(now_us)
    echo $(((end - start) / 1000))
}

# report NAME MS...: the median and max of the trials.
report() {
    local name=$1 sorted
    shift
    mapfile -t sorted < <(printf '%s\n' "$@" | sort -n)
    local n=${#sorted[@]}
    local median=${sorted[$((n / 2))]}
    ((n % 2 == 0)) && median=$(((sorted[n / 2 - 1] + sorted[n / 2]) / 2))
    local max=${sorted[$((n - 1))]} slow=0 v
    for v in "${sorted[@]}"; do ((v >= LIMIT * 1000)) && slow=$((slow + 1)); done
    printf '%-16s trials %2d  median %6d ms  max %6d ms%s\n' "$name" "$n" "$median" "$max" \
        "$( ((slow > 0)) && echo "  ($slow not healed within ${LIMIT} s)")"
}

file_trials() {
    local dir=$WORK/files i
    mkdir -p "$dir"
    for ((i = 1; i <= 20; i++)); do
        printf -- '---\napiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: f%02d}\nspec: {path: %s/etc/f%02d.conf, content: "value %d\\n"}\n' \
            "$i" "$dir" "$i" "$i"
    done >"$dir/m.yaml"
    "$BIN" agent -f "$dir/m.yaml" --state "$dir/state.db" --listen off --resync "$RESYNC" 2>"$dir/agent.log" &
    AGENT=$!
    healed_file() { [[ $(<"$dir/etc/f$1.conf") == "value $((10#$1))" ]] 2>/dev/null; }
    [[ $(wait_for healed_file 20) -lt $((LIMIT * 1000)) ]] || die "the agent did not converge: $(cat "$dir/agent.log")"
    local results=() n index
    for ((n = 0; n < TRIALS; n++)); do
        printf -v index '%02d' $((n % 20 + 1))
        printf 'edited by hand %d\n' "$n" >"$dir/etc/f$index.conf"
        results+=("$(wait_for healed_file "$index")")
        sleep 0.2 # let the heal's own aftermath settle before the next trial
    done
    kill "$AGENT" && wait "$AGENT" 2>/dev/null || true
    AGENT=
    report configfile-edit "${results[@]}"
}

nft_trials() {
    if [[ $EUID -ne 0 ]] || ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
        say "nft-flush skipped: needs root, nft and ip"
        return
    fi
    local dir=$WORK/nft
    mkdir -p "$dir"
    NAME=dl$(printf '%x' $$ | tail -c 6)
    "$NETNS" up "$NAME" >/dev/null
    cat >"$dir/m.yaml" <<'YAML'
apiVersion: chainbot.dev/v1
kind: Firewall
metadata: {name: pi}
spec: {defaultInput: accept, managementPorts: [5420]}
---
apiVersion: chainbot.dev/v1
kind: FirewallRule
metadata: {name: gui}
spec: {action: accept, protocol: tcp, ports: [8080], from: [10.0.0.0/8]}
YAML
    "$NETNS" exec "$NAME" host /usr/bin/env CHAINBOT_RUNTIME_DIR="$dir/run" \
        "$BIN" agent -f "$dir/m.yaml" --state "$dir/state.db" --listen off --resync "$RESYNC" 2>"$dir/agent.log" &
    AGENT=$!
    loaded() { "$NETNS" exec "$NAME" host nft list table inet chainbot 2>/dev/null | grep -q 'dport 8080'; }
    [[ $(wait_for loaded) -lt $((LIMIT * 1000)) ]] || die "the firewall was not loaded: $(cat "$dir/agent.log")"
    local results=() n
    for ((n = 0; n < TRIALS; n++)); do
        "$NETNS" exec "$NAME" host nft flush table inet chainbot
        results+=("$(wait_for loaded)")
        sleep 0.2
    done
    kill "$AGENT" && wait "$AGENT" 2>/dev/null || true
    AGENT=
    report nft-flush "${results[@]}"
}

say "binary $BIN, $TRIALS trials each, load average $(cut -d' ' -f1-3 /proc/loadavg)"
file_trials
nft_trials
