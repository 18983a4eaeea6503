#!/usr/bin/env bash
# agent-bench.sh: the idle cost of `chainbot agent` and its reaction time (issue 6), in the testbed.
#
#   contrib/bench/agent-bench.sh [BINARY]      as root; BINARY defaults to $CHAINBOT_BIN, then
#                                              .build/release/chainbot (relative to the repository)
#
# Boots a testbed (a real systemd as PID 1) binding the repository, writes 100 resources (20 Services
# running /bin/sleep, 80 ConfigFiles, in /srv/bench-manifests, outside git) and runs the agent there as a
# transient systemd service (Type=notify, --resync ${CHAINBOT_BENCH_RESYNC:-60s}). After the first
# converge it measures, over ${CHAINBOT_BENCH_IDLE:-180} idle seconds:
#   - CPU time (utime+stime from /proc/PID/stat), reported per hour; its children's (the commands it
#     ran: systemctl, git) on standard error;
#   - wake-ups: voluntary + involuntary context switches of the agent's threads, per minute (a thread
#     that ends in the window, one per command it waits for, is not counted: standard error says how many);
#   - peak RSS (VmHWM) and current RSS (VmRSS), threads; RssAnon/RssFile on standard error;
# then the latency from saving an edited manifest (atomic rename) to the file being on disk, over
# ${CHAINBOT_BENCH_EDITS:-10} edits (median and max). CHAINBOT_SYSTEMD_READS=systemctl is passed to the
# agent (it then reads units with systemctl show instead of D-Bus).
set -euo pipefail

PROG=agent-bench.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
TESTBED=$REPO/contrib/testbed/testbed.sh
MANIFESTS=/srv/bench-manifests

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

inner() { # inside the testbed: inner BINARY RESYNC IDLE EDITS
    local bin=$1 resync=$2 idle=$3 edits=$4 i name
    rm -rf "$MANIFESTS" /etc/bench
    mkdir -p "$MANIFESTS" /etc/bench
    for ((i = 1; i <= 20; i++)); do
        printf -v name 'svc-%03d' "$i"
        printf -- '---\napiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: %s}\nspec: {exec: /bin/sleep infinity}\n' "$name"
    done >"$MANIFESTS/services.yaml"
    for ((i = 1; i <= 80; i++)); do
        printf -v name 'file-%03d' "$i"
        printf -- '---\napiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: %s}\nspec: {path: /etc/bench/%s.conf, content: "value %d\\n"}\n' "$name" "$name" "$i"
    done >"$MANIFESTS/files.yaml"
    cp "$MANIFESTS/files.yaml" /etc/bench/files.orig # edits start from this copy, outside the watched dir
    local setenv=()
    [[ -z ${CHAINBOT_SYSTEMD_READS:-} ]] || setenv=("--setenv=CHAINBOT_SYSTEMD_READS=$CHAINBOT_SYSTEMD_READS")
    systemd-run --unit=bench-agent --property=Type=notify --property=NotifyAccess=main "${setenv[@]}" \
        "$bin" agent -f "$MANIFESTS" --state /var/lib/chainbot/state.db --resync "$resync" >/dev/null
    local pid
    pid=$(systemctl show --value --property=MainPID bench-agent.service)
    [[ $pid != 0 ]] || die "the agent did not start"
    [[ $(systemctl is-active svc-020.service) == active ]] || die "not converged after start"
    cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
    # The CPU of the commands it ran and waited for (systemctl, git): cutime + cstime.
    children() { awk '{ print $16 + $17 }' "/proc/$pid/stat"; }
    # "TID SWITCHES" per thread; a thread that ends while it is read is skipped.
    switches() {
        local f v tid
        for f in /proc/"$pid"/task/*/status; do
            v=$(awk '/ctxt_switches/ { s += $2 } END { print s }' "$f" 2>/dev/null) || continue
            tid=${f%/status}
            [[ -z $v ]] || echo "${tid##*/} $v $(tr -c '[:alnum:]._\n-' _ <"$tid/comm" 2>/dev/null)"
        done
    }
    # The switches between two snapshots: a thread in both counts its difference, one born in between all
    # of its own; one that ended in between (a command's waiting thread) is lost, and counted in $gone.
    between() {
        awk 'NR == FNR { before[$1] = $2; next } { total += $2 - ($1 in before ? before[$1] : 0); seen[$1] = 1 }
            END { for (t in before) if (!(t in seen)) gone++; print total + 0, gone + 0 }' "$1" "$2"
    }
    sleep 5 # let the first pass's aftermath settle
    local ticks c0 s0 c1 s1 t0 t1
    ticks=$(getconf CLK_TCK)
    local snap0 snap1
    snap0=$(mktemp) snap1=$(mktemp)
    local k0 k1
    c0=$(cpu) k0=$(children) t0=${EPOCHREALTIME/./}
    switches > "$snap0"
    # perf (when there) counts every thread's switches, also of the threads that end in the window.
    # Its task-clock is the CPU time to the microsecond, where /proc/PID/stat counts 10 ms clock ticks.
    local counted= perfstat= taskclock=
    if command -v perf >/dev/null; then
        perfstat=$(perf stat -x, -e context-switches,task-clock -p "$pid" -- sleep "$idle" 2>&1 >/dev/null)
        counted=$(awk -F, '/context-switches/ { print $1 }' <<<"$perfstat")
        taskclock=$(awk -F, '/task-clock/ { printf "%.1f", $1 }' <<<"$perfstat")
    else
        sleep "$idle"
    fi
    c1=$(cpu) k1=$(children) t1=${EPOCHREALTIME/./}
    switches > "$snap1"
    read -r s1 gone <<<"$(between "$snap0" "$snap1")"
    # Where the wake-ups are: each thread's switches in the window, by the name the thread has.
    awk 'NR == FNR { before[$1] = $2; next } { d = $2 - ($1 in before ? before[$1] : 0); if (d > 0) print "  thread " $1 " " $3 ": " d }' \
        "$snap0" "$snap1" | sort -t: -k2 -rn | sed 's/^/wake-ups:/' >&2
    s0=0
    rm -f "$snap0" "$snap1"
    if [[ $counted =~ ^[0-9]+$ ]]; then
        say "perf: $counted switches of all threads (/proc, threads alive at both ends only: $s1; $gone thread(s) ended)"
        say "perf: task-clock $taskclock ms in the idle window = $(awk -v c="$taskclock" -v s="$idle" 'BEGIN { printf "%.2f", c / s * 3.6 }') s CPU per hour"
        s1=$counted
    else
        [[ $gone == 0 ]] || say "$gone thread(s) ended during the idle window; their switches are not counted"
    fi
    local seconds=$(((t1 - t0) / 1000000))
    local cpu_ms=$(((c1 - c0) * 1000 / ticks))
    say "its children (the commands it ran): $(((k1 - k0) * 1000 / ticks)) ms CPU in the idle window"
    local hwm rss threads
    hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
    # Where the memory is: private (anonymous) pages against file pages (the binary's code, libraries).
    grep -E '^(VmRSS|RssAnon|RssFile|RssShmem)' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/memory: /' >&2
    # The binary's own mappings: how much of each (code, read-only data, data) is resident.
    awk -v bin="$(readlink "/proc/$pid/exe")" '/^[0-9a-f]+-[0-9a-f]+ / { mine = ($6 == bin); perms = $2; next }
        mine && $1 == "Size:" { size[perms] += $2 } mine && $1 == "Rss:" { rss[perms] += $2 }
        END { for (p in size) printf "memory: binary %s: %d of %d KiB resident\n", p, rss[p], size[p] }' \
        "/proc/$pid/smaps" >&2
    # Reaction: edit file-001's content, rename into place, wait for the file.
    local latencies=() start end
    for ((i = 1; i <= edits; i++)); do
        sed "s/value 1\\\\n/value 1 edit $i\\\\n/" /etc/bench/files.orig >"$MANIFESTS/.files.tmp"
        start=${EPOCHREALTIME/./}
        mv "$MANIFESTS/.files.tmp" "$MANIFESTS/files.yaml"
        local waited=0
        until grep -q "edit $i\$" /etc/bench/file-001.conf 2>/dev/null; do
            sleep 0.01
            waited=$((waited + 1))
            ((waited < 1000)) || die "edit $i was not applied within 10 s"
        done
        end=${EPOCHREALTIME/./}
        latencies+=($(((end - start) / 1000)))
        sleep 0.5
    done
    local sorted median max
    sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
    median=$(sed -n "$(((edits + 1) / 2))p" <<<"$sorted")
    max=$(tail -n 1 <<<"$sorted")
    systemctl stop bench-agent.service
    printf 'RESULT %s %s %s %s %s %s %s %s %s\n' "$seconds" "$cpu_ms" "$((s1 - s0))" "$hwm" "$rss" "$threads" \
        "$median" "$max" "$resync"
}

