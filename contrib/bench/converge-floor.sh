#!/usr/bin/env bash
# converge-floor.sh: chainbot's first converge and heal of N Services against the same work done with
# plain commands (issue 15), in one testbed (a real systemd as PID 1), interleaved round by round.
#
#   contrib/bench/converge-floor.sh [BINARY]     as root; BINARY defaults to $CHAINBOT_BIN, then
#                                                .build/release/chainbot (relative to the repository)
#   CHAINBOT_SYSTEMD_READS=systemctl                  chainbot reads units with systemctl show, not D-Bus
#   CHAINBOT_BENCH_MIN_UPTIME=0s                      chainbot's Services get this `minUptime` (default:
#                                                     none in the manifests, so 200 ms)
#
# For each size N (CHAINBOT_BENCH_SIZES, default "20 100") it boots one testbed and runs
# CHAINBOT_BENCH_RUNS rounds (default 5). Each round makes two fresh sets of N units (`cbR-NNN` for
# chainbot, `flR-NNN` for the floor; `exec: /bin/sleep infinity`) and times, inside the testbed (bash's
# EPOCHREALTIME), the floor and chainbot one after the other (which goes first alternates):
#   - converge: `chainbot apply -f DIR` on a fresh state file (then all N units must be active), against
#     copying the same N unit files into /etc/systemd/system, one `systemctl daemon-reload` and one
#     `systemctl enable --now -- UNITS` (its own reload, then every start as one transaction);
#   - heal, start: all N units stopped by hand (`systemctl stop`, untimed), then `chainbot apply`, against
#     the observation floor (one `systemctl show --property=<chainbot's 10> -- UNITS` and `cat` of the
#     unit files) plus one `systemctl start -- UNITS`;
#   - heal, restart: every unit file edited by hand (a comment appended), then `chainbot apply` (writes them
#     back, reloads, restarts), against the observation floor, copying the N files back, one
#     `systemctl daemon-reload` and one `systemctl restart -- UNITS`.
# Then both sets are torn down (untimed). Medians per N and the ratios are printed at the end.
set -euo pipefail

PROG=converge-floor.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
TESTBED=$REPO/contrib/testbed/testbed.sh
PROPERTIES=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,FragmentPath,DropInPaths,ExecMainStatus,Result
UNITDIR=/etc/systemd/system

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

micros() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); } # microseconds -> "12.3"
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# timed VAR CMD...: runs CMD (output discarded; must succeed), stores its wall time in microseconds.
timed() {
    local var=$1 start end rc=0
    shift
    micros start
    "$@" >/tmp/timed.out 2>&1 || rc=$?
    micros end
    if [[ $rc -ne 0 ]]; then
        cat /tmp/timed.out >&2
        die "exit status $rc from: $*"
    fi
    printf -v "$var" '%d' $((end - start))
}

