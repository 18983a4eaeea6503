#!/usr/bin/env bash
# selftest.sh: proves testbed.sh boots a real systemd, runs units inside it, and leaves nothing behind.
#
#   contrib/testbed/selftest.sh            (as root; exits 0 when every check passes)
set -euo pipefail

HERE=$(dirname "$(realpath -e "${BASH_SOURCE[0]}")")
TB=$HERE/testbed.sh
STATE_BASE=${CHAINBOT_TESTBED_STATE:-/run/chainbot-testbed}
ID=$$-$RANDOM
NAME=selftest-$ID
NAMES=("$NAME" "$NAME-bad" "$NAME-early" "$NAME-run")
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/chainbot-testbed-selftest.XXXXXX")
FAILURES=0

cleanup() {
    local n
    for n in "${NAMES[@]}"; do "$TB" stop "$n" >/dev/null 2>&1 || true; done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

pass() { printf 'ok    %s\n' "$*"; }
fail() {
    printf 'FAIL  %s\n' "$*"
    FAILURES=$((FAILURES + 1))
}
check() { # DESCRIPTION EXPECTED ACTUAL
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
check_match() { # DESCRIPTION TEXT PATTERN: passes when TEXT contains PATTERN
    if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1: no '$3' in: $2"; fi
}
now() { printf '%s' "${EPOCHREALTIME/./}"; }
secs() { # START_MICROS
    local d=$(($(now) - $1))
    printf '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}
x() { "$TB" exec "$NAME" "$@"; }
show() { x systemctl show -p ActiveState,SubState,UnitFileState "$1" | sort | tr '\n' ' '; }
host_units() { find /etc/systemd/system -printf '%p %y %l %s %T@\n' | sort | sha256sum; }
mounts() { wc -l </proc/self/mountinfo; }
sysctls() { # global and host-netns values the testbed must not change
    cat /proc/sys/kernel/hostname /proc/sys/fs/protected_regular /proc/sys/fs/protected_symlinks \
        /proc/sys/net/ipv4/ip_forward | tr '\n' ' '
}

# Checks that nothing named after testbed $1 is left: cgroups, mounts, state directory.
check_nothing_left() {
    local name=$1 what=$2 cgroups mentions
    cgroups=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "chainbot-testbed-$name" 2>/dev/null | wc -l)
    check "$what: no cgroup chainbot-testbed-$name in any hierarchy" 0 "$cgroups"
    mentions=$(grep -c -- "$name" /proc/self/mountinfo || true)
    check "$what: no mount mentions $name" 0 "$mentions"
    if [[ -e $STATE_BASE/$name ]]; then fail "$what: state dir $STATE_BASE/$name is left"; else
        pass "$what: no state dir"
    fi
}

[[ $EUID -eq 0 ]] || { echo "selftest.sh: must run as root" >&2; exit 2; }
units_before=$(host_units)
mounts_before=$(mounts)
host_sysctls=$(sysctls)

echo "before" >"$SCRATCH/before"
echo "== start $NAME (--bind $SCRATCH)"
t0=$(now)
leader=$("$TB" start "$NAME" --bind "$SCRATCH")
boot=$(secs "$t0")
check "start printed a leader pid ($leader)" 1 "$([[ $leader =~ ^[0-9]+$ ]] && echo 1)"
check "pid NAME" "$leader" "$("$TB" pid "$NAME")"
check "PID 1 inside is systemd" systemd "$(x cat /proc/1/comm)"
check "system state" running "$(x systemctl is-system-running)"
check "detected virtualization" container-other "$(x systemd-detect-virt)"
check "host's enabled units are not started (postgresql)" inactive "$(x systemctl is-active postgresql.service || true)"

echo "== isolation"
check "hostname inside" chainbot-testbed "$(x cat /proc/sys/kernel/hostname)"
check "host hostname and sysctls unchanged" "$host_sysctls" "$(sysctls)"
err=$(x sh -c 'echo 0 >/proc/sys/fs/protected_regular' 2>&1) && rc=0 || rc=$?
check_match "/proc/sys is read-only inside (rc=$rc)" "$err" "Read-only file system"
x sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
check "/proc/sys/net is writable inside, for the testbed's netns only" "1 $host_sysctls" \
    "$(x cat /proc/sys/net/ipv4/ip_forward) $(sysctls)"
capbnd=$(x sh -c 'grep CapBnd /proc/1/status | cut -f2')
check "PID 1 has no CAP_SYS_TIME or CAP_SYS_MODULE (bounding set $capbnd)" 0 \
    "$(((16#$capbnd >> 25 & 1) + (16#$capbnd >> 16 & 1)))"

echo "== units"
printf '[Unit]\nDescription=testbed selftest sleeper\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' |
    x sh -c 'cat >/etc/systemd/system/tb-sleep.service'
printf '[Unit]\nDescription=testbed selftest web\n[Service]\nExecStart=/usr/bin/python3 -m http.server 18080 --bind 127.0.0.1\nWorkingDirectory=/tmp\n[Install]\nWantedBy=multi-user.target\n' |
    x sh -c 'cat >/etc/systemd/system/tb-http.service'
x systemctl daemon-reload
x systemctl enable --now tb-sleep.service tb-http.service 2>/dev/null
check "tb-sleep after enable --now" "ActiveState=active SubState=running UnitFileState=enabled " "$(show tb-sleep.service)"
check "tb-http after enable --now" "ActiveState=active SubState=running UnitFileState=enabled " "$(show tb-http.service)"
code=000
for _ in $(seq 50); do
    code=$(x curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18080/ || true)
    [[ $code == 200 ]] && break
    sleep 0.1
done
check "curl 127.0.0.1:18080 inside" 200 "$code"
if grep -q ':46A0 00000000:0000 0A' /proc/net/tcp; then fail "the host netns has a listener on :18080"; else
    pass "the listener is not in the host's network namespace"
fi
x systemctl stop tb-sleep.service
check "tb-sleep after stop" "ActiveState=inactive SubState=dead UnitFileState=enabled " "$(show tb-sleep.service)"
x sh -c "systemctl show -p MainPID --value tb-http.service >'$SCRATCH/mainpid'"
check "the --bind directory is writable and shared with the host" 1 "$([[ -s $SCRATCH/mainpid ]] && echo 1)"
check "exec passes the command's exit status" 7 "$(x sh -c 'exit 7' && echo 0 || echo $?)"
check "host /etc/systemd/system unchanged while running" "$units_before" "$(host_units)"

echo "== stop $NAME (with an exec'd command still running inside)"
x sleep 300 &
sleeper=$!
sleep 0.2
t1=$(now)
"$TB" stop "$NAME" 2>/dev/null
stop=$(secs "$t1")
wait "$sleeper" && rc=0 || rc=$?
check "the exec'd command was ended by the stop (SIGTERM or SIGKILL)" 1 "$([[ $rc -eq 143 || $rc -eq 137 ]] && echo 1)"
check_nothing_left "$NAME" "after stop"
check "host /etc/systemd/system unchanged" "$units_before" "$(host_units)"
check "a file in the --bind directory survives boot (tmpfiles' /tmp cleanup) and stop" before "$(cat "$SCRATCH/before")"
check "host has no tb-*.service" 0 "$(find /etc/systemd/system /run/systemd -name 'tb-*' 2>/dev/null | wc -l)"
check "host mount count unchanged" "$mounts_before" "$(mounts)"
check "host sysctls unchanged" "$host_sysctls" "$(sysctls)"
check "stop is idempotent" 0 "$("$TB" stop "$NAME" 2>/dev/null && echo 0 || echo $?)"
check "pid of a stopped testbed exits 3" 3 "$("$TB" pid "$NAME" 2>/dev/null && echo 0 || echo $?)"

echo "== failure paths"
err=$("$TB" start "$NAME-bad" --bind "/nonexistent-$ID" 2>&1 >/dev/null) && rc=0 || rc=$?
check "start with a missing --bind dir fails" 1 "$rc"
check_match "start refuses --bind /tmp" "$("$TB" start "$NAME-bad" --bind /tmp 2>&1 >/dev/null || true)" "refusing /tmp"
check_match "it says why: ${err%%$'\n'*}" "$err" "--bind /nonexistent-$ID: no such directory"
check_nothing_left "$NAME-bad" "after the failed start"
err=$(CHAINBOT_TESTBED_BOOT_TIMEOUT=0 "$TB" start "$NAME-early" 2>&1 >/dev/null) && rc=0 || rc=$?
check "start that times out while the namespaces come up fails" 1 "$rc"
check_match "it names the step: $(grep -m1 'failed at step' <<<"$err" || true)" "$err" "failed at step:"
check_nothing_left "$NAME-early" "after the timed-out start"

echo "== run"
out=$("$TB" run "$NAME-run" --bind "$SCRATCH" -- sh -c 'systemctl is-system-running; exit 5' 2>/dev/null) && rc=0 || rc=$?
check "run prints the command's output" running "$out"
check "run exits with the command's status" 5 "$rc"
check_nothing_left "$NAME-run" "after run"

others=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'chainbot-testbed-*' 2>/dev/null | wc -l)
[[ $others -eq 0 ]] || echo "note: $others chainbot-testbed-* cgroups of other testbeds exist (not this run's)"
echo "timings: boot $boot s, stop $stop s"
if [[ $FAILURES -eq 0 ]]; then echo "selftest: all checks passed"; else echo "selftest: $FAILURES check(s) failed"; fi
[[ $FAILURES -eq 0 ]]