if [[ ${1:-} == __inner ]]; then
    shift
    inner "$@"
    exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (the testbed needs it)"
BINARY=$(realpath -e "${1:-${CHAINBOT_BIN:-$REPO/.build/release/chainbot}}") || die "no chainbot binary; build it: swift build -c release"
RESYNC=${CHAINBOT_BENCH_RESYNC:-60s}
IDLE=${CHAINBOT_BENCH_IDLE:-180}
EDITS=${CHAINBOT_BENCH_EDITS:-10}
NAME=agentbench$$
cleanup() { "$TESTBED" stop "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$TESTBED" start "$NAME" --bind "$REPO" >/dev/null
line=$("$TESTBED" exec "$NAME" env CHAINBOT_SYSTEMD_READS="${CHAINBOT_SYSTEMD_READS:-}" \
    bash "$SELF" __inner "$BINARY" "$RESYNC" "$IDLE" "$EDITS" | grep '^RESULT')
read -r _ seconds cpu_ms switches hwm rss threads median max resync <<<"$line"
printf 'chainbot %s, 100 resources (20 Services, 80 ConfigFiles), resync %s, %s s idle\n' \
    "$("$BINARY" --version | cut -d' ' -f2)" "$resync" "$seconds"
printf '  CPU: %s ms in %s s = %s s per hour\n' "$cpu_ms" "$seconds" "$(awk -v c="$cpu_ms" -v s="$seconds" 'BEGIN { printf "%.1f", c / s * 3.6 }')"
printf '  wake-ups (context switches, all threads): %s in %s s = %s per minute\n' "$switches" "$seconds" \
    "$(awk -v n="$switches" -v s="$seconds" 'BEGIN { printf "%.0f", n / s * 60 }')"
printf '  memory: peak RSS %s KiB, RSS %s KiB, %s threads\n' "$hwm" "$rss" "$threads"
printf '  manifest save -> applied: median %s ms, max %s ms over %s edits\n' "$median" "$max" "$EDITS"
