#!/usr/bin/env bash
# services-bench.sh: the services slice against a real systemd (issue 3), in the testbed.
#
#   contrib/bench/services-bench.sh [BINARY]      as root; BINARY defaults to $CHAINBOT_BIN, then
#                                                 .build/release/chainbot (relative to the repository)
#   CHAINBOT_SYSTEMD_READS=systemctl                  chainbot reads units with systemctl show, not D-Bus
#
# For each size N (CHAINBOT_BENCH_SIZES, default "20 100") it boots a fresh testbed binding the
# repository, writes N Service manifests (`bench-NNN`, `exec: /bin/sleep infinity`, one file each) to
# /srv/bench-manifests inside it (outside any git work tree, so no `git` generation calls), and times,
# inside the testbed (bash's EPOCHREALTIME around the command, so nsenter's ~50 ms is excluded):
#   - the first converge, `chainbot apply -f DIR` (once; then all N units must be active);
#   - the no-op `chainbot apply -f DIR` and `chainbot diff -f DIR` (exit 0, no new revision);
#   - the floor: one `systemctl show --property=<chainbot's 10> -- <all N units>` plus `cat` of the N
#     unit files;
#   - for reference, `chainbot --version` (process start) and `chainbot validate DIR` (start + load);
#   - the agent's no-op pass: `chainbot agent --resync 1s` over the same units, the mean of
#     chainbot_reconcile_duration_seconds over CHAINBOT_BENCH_RUNS passes (no process start).
# The repeated ones run CHAINBOT_BENCH_RUNS times (default 5) after one warm-up, interleaved round by
# round so that load on a shared machine hits them alike; the median is reported. Peak RSS (KiB, GNU
# time's %M) comes from the converge and from one extra, untimed run of each chainbot command.
set -euo pipefail

PROG=services-bench.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
TESTBED=$REPO/contrib/testbed/testbed.sh
MANIFESTS=/srv/bench-manifests
PROPERTIES=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath,DropInPaths,ExecMainStatus,Result

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------------
# Inside the testbed: `services-bench.sh __inner N BINARY RUNS`. Prints per-run lines on stderr and one
# `RESULT …` line on stdout (milliseconds with one decimal, RSS in KiB).

micros() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); } # microseconds -> "12.3"
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# timed VAR EXPECTED_STATUS CMD...: runs CMD (output discarded), stores its wall time in microseconds.
timed() {
    local var=$1 expected=$2 start end rc=0
    shift 2
    micros start
    "$@" >/dev/null 2>&1 || rc=$?
    micros end
    [[ $rc -eq $expected ]] || die "exit status $rc (expected $expected) from: $*"
    printf -v "$var" '%d' $((end - start))
}

floor() { # the single systemctl show for all units, plus reading every unit file
    systemctl show "--property=$PROPERTIES" -- "${UNITS[@]}" && cat -- "${FILES[@]}"
}

rss() { # rss CMD... -> peak RSS in KiB of one (untimed) run
    local out
    out=$(mktemp)
    /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$out"
    rm -f "$out"
}

revisions() { "$BIN" history -o json 2>/dev/null | grep -o '"revision"' | wc -l; }

# metric NAME: the value of one sample of the agent's /metrics on 127.0.0.1:9100 (bash's /dev/tcp, no curl).
metric() {
    local reply
    exec 3<>/dev/tcp/127.0.0.1/9100 || return 1
    printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    reply=$(cat <&3)
    exec 3<&-
    awk -v name="$1" '$1 == name { print $2; exit }' <<<"$reply"
}

