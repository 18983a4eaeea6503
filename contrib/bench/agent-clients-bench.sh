#!/usr/bin/env bash
# agent-clients-bench.sh: what live clients cost an idle agent (issue 17): its CPU and RSS over
# ${CHAINBOT_BENCH_IDLE:-120} s with no client, then with 5 WebSocket clients on /ws
# (contrib/websocket-client.py on Debian's python3-websockets) and the status page open in headless
# chromium (which follows /ws). 2 ConfigFiles, default 60 s resync, loopback only.
#
#   contrib/bench/agent-clients-bench.sh [BINARY]   BINARY defaults to .build/release/chainbot
#
# Everything it starts (agent, clients, browser, work directory) is stopped and removed at the end, also
# on failure or Ctrl-C.
set -euo pipefail

PROG=agent-clients-bench.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
IDLE=${CHAINBOT_BENCH_IDLE:-120}
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    say "$*"
    exit 1
}
BINARY=$(realpath -e "${1:-$REPO/.build/release/chainbot}") ||
    die "no chainbot binary; build it: swift build -c release --product chainbot"
[[ $IDLE =~ ^[1-9][0-9]*$ ]] || die "CHAINBOT_BENCH_IDLE takes whole seconds; not '$IDLE'"
/usr/bin/python3 -c 'import websockets' 2>/dev/null || die "needs Debian's python3-websockets"
command -v chromium >/dev/null || die "needs Debian's chromium"

work=$(mktemp -d /tmp/chainbot-clients-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/m" "$work/out"
for name in one two; do
    printf 'apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: %s}\nspec: {path: %s/out/%s.txt, content: "%s\\n"}\n' \
        "$name" "$work" "$name" "$name" >"$work/m/$name.yaml"
done
"$BINARY" agent -f "$work/m" --state "$work/state.db" --listen 127.0.0.1:0 2>"$work/agent.log" &
agent=$!
pids+=("$agent")
port=""
for ((i = 0; i < 600; i++)); do
    port=$(sed -n 's|.*status on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/agent.log" | head -n 1)
    [[ -n $port && -s $work/out/two.txt ]] && break
    sleep 0.1
done
[[ -n $port ]] || die "the agent did not report its endpoint: $(tail -n 3 "$work/agent.log")"

cpu() { awk '{ print $14 + $15 }' "/proc/$agent/stat"; }
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$agent/status"; }
measure() {
    sleep 5 # let connections settle
    local c0 c1 ticks
    ticks=$(getconf CLK_TCK)
    c0=$(cpu)
    sleep "$IDLE"
    c1=$(cpu)
    printf '%-44s RSS %5s MiB  CPU %4d ms per %d s (%.1f s/hour)\n' "$1" "$(rss)" \
        $(((c1 - c0) * 1000 / ticks)) "$IDLE" "$(awk -v c=$((c1 - c0)) -v t="$ticks" -v s="$IDLE" 'BEGIN { print c * 3600 / t / s }')"
}

echo "$("$BINARY" --version | head -n 1), 2 ConfigFiles, resync 60 s, $IDLE s each, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "no clients"
for i in 1 2 3 4 5; do
    /usr/bin/python3 "$REPO/contrib/websocket-client.py" "ws://127.0.0.1:$port/ws" --wait-close \
        >"$work/client$i.log" 2>&1 &
    pids+=($!)
done
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --remote-debugging-port=0 \
    --user-data-dir="$work/browser" "http://127.0.0.1:$port/" >"$work/browser.log" 2>&1 &
pids+=($!)
measure "5 WebSocket clients + the status page open"
grep -q '"type":"hello"' "$work/client1.log" || die "a client got no hello: $(tail -n 2 "$work/client1.log")"
