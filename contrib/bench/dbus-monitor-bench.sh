#!/bin/sh
# Measures how chainbot can hear systemd's unit changes, in a testbed (real systemd as PID 1):
#   direct  SystemdUnitMonitor on /run/systemd/private (no bus daemon, no match rules)
#   bus     SystemdUnitMonitor on the system bus (Hello, AddMatch, Subscribe)
#   busctl  `busctl --json=short monitor` as a child, first with nobody Subscribe()d, then beside `bus`
# For each: latency from just before `systemctl stop|start` to the callback (TRIALS of each), CPU per 1,000
# callbacks under a restart storm, and idle CPU and wake-ups (voluntary context switches) over IDLE seconds.
# Usage (root): contrib/bench/dbus-monitor-bench.sh [TRIALS=20] [STORM=300] [IDLE=60]
set -eu
TRIALS=${1:-20}; STORM=${2:-300}; IDLE=${3:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TB="$ROOT/contrib/testbed/testbed.sh"
NAME="dbusbench-$$"
WORK=$(mktemp -d /tmp/dbus-bench.XXXXXX)
trap '"$TB" stop "$NAME" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT INT TERM

cat > "$WORK/main.swift" <<'SWIFT'
import Glibc
// Prints "NANOSECONDS NAME" for every callback; exits 3 when the monitor is lost.
let monitor = try SystemdUnitMonitor(
    address: CommandLine.arguments[1],
    onChange: { name in
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let line = "\(Int(now.tv_sec) * 1_000_000_000 + now.tv_nsec) \(name)\n"
        _ = line.withCString { write(1, $0, strlen($0)) }
    },
    onLost: { why in
        _ = "lost \(why)\n".withCString { write(1, $0, strlen($0)) }
        exit(3)
    })
_ = "ready\n".withCString { write(1, $0, strlen($0)) }
while true { pause() }
SWIFT
S="$ROOT/Sources/ChainbotOS"
swiftc -O -module-name Probe -o "$WORK/probe" "$WORK/main.swift" "$S"/DBus/*.swift "$S/SystemError.swift" \
    "$S/Process/DetachedThread.swift" "$S/Agent/SystemdUnitMonitor.swift"

STARTED=$("$TB" start "$NAME")
LEADER=$(echo "$STARTED" | tail -n 1)
R="/proc/$LEADER/root"
x() { "$TB" exec "$NAME" "$@"; }
install -m 0755 "$WORK/probe" "$R/usr/local/bin/dbus-probe"
printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep infinity\n' > "$R/etc/systemd/system/bench.service"
x systemctl start bench.service
echo "load average: $(cat /proc/loadavg)"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }          # utime + stime, in 1/100 s
switches() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status"; }
probe_pid() { pgrep -f "^/usr/local/bin/dbus-probe $1" | head -n 1; }

# One variant: start the probe inside the testbed (its pid namespace: the direct socket needs it).
measure() {
    variant=$1; address=$2; out="$WORK/$variant.out"
    x /usr/local/bin/dbus-probe "$address" > "$out" 2>&1 &
    for _ in $(seq 200); do grep -q ready "$out" 2>/dev/null && break; sleep 0.05; done
    grep -q ready "$out" || { echo "$variant: the probe did not start: $(cat "$out")" >&2; exit 1; }
    pid=$(probe_pid "$address")
    # Latency: the testbed's own clock just before each systemctl, then the first callback for the unit after it.
    x sh -c "for i in \$(seq $TRIALS); do for v in stop start; do echo \"T \$(date +%s%N)\"; \
        systemctl \$v bench.service; sleep 0.3; done; done" > "$WORK/$variant.marks"
    sleep 0.5
    lat=$( { awk '{ print $2, "T" }' "$WORK/$variant.marks"; grep -v -e ready -e lost "$out"; } | sort -n -k1,1 | awk '
        $2 == "T" { t = $1; open = 1; next }
        open && $2 == "bench.service" { print ($1 - t) / 1e6; open = 0 }' | sort -n | awk '
        { d[++n] = $1 } END { printf "median %.1f ms, max %.1f ms (n=%d)", d[int((n + 1) / 2)], d[n], n }')
    before=$(ticks "$pid"); lines=$(wc -l < "$out")
    x sh -c "for i in \$(seq $STORM); do systemctl restart bench.service; done"
    sleep 1
    calls=$(( $(wc -l < "$out") - lines )); cpu=$(( $(ticks "$pid") - before ))
    b_ticks=$(ticks "$pid"); b_sw=$(switches "$pid"); sleep "$IDLE"
    echo "$variant: latency $lat; storm of $STORM restarts: $calls callbacks, $((cpu * 10)) ms CPU" \
        "($(awk "BEGIN { printf \"%.1f\", $cpu * 10 * 1000 / ($calls > 0 ? $calls : 1) }") ms per 1,000);" \
        "idle ${IDLE}s: $(( ($(ticks "$pid") - b_ticks) * 10 )) ms CPU, $(( $(switches "$pid") - b_sw )) wake-ups"
    kill "$pid"
}

DBUS=$(for p in $(pgrep -x dbus-daemon); do
    [ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$LEADER/ns/pid")" ] && echo "$p"; done | head -n 1)
measure direct /run/systemd/private
d0=$(ticks "$DBUS")
measure bus /run/dbus/system_bus_socket
echo "dbus-daemon CPU during the bus variant: $(( ($(ticks "$DBUS") - d0) * 10 )) ms"

# busctl monitor as a child: it only sees what systemd emits on the bus, which needs a Subscribe()d client
# (systemd-logind is one); CPU of busctl alone (chainbot would still parse its JSON) under the same storm.
busctl_run() {
    x sh -c "busctl --json=short monitor > /run/busctl.out 2>/dev/null" &
    for _ in $(seq 100); do pgrep -f '^busctl --json=short monitor' > /dev/null && break; sleep 0.05; done
    sleep 0.5
    bpid=$(pgrep -f '^busctl --json=short monitor' | head -n 1)
    b0=$(ticks "$bpid")
    x sh -c "$1"
    sleep 1
    btick=$(( $(ticks "$bpid") - b0 ))
    kill "$bpid"
    sleep 0.3
    blines=$(wc -l < "$R/run/busctl.out")
}
busctl_run 'systemctl stop bench.service; systemctl start bench.service'
echo "busctl monitor, systemd-logind subscribed: $blines messages for a stop and a start"
busctl_run "for i in \$(seq $STORM); do systemctl restart bench.service; done"
echo "busctl monitor, storm of $STORM restarts: $blines messages, $((btick * 10)) ms CPU" \
    "($(awk "BEGIN { printf \"%.1f\", $btick * 10 * 1000 / ($blines > 0 ? $blines : 1) }") ms per 1,000)"
x systemctl stop systemd-logind.service
busctl_run 'systemctl stop bench.service; systemctl start bench.service'
echo "busctl monitor, nobody subscribed (logind stopped): $blines messages for a stop and a start"