# agent_pass PASSES: runs `chainbot agent --resync 1s` until it made PASSES more passes over the N converged
# units, then stops it; prints the mean pass in microseconds (chainbot_reconcile_duration_seconds
# sum / count over those passes: no process start, as the agent's resync does it).
agent_pass() {
    local passes=$1 pid count0='' sum0 count1 sum1 deadline
    "$BIN" agent -f "$MANIFESTS" --resync 1s --listen 127.0.0.1:9100 >/tmp/agent.out 2>&1 &
    pid=$!
    deadline=$((SECONDS + 120))
    while [[ -z $count0 || $count0 == 0 ]]; do
        ((SECONDS < deadline)) || { kill "$pid"; cat /tmp/agent.out >&2; die "the agent made no pass"; }
        sleep 0.2
        count0=$(metric chainbot_reconcile_duration_seconds_count 2>/dev/null || true)
    done
    sum0=$(metric chainbot_reconcile_duration_seconds_sum)
    count1=$count0
    while ((count1 < count0 + passes)); do
        ((SECONDS < deadline + passes * 5)) || { kill "$pid"; die "the agent stopped passing"; }
        sleep 0.5
        count1=$(metric chainbot_reconcile_duration_seconds_count)
    done
    sum1=$(metric chainbot_reconcile_duration_seconds_sum)
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    awk -v s0="$sum0" -v s1="$sum1" -v c0="$count0" -v c1="$count1" 'BEGIN { printf "%d", (s1 - s0) / (c1 - c0) * 1e6 }'
}

inner() {
    local n=$1 runs=$3 i name
    BIN=$2
    rm -rf "$MANIFESTS"
    mkdir -p "$MANIFESTS"
    if git -C "$MANIFESTS" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        die "$MANIFESTS is inside a git work tree; the generation would cost git calls"
    fi
    UNITS=() FILES=()
    for ((i = 1; i <= n; i++)); do
        printf -v name 'bench-%03d' "$i"
        printf 'apiVersion: chainbot.dev/v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  exec: /bin/sleep infinity\n' \
            "$name" >"$MANIFESTS/$name.yaml"
        UNITS+=("$name.service")
        FILES+=("/etc/systemd/system/$name.service")
    done

    # The first converge: once, on a fresh state file, under GNU time for its peak RSS.
    local start end rc=0 converge rss_converge
    local rssfile
    rssfile=$(mktemp)
    micros start
    /usr/bin/time -f %M -o "$rssfile" "$BIN" apply -f "$MANIFESTS" >/tmp/converge.out 2>&1 || rc=$?
    micros end
    converge=$((end - start))
    rss_converge=$(tail -n 1 "$rssfile")
    rm -f "$rssfile"
    if [[ $rc -ne 0 ]]; then
        cat /tmp/converge.out >&2
        die "the first converge exited $rc"
    fi
    local active
    active=$(systemctl is-active -- "${UNITS[@]}" | grep -cx active || true)
    [[ $active -eq $n ]] || die "after the converge only $active of $n units are active"
    local before
    before=$(revisions)
    say "N=$n: converge $(ms "$converge") ms, $active/$n units active, $before revision(s)"

    # Warm-up, then interleaved rounds.
    local t floor_t=() noop_t=() diff_t=() version_t=() validate_t=()
    timed t 0 floor
    timed t 0 "$BIN" apply -f "$MANIFESTS"
    timed t 0 "$BIN" diff -f "$MANIFESTS"
    timed t 0 "$BIN" validate "$MANIFESTS"
    for ((i = 1; i <= runs; i++)); do
        timed t 0 floor && floor_t+=("$t")
        timed t 0 "$BIN" apply -f "$MANIFESTS" && noop_t+=("$t")
        timed t 0 "$BIN" diff -f "$MANIFESTS" && diff_t+=("$t")
        timed t 0 "$BIN" --version && version_t+=("$t")
        timed t 0 "$BIN" validate "$MANIFESTS" && validate_t+=("$t")
        say "N=$n run $i: floor $(ms "${floor_t[-1]}")  no-op apply $(ms "${noop_t[-1]}")  diff $(ms "${diff_t[-1]}")  --version $(ms "${version_t[-1]}")  validate $(ms "${validate_t[-1]}") ms"
    done
    local after
    after=$(revisions)
    [[ $after -eq $before ]] || die "the no-op applies recorded revisions ($before -> $after)"
    active=$(systemctl is-active -- "${UNITS[@]}" | grep -cx active || true)
    [[ $active -eq $n ]] || die "after the no-op runs only $active of $n units are active"

    local rss_noop rss_diff
    rss_noop=$(rss "$BIN" apply -f "$MANIFESTS")
    rss_diff=$(rss "$BIN" diff -f "$MANIFESTS")
    local pass
    pass=$(agent_pass "$runs")
    say "N=$n: the agent's no-op pass $(ms "$pass") ms (mean of $runs)"

    echo "RESULT $n $(ms "$converge") $(ms "$(median "${noop_t[@]}")") $(ms "$(median "${diff_t[@]}")")" \
        "$(ms "$(median "${floor_t[@]}")") $rss_converge $rss_noop $rss_diff" \
        "$(ms "$(median "${version_t[@]}")") $(ms "$(median "${validate_t[@]}")")" \
        "$(ms "$(printf '%s\n' "${noop_t[@]}" | sort -n | head -n 1)")" \
        "$(ms "$(printf '%s\n' "${diff_t[@]}" | sort -n | head -n 1)")" \
        "$(ms "$(printf '%s\n' "${floor_t[@]}" | sort -n | head -n 1)")" "$(ms "$pass")"
}