all_active() { # all_active UNITS...
    local active
    active=$(systemctl is-active -- "$@" | grep -cx active || true)
    [[ $active -eq $# ]] || die "only $active of $# units are active"
}

# ---------------------------------------------------------------------------------------------------
# Inside the testbed: `converge-floor.sh __inner N BINARY RUNS [MIN_UPTIME]`; prints one `RESULT …` line on stdout.

observe() { systemctl show "--property=$PROPERTIES" -- "$@" >/dev/null && cat -- "${@/#/$UNITDIR/}" >/dev/null; }

floor_converge() { # floor_converge SRC UNITS...
    local src=$1
    shift
    cp -- "${@/#/$src/}" "$UNITDIR/" && systemctl daemon-reload && systemctl enable --now --quiet -- "$@"
}
floor_heal_start() { observe "$@" && systemctl start -- "$@"; }
floor_heal_restart() { # floor_heal_restart SRC UNITS...
    local src=$1
    shift
    observe "$@" && cp -- "${@/#/$src/}" "$UNITDIR/" && systemctl daemon-reload && systemctl restart -- "$@"
}
edit_units() { local u; for u in "$@"; do printf '# edited by hand\n' >>"$UNITDIR/$u"; done; }

teardown() { # teardown UNITS...
    systemctl disable --now --quiet -- "$@" 2>/dev/null || true
    rm -f -- "${@/#/$UNITDIR/}"
    systemctl daemon-reload
    systemctl reset-failed 2>/dev/null || true
}

inner() {
    local n=$1 runs=$3 round i name
    BIN=$2 MIN_UPTIME=${4:-}
    local cv=() cvf=() hs=() hsf=() hr=() hrf=()
    for ((round = 1; round <= runs; round++)); do
        local dir=/srv/cf-$round src=/srv/cf-$round-floor cb=() fl=()
        rm -rf "$dir" "$src"
        mkdir -p "$dir" "$src"
        for ((i = 1; i <= n; i++)); do
            printf -v name 'cb%d-%03d' "$round" "$i"
            printf 'apiVersion: chainbot.dev/v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  exec: /bin/sleep infinity\n' \
                "$name" >"$dir/$name.yaml"
            [[ -z $MIN_UPTIME ]] || printf '  minUptime: %s\n' "$MIN_UPTIME" >>"$dir/$name.yaml"
            cb+=("$name.service")
            printf -v name 'fl%d-%03d' "$round" "$i"
            fl+=("$name.service")
        done
        local state=/var/lib/cf/$round.db t tf
        mkdir -p /var/lib/cf
        rm -f "$state"
        # The floor's unit files: what chainbot wrote for its own units, under the floor's names (in round
        # 1 chainbot goes first; later rounds copy round 1's files).
        local first=chainbot
        ((round % 2 == 0)) && first=floor
        if [[ $first == chainbot ]]; then
            timed t "$BIN" apply -f "$dir" --state "$state"
            for ((i = 0; i < n; i++)); do sed "s/${cb[i]%.service}/${fl[i]%.service}/g" "$UNITDIR/${cb[i]}" >"$src/${fl[i]}"; done
            timed tf floor_converge "$src" "${fl[@]}"
        else
            local ref
            ref=$(ls /srv/cf-1-floor | head -n 1)
            for ((i = 0; i < n; i++)); do sed "s/${ref%.service}/${fl[i]%.service}/g" "/srv/cf-1-floor/$ref" >"$src/${fl[i]}"; done
            timed tf floor_converge "$src" "${fl[@]}"
            timed t "$BIN" apply -f "$dir" --state "$state"
        fi
        all_active "${cb[@]}"
        all_active "${fl[@]}"
        cv+=("$t") cvf+=("$tf")

        systemctl stop -- "${cb[@]}" "${fl[@]}"
        if [[ $first == chainbot ]]; then
            timed t "$BIN" apply -f "$dir" --state "$state"
            timed tf floor_heal_start "${fl[@]}"
        else
            timed tf floor_heal_start "${fl[@]}"
            timed t "$BIN" apply -f "$dir" --state "$state"
        fi
        all_active "${cb[@]}"
        all_active "${fl[@]}"
        hs+=("$t") hsf+=("$tf")

        edit_units "${cb[@]}" "${fl[@]}"
        if [[ $first == chainbot ]]; then
            timed t "$BIN" apply -f "$dir" --state "$state"
            timed tf floor_heal_restart "$src" "${fl[@]}"
        else
            timed tf floor_heal_restart "$src" "${fl[@]}"
            timed t "$BIN" apply -f "$dir" --state "$state"
        fi
        all_active "${cb[@]}"
        all_active "${fl[@]}"
        hr+=("$t") hrf+=("$tf")
        say "N=$n round $round ($first first): converge $(ms "${cv[-1]}") / floor $(ms "${cvf[-1]}") ms;" \
            "heal start $(ms "${hs[-1]}") / $(ms "${hsf[-1]}") ms; heal restart $(ms "${hr[-1]}") / $(ms "${hrf[-1]}") ms;" \
            "load $(cut -d' ' -f1 /proc/loadavg)"
        # Round 1's floor files are the template of later rounds' floors.
        teardown "${cb[@]}" "${fl[@]}"
        rm -rf "$dir"
        ((round == 1)) || rm -rf "$src"
    done
    echo "RESULT $n $(median "${cv[@]}") $(median "${cvf[@]}") $(median "${hs[@]}") $(median "${hsf[@]}")" \
        "$(median "${hr[@]}") $(median "${hrf[@]}")"
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
        NAME=cfloor-$$-$n
        say "N=$n: starting testbed $NAME"
        "$TESTBED" start "$NAME" "${binds[@]}" >/dev/null
        line=$("$TESTBED" exec "$NAME" env CHAINBOT_SYSTEMD_READS="${CHAINBOT_SYSTEMD_READS:-}" bash "$SELF" __inner "$n" "$bin" "$runs" "${CHAINBOT_BENCH_MIN_UPTIME:-}" </dev/null)
        results+=("${line#RESULT }")
        cleanup
    done

    echo
    echo "$("$bin" --version 2>&1 | head -n 1); minUptime ${CHAINBOT_BENCH_MIN_UPTIME:-200ms (default)}; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); median of $runs"
    echo
    echo "| N | first converge / floor | ratio | heal, start / floor | ratio | heal, restart / floor | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    local r
    for r in "${results[@]}"; do
        # shellcheck disable=SC2086
        set -- $r
        awk -v n="$1" -v c="$2" -v cf="$3" -v s="$4" -v sf="$5" -v r="$6" -v rf="$7" 'BEGIN {
            printf "| %d | %.0f / %.0f ms | %.2f× | %.0f / %.0f ms | %.2f× | %.0f / %.0f ms | %.2f× |\n",
                n, c / 1000, cf / 1000, c / cf, s / 1000, sf / 1000, s / sf, r / 1000, rf / 1000, r / rf }'
    done
}

if [[ ${1:-} == __inner ]]; then
    shift
    inner "$@"
else
    main "$@"
fi
