#!/bin/sh
# Reading units' properties in a testbed (real systemd as PID 1): `systemctl show --property=… -- UNIT…`
# (what SystemdProvider runs, one process per pass) against org.freedesktop.DBus.Properties.GetAll on
# systemd's direct socket from a process that is already connected (as the agent would be), one call per
# unit for all interfaces (as systemctl does), sequential and pipelined; ROUNDS rounds each, medians.
# Usage (root): contrib/bench/dbus-getall-bench.sh [ROUNDS=15] [N...=20 100]
set -eu
ROUNDS=${1:-15}; shift 2>/dev/null || true; SIZES=${*:-20 100}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TB="$ROOT/contrib/testbed/testbed.sh"
NAME="getallbench-$$"
WORK=$(mktemp -d /tmp/getall-bench.XXXXXX)
trap '"$TB" stop "$NAME" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT INT TERM

cat > "$WORK/main.swift" <<'SWIFT'
import Glibc
// getall ROUNDS UNIT...: per round, prints "sequential MICROSECONDS" and "pipelined MICROSECONDS".
func now() -> Int { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1_000_000 + t.tv_nsec / 1000 }
let rounds = Int(CommandLine.arguments[1]) ?? 1
let units = Array(CommandLine.arguments.dropFirst(2))
var connection = try DBusConnection(address: "/run/systemd/private")
func getAll(_ unit: String) -> DBusMessage {
    .methodCall(destination: "org.freedesktop.systemd1", path: SystemdUnitPath.path(forUnit: unit),
        interface: "org.freedesktop.DBus.Properties", member: "GetAll", body: [.string("")])
}
var properties = 0
for _ in 0..<rounds {
    var start = now()
    for unit in units { properties += (try connection.call(getAll(unit))).body.first?.elements?.count ?? 0 }
    print("sequential", now() - start)
    start = now()
    for unit in units { try connection.send(getAll(unit)) }
    var replies = 0
    while replies < units.count { replies += try connection.receive().count }
    print("pipelined", now() - start)
}
print("properties", properties / rounds / max(units.count, 1))
SWIFT
S="$ROOT/Sources/ChainbotOS"
swiftc -O -module-name Probe -o "$WORK/getall" "$WORK/main.swift" "$S"/DBus/*.swift "$S/SystemError.swift"
STARTED=$("$TB" start "$NAME")
LEADER=$(echo "$STARTED" | tail -n 1)
R="/proc/$LEADER/root"
x() { "$TB" exec "$NAME" "$@"; }
install -m 0755 "$WORK/getall" "$R/usr/local/bin/getall"
median() { sort -n | awk '{ d[++n] = $1 } END { printf "%.2f", d[int((n + 1) / 2)] / 1000 }'; }
echo "load average: $(cat /proc/loadavg)"
for n in $SIZES; do
    units=""
    for i in $(seq "$n"); do
        printf '[Service]\nExecStart=/bin/sleep infinity\n' > "$R/etc/systemd/system/getall$i.service"
        units="$units getall$i.service"
    done
    x sh -c "systemctl daemon-reload && systemctl start $units"
    P=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath,DropInPaths,ExecMainStatus,Result
    x sh -c "for r in \$(seq $ROUNDS); do s=\$(date +%s%N); systemctl show --property=$P -- $units >/dev/null; \
        echo \$(( (\$(date +%s%N) - s) / 1000 )); done" > "$WORK/show"
    x /usr/local/bin/getall "$ROUNDS" $units > "$WORK/getall"
    echo "N=$n: systemctl show $(median < "$WORK/show") ms;" \
        "GetAll sequential $(awk '/^sequential/ { print $2 }' "$WORK/getall" | median) ms," \
        "pipelined $(awk '/^pipelined/ { print $2 }' "$WORK/getall" | median) ms" \
        "($(awk '/^properties/ { print $2 }' "$WORK/getall") properties per unit)"
done