# ---------------------------------------------------------------------------------------------------
# On the host.

NAME=
cleanup() {
    if [[ -n $NAME ]]; then
        "$TESTBED" stop "$NAME" >/dev/null || say "could not stop testbed $NAME"
        NAME=
    fi
}

main() {
    [[ $EUID -eq 0 ]] || die "must run as root (the testbed creates namespaces, cgroups and mounts)"
    local bin=${1:-${CHAINBOT_BIN:-.build/release/chainbot}}
    [[ $bin == /* ]] || bin=$REPO/$bin
    [[ -x $bin ]] || die "no chainbot binary at $bin (build: swift build -c release --product chainbot)"
    bin=$(realpath -e "$bin")
    local sizes=${CHAINBOT_BENCH_SIZES:-20 100} runs=${CHAINBOT_BENCH_RUNS:-5}
    local binds=(--bind "$REPO")
    [[ $bin == "$REPO"/* ]] || binds+=(--bind "$(dirname "$bin")")

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    local results=() n line
    for n in $sizes; do
        NAME=svcbench-$$-$n
        say "N=$n: starting testbed $NAME"
        "$TESTBED" start "$NAME" "${binds[@]}" >/dev/null
        line=$("$TESTBED" exec "$NAME" env CHAINBOT_SYSTEMD_READS="${CHAINBOT_SYSTEMD_READS:-}" bash "$SELF" __inner "$n" "$bin" "$runs" </dev/null)
        results+=("${line#RESULT }")
        cleanup
    done

    echo
    echo "$("$bin" --version 2>&1 | head -n 1); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); median of $runs"
    echo
    echo "| N | first converge | no-op apply | diff | agent pass | floor (show + cat) | no-op / floor | diff / floor | pass / floor | peak RSS (converge / no-op / diff) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    local r
    for r in "${results[@]}"; do
        # shellcheck disable=SC2086
        set -- $r
        awk -v n="$1" -v c="$2" -v a="$3" -v d="$4" -v f="$5" -v rc="$6" -v ra="$7" -v rd="$8" -v p="${14}" 'BEGIN {
            printf "| %d | %.0f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f× | %.2f× | %.2f× | %.1f / %.1f / %.1f MiB |\n",
                n, c, a, d, p, f, a / f, d / f, p / f, rc / 1024, ra / 1024, rd / 1024 }'
    done
    echo
    for r in "${results[@]}"; do
        # shellcheck disable=SC2086
        set -- $r
        echo "N=$1: chainbot --version ${9} ms, validate ${10} ms; minimum no-op ${11} ms, diff ${12} ms, floor ${13} ms"
    done
}

if [[ ${1:-} == __inner ]]; then
    shift
    inner "$@"
else
    main "$@"
fi
