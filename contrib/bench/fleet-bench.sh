#!/usr/bin/env bash
# fleet-bench.sh: N chainbot agents following one fleet repository served by a real `git daemon` (issue 16).
#
#   contrib/bench/fleet-bench.sh [BINARY]     BINARY defaults to $CHAINBOT_BIN, then .build/release/chainbot
#
# For each N in ${CHAINBOT_BENCH_HOSTS:-10 50}, on this one machine (no systemd; --root-style directories):
#   - as root, a network of namespaces (fleet-netns.sh): a bridge in its own namespace, the git server in
#     one (10.77.0.1), the ALEX OS simulator in another (10.77.0.2) and each agent in one of its own
#     (10.77.1.NN), every one joined to the bridge by a veth pair; each agent also in its own UTS
#     namespace with the kernel host name bench-NN. All of it is deleted at the end, also on a failure or
#     Ctrl-C. CHAINBOT_BENCH_NETNS=no (or not root): everything on 127.0.0.1 and --host bench-NN instead;
#   - one bare repository served by `git daemon` (git://), pushed to over the file system;
#   - N `chainbot agent` processes, each with its own clone, state file, host name and a ring label
#     (every 5th host is ring=canary and follows the branch canary, the rest follow main), --listen off,
#     --git-pull ${CHAINBOT_BENCH_PULL:-5s} (whole seconds; ±10 % jitter), --git-verify with an SSH
#     allowed-signers file;
#   - the repository holds one ConfigFile per host (hostSelector: {hostname: bench-NN}) under the work
#     directory, so each host applies exactly one resource and a checker can say who wrote what.
# It measures, after every agent converged on the first signed commit:
#   idle      ${CHAINBOT_BENCH_IDLE:-30} s: CPU per agent (its own, and with its git children), requests per
#             minute at the git daemon and the daemon's CPU (with its upload-pack children);
#   canary    a signed commit to canary changing every host's file: push -> each canary applied it (the
#             file's mtime), and the other hosts still hold the old content one pull later;
#   all       a signed commit pushed to main and canary: push -> every host applied it (median, p95, max);
#   tampered  an unsigned commit pushed to both: push -> every agent logged its refusal; each state file
#             holds a GitVerifyFailed Warning, every file keeps the last good content and every clone
#             stays on the last good commit;
#   memory    RSS and peak RSS per agent (median, max).
# With the ALEX OS simulator ($CHAINBOT_BENCH_SIM, else chainbot-alexos-sim beside BINARY) the agents
# report to it (--alexos-url) and the requests it received per minute are counted too.
# Needs git (with git-daemon), ssh-keygen, awk, curl for the simulator, and 1-3 inotify instances per
# agent below fs.inotify.max_user_instances (128 by default: raise it for N = 50 on a busy machine). Not part of the test suite. Runs
# in about 2.5 minutes on 2 cores.
set -euo pipefail

PROG=fleet-bench.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
HOSTS=${CHAINBOT_BENCH_HOSTS:-10 50}
PULL=${CHAINBOT_BENCH_PULL:-5s}
IDLE=${CHAINBOT_BENCH_IDLE:-30}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    say "$*"
    exit 1
}

BINARY=$(realpath -e "${1:-${CHAINBOT_BIN:-$REPO/.build/release/chainbot}}") ||
    die "no chainbot binary; build it: swift build -c release --product chainbot"
[[ -x "$(git --exec-path)/git-daemon" ]] ||
    die "git daemon is not installed (Debian: it is part of the git package)"
command -v ssh-keygen >/dev/null || die "ssh-keygen is needed to sign the commits"

[[ $PULL =~ ^[0-9]+s$ ]] || die "CHAINBOT_BENCH_PULL takes whole seconds, like 5s; not '$PULL'"
[[ $IDLE =~ ^[0-9]+$ ]] || die "CHAINBOT_BENCH_IDLE takes seconds, like 30; not '$IDLE'"
# Each agent in network and UTS namespaces of its own, the git server and the simulator in theirs: as
# root with iproute2 and unshare(1); CHAINBOT_BENCH_NETNS=no gives one loopback and --host instead.
NETNS=${CHAINBOT_BENCH_NETNS:-yes}
if [[ $NETNS == yes ]] && { [[ $EUID -ne 0 ]] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; }; then
    say "not root, or no unshare/ip: all agents on 127.0.0.1 with --host"
    NETNS=no
fi
NS=cbf$$ # the namespaces' prefix: unique per run
# shellcheck source=contrib/bench/fleet-netns.sh
source "$(dirname "$SELF")/fleet-netns.sh"
SIM=${CHAINBOT_BENCH_SIM:-$(dirname "$BINARY")/chainbot-alexos-sim}
[[ -x $SIM ]] || SIM=""

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
ticks=$(getconf CLK_TCK)

# median / p95 / max of the numbers on stdin, as "median p95 max".
stats() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = int((NR + 1) / 2); p = int(NR * 0.95 + 0.999); if (p > NR) p = NR
        printf "%s %s %s\n", v[m], v[p], v[NR] }'
}
# Requests the ALEX OS simulator received so far (0 without one).
sim_requests() {
    if [[ -z $sim_url ]]; then
        echo 0
        return
    fi
    "${sim_ns[@]+"${sim_ns[@]}"}" curl -sf "$sim_url/_sim/requests" | grep -o '"sequence"' | wc -l
}
# Webhooks of TYPE (git_verify_failed, …) ALEX OS received so far, repeated deliveries included.
sim_webhooks() {
    "${sim_ns[@]+"${sim_ns[@]}"}" curl -sf "$sim_url/_sim/requests" | { grep -o "\"path\":\"/api/webhooks/chainbot/$1\"" || true; } |
        wc -l
}
# CPU ticks of PID: own (utime+stime), and with reaped children (cutime+cstime).
cpu_own() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_all() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }

pids=() daemon="" sim="" work="" git_ns=() sim_ns=()
# Stops the agents (SIGTERM: they finish the pass in flight) and the daemon this run started.
stop_all() {
    local pid tries=0 procs=("${pids[@]+"${pids[@]}"}" ${daemon:+"$daemon"} ${sim:+"$sim"})
    for pid in "${procs[@]+"${procs[@]}"}"; do kill "$pid" 2>/dev/null || true; done
    # 10 s to finish the pass in flight, then SIGKILL.
    for pid in "${procs[@]+"${procs[@]}"}"; do
        while kill -0 "$pid" 2>/dev/null && ((tries < 100)); do
            sleep 0.1
            tries=$((tries + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=() daemon="" sim=""
}
cleanup() {
    stop_all
    netns_down
    if [[ -n $work ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# inotify instances in use on the machine (the limit is per user; all of them counted, to be safe).
inotify_used() { { find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null || true; } | wc -l; }

run_fleet() { # run_fleet N
    local n=$1 i name ring branch port
    # Each agent holds inotify instances (the manifests; owned files and the host watch in newer builds);
    # past fs.inotify.max_user_instances an agent exits at start, and other programs of the user fail too.
    # Checked with one each here, with what the first agent really holds once it runs.
    room() { # room PER LEFT: dies when LEFT more agents of PER instances each do not fit
        local limit used
        limit=$(cat /proc/sys/fs/inotify/max_user_instances) used=$(inotify_used)
        if ((used + $1 * $2 + 4 > limit)); then
            die "N=$n needs $(($1 * n)) inotify instances ($1 per agent); $used of fs.inotify.max_user_instances=$limit are in use (raise it: sysctl fs.inotify.max_user_instances=1024)"
        fi
    }
    room 1 "$n"
    work=$(mktemp -d "${TMPDIR:-/tmp}/chainbot-fleet-XXXXXX")
    export HOME=$work/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 LC_ALL=C
    mkdir -p "$HOME" "$work/srv" "$work/hosts" "$work/state" "$work/logs"
    cp "$BINARY" "$work/chainbot" # a rebuild during the run does not change what runs
    local author=(git -C "$work/author" -c user.name=bench -c user.email=bench@example.invalid)
    local sign=(-c gpg.format=ssh -c "user.signingKey=$work/signer.pub" -c commit.gpgSign=true)

    ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/signer"
    printf 'bench@example.invalid namespaces="git" %s\n' "$(cat "$work/signer.pub")" >"$work/allowed_signers"
    git -c init.defaultBranch=main init -q --bare "$work/srv/fleet.git"
    git clone -q "$work/srv/fleet.git" "$work/author" 2>/dev/null
    git -C "$work/author" checkout -q -b main

    # release TEXT: every host's ConfigFile holds TEXT.
    release() {
        local i name
        mkdir -p "$work/author/manifests"
        for ((i = 1; i <= n; i++)); do
            printf -v name 'bench-%02d' "$i"
            printf 'apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata:\n  name: note-%s\n  hostSelector: {hostname: %s}\nspec: {path: %s/hosts/%s/note.txt, content: "%s\\n"}\n' \
                "$name" "$name" "$work" "$name" "$1" >"$work/author/manifests/$name.yaml"
        done
        "${author[@]}" add -A
    }
    release "release 1"
    "${author[@]}" "${sign[@]}" commit -q -m "release 1"
    "${author[@]}" push -q origin HEAD:refs/heads/main HEAD:refs/heads/canary

    # The network: the git server, the simulator and each agent in a namespace of its own on one bridge.
    local git_addr=127.0.0.1 sim_addr=127.0.0.1 ports
    ports=$(shuf -i 20000-60000 -n 20)
    git_ns=() sim_ns=()
    if [[ $NETNS == yes ]]; then
        netns_up_lan "$NS" || die "cannot create the network namespace $NS-lan"
        netns_join "$NS" git 10.77.0.1
        netns_join "$NS" sim 10.77.0.2
        for ((i = 1; i <= n; i++)); do
            printf -v name 'bench-%02d' "$i"
            netns_join "$NS" "$name" "10.77.1.$i"
        done
        git_ns=(ip netns exec "$NS-git") sim_ns=(ip netns exec "$NS-sim")
        git_addr=10.77.0.1 sim_addr=10.77.0.2 ports=9418
    fi

    # git daemon on a free port (its own namespace: git's port).
    local daemon=""
    for port in $ports; do
        # git-daemon itself, not the `git` wrapper that would only see its CPU when it exits.
        "${git_ns[@]+"${git_ns[@]}"}" "$(git --exec-path)/git-daemon" --reuseaddr --listen="$git_addr" --port="$port" \
            --base-path="$work/srv" --export-all \
            --max-connections=0 --verbose --log-destination=stderr "$work/srv" 2>"$work/logs/daemon.log" &
        daemon=$!
        local tries=0
        while ((tries < 50)) && ! "${git_ns[@]+"${git_ns[@]}"}" git ls-remote -q "git://$git_addr:$port/fleet.git" >/dev/null 2>&1; do
            kill -0 "$daemon" 2>/dev/null || break
            sleep 0.1
            tries=$((tries + 1))
        done
        if kill -0 "$daemon" 2>/dev/null && "${git_ns[@]+"${git_ns[@]}"}" git ls-remote -q "git://$git_addr:$port/fleet.git" >/dev/null 2>&1; then
            break
        fi
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
        daemon=""
    done
    [[ -n $daemon ]] || die "git daemon did not start: $(tail -n 3 "$work/logs/daemon.log")"
    local url="git://$git_addr:$port/fleet.git"

    # Each clone made over the file system, then pointed at the daemon (the agents reach only it).
    for ((i = 1; i <= n; i++)); do
        printf -v name 'bench-%02d' "$i"
        git clone -q "$work/srv/fleet.git" "$work/clones/$name"
        git -C "$work/clones/$name" remote set-url origin "$url"
    done
    # The ALEX OS simulator on a free port (its first line of stdout is the port).
    local alexos=() sim_url=""
    if [[ -n $SIM ]]; then
        "${sim_ns[@]+"${sim_ns[@]}"}" "$SIM" --listen "$sim_addr:$([[ $NETNS == yes ]] && echo 8080 || echo 0)" \
            >"$work/logs/sim.out" 2>"$work/logs/sim.log" &
        sim=$!
        local tries=0
        until [[ -s $work/logs/sim.out ]]; do
            ((tries++ < 100)) || die "the ALEX OS simulator did not start: $(cat "$work/logs/sim.log")"
            sleep 0.05
        done
        sim_url="http://$sim_addr:$(head -n 1 "$work/logs/sim.out")"
        alexos=(--alexos-url "$sim_url")
    fi
    local started converged
    started=$(now)
    pids=()
    for ((i = 1; i <= n; i++)); do
        printf -v name 'bench-%02d' "$i"
        ring=stable branch=main
        if ((i % 5 == 0)); then ring=canary branch=canary; fi
        # In network and UTS namespaces of its own the agent takes the kernel's host name, as on a Pi;
        # else --host.
        local identity=(--host "$name") launcher=()
        if [[ $NETNS == yes ]]; then
            identity=()
            launcher=(ip netns exec "$NS-$name" unshare --uts -- bash -c 'hostname "$1" && exec "${@:2}"' bench-host "$name")
        fi
        "${launcher[@]+"${launcher[@]}"}" "$work/chainbot" agent -f "$work/clones/$name/manifests" \
            --state "$work/state/$name.db" --listen off "${identity[@]+"${identity[@]}"}" --label "ring=$ring" \
            --git-pull "$PULL" --git-branch "$branch" --git-verify --git-allowed-signers "$work/allowed_signers" \
            "${alexos[@]+"${alexos[@]}"}" 2>"$work/logs/$name.log" &
        pids+=($!) # ip netns exec, unshare and bash exec the agent: the same pid
        if ((i == 1)); then
            local waited=0 per
            until grep -qs 'starting:' "$work/logs/$name.log" || ((waited++ > 200)); do sleep 0.05; done
            per=$({ find "/proc/${pids[0]}/fd" -lname 'anon_inode:inotify' 2>/dev/null || true; } | wc -l)
            room "$((per > 0 ? per : 1))" $((n - 1))
        fi
    done

    # wait_content TEXT HOSTS... : until each host's file holds TEXT (60 s at most); prints the hosts'
    # apply times (the file's mtime) in microseconds, one per line.
    wait_content() {
        local text=$1 deadline=$(($(now) + 60000000)) host pending
        shift
        pending=("$@")
        while ((${#pending[@]} > 0)); do
            local left=()
            for host in "${pending[@]}"; do
                [[ "$(cat "$work/hosts/$host/note.txt" 2>/dev/null)" == "$text" ]] || left+=("$host")
            done
            pending=("${left[@]+"${left[@]}"}")
            ((${#pending[@]} == 0)) && break
            (($(now) < deadline)) ||
                die "N=$n: ${pending[*]} did not apply '$text' within 60 s; ${pending[0]}: $(tail -n 1 "$work/logs/${pending[0]}.log")"
            sleep 0.05
        done
        for host in "$@"; do
            stat -c '%.6Y' "$work/hosts/$host/note.txt" | tr -d .
        done
    }
    all=() canaries=() stables=()
    for ((i = 1; i <= n; i++)); do
        printf -v name 'bench-%02d' "$i"
        all+=("$name")
        if ((i % 5 == 0)); then canaries+=("$name"); else stables+=("$name"); fi
    done

    wait_content "release 1" "${all[@]}" >/dev/null
    converged=$(($(now) - started))

    # Idle: nothing moves; every agent polls the daemon.
    sleep 3
    local c0_own=() c0_all=() d0 r0 t0 t1 seconds
    for ((i = 0; i < n; i++)); do
        c0_own[i]=$(cpu_own "${pids[i]}")
        c0_all[i]=$(cpu_all "${pids[i]}")
    done
    local a0
    d0=$(cpu_all "$daemon") r0=$(grep -c 'Request upload-pack' "$work/logs/daemon.log" || true) a0=$(sim_requests)
    t0=$(now)
    sleep "$IDLE"
    t1=$(now)
    seconds=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e6 }')
    local own=() withgit=() requests daemon_ms load
    for ((i = 0; i < n; i++)); do
        # ms of CPU per minute
        own+=($((($(cpu_own "${pids[i]}") - c0_own[i]) * 1000 * 60000000 / ticks / (t1 - t0))))
        withgit+=($((($(cpu_all "${pids[i]}") - c0_all[i]) * 1000 * 60000000 / ticks / (t1 - t0))))
    done
    requests=$(($(grep -c 'Request upload-pack' "$work/logs/daemon.log" || true) - r0))
    local alexos_idle=$(($(sim_requests) - a0))
    daemon_ms=$((($(cpu_all "$daemon") - d0) * 1000 * 60000000 / ticks / (t1 - t0)))
    load=$(cut -d' ' -f1 /proc/loadavg)

    # Canary: a signed commit to canary only.
    local pushed canary_ms stable_ok=yes host
    release "release 2"
    "${author[@]}" "${sign[@]}" commit -q -m "release 2 (canary)"
    "${author[@]}" push -q origin HEAD:refs/heads/canary
    pushed=$(now)
    canary_ms=$(wait_content "release 2" "${canaries[@]}" | awk -v p="$pushed" '{ print int(($1 - p) / 1000) }' | stats)
    sleep "$(awk -v p="$PULL" 'BEGIN { sub(/s$/, "", p); print p * 1.2 + 1 }')"
    for host in "${stables[@]}"; do
        [[ "$(cat "$work/hosts/$host/note.txt")" == "release 1" ]] || stable_ok="no: $host changed"
    done

    # All: a signed commit to main and canary.
    local all_ms
    release "release 3"
    "${author[@]}" "${sign[@]}" commit -q -m "release 3"
    "${author[@]}" push -q origin HEAD:refs/heads/main HEAD:refs/heads/canary
    pushed=$(now)
    all_ms=$(wait_content "release 3" "${all[@]}" | awk -v p="$pushed" '{ print int(($1 - p) / 1000) }' | stats)
    local good
    good=$("${author[@]}" rev-parse HEAD)

    # Tampered: an unsigned commit to both branches.
    local refused_ms kept=0 stayed=0 deadline refused_all=()
    release "release 4 (unsigned)"
    "${author[@]}" commit -q -m "release 4 (unsigned)"
    "${author[@]}" push -q origin HEAD:refs/heads/main HEAD:refs/heads/canary
    pushed=$(now)
    deadline=$((pushed + 60000000))
    local pending=("${all[@]}") refused_at=() delivered_at=() delivered
    # Also each GitVerifyFailed webhook's arrival at ALEX OS (one per host, sent after the pull that found it).
    while ((${#pending[@]} > 0)) || { [[ -n $sim_url ]] && ((${#delivered_at[@]} < n)); }; do
        if [[ -n $sim_url ]]; then
            delivered=$(sim_webhooks git_verify_failed)
            while ((${#delivered_at[@]} < delivered)); do delivered_at+=($((($(now) - pushed) / 1000))); done
        fi
        local left=()
        for host in "${pending[@]}"; do
            if grep -q 'git verify-commit refused commit' "$work/logs/$host.log"; then
                refused_at+=($((($(now) - pushed) / 1000)))
            else
                left+=("$host")
            fi
        done
        pending=("${left[@]+"${left[@]}"}")
        (($(now) < deadline)) || die "N=$n: ${pending[*]-no host} did not refuse the unsigned commit within 60 s; ALEX OS got ${#delivered_at[@]} of $n GitVerifyFailed"
        sleep 0.1
    done
    refused_ms=$(printf '%s\n' "${refused_at[@]}" | stats)
    local delivered_ms
    delivered_ms=$(printf '%s\n' "${delivered_at[@]+"${delivered_at[@]}"}" | stats)
    sleep 2 # a refusing agent that applied anyway would have written by now
    local recorded=0 shown=0 owned=0 status events named=yes
    for host in "${all[@]}"; do
        events=$("$work/chainbot" events --state "$work/state/$host.db")
        grep -q 'Warning  *GitVerifyFailed' <<<"$events" && recorded=$((recorded + 1))
        # The agent's own health report regards Chainbot/HOSTNAME: who it took itself for.
        grep -q "HealthReport  *Chainbot/$host " <<<"$events" || named="no: $host's health report names another host"
        status=$("$work/chainbot" status --state "$work/state/$host.db" 2>&1 || true)
        grep -q 'NOT FOLLOWING' <<<"$status" && shown=$((shown + 1))
        # Exactly its selected set: the one resource its hostSelector picks, in its state file.
        [[ "$(grep -o 'ConfigFile/[a-z0-9-]*' <<<"$status" | sort -u)" == "ConfigFile/note-$host" ]] && owned=$((owned + 1))
        [[ "$(cat "$work/hosts/$host/note.txt")" == "release 3" ]] && kept=$((kept + 1))
        [[ "$(git -C "$work/clones/$host" rev-parse HEAD)" == "$good" ]] && stayed=$((stayed + 1))
    done
    # Exactly its selected set: one file per host, nothing else under hosts/.
    local files
    files=$(find "$work/hosts" -type f | wc -l)

    local alexos_all ended
    alexos_all=$(sim_requests) ended=$(now)
    local refusal_webhooks=0
    [[ -z $sim_url ]] || refusal_webhooks=$(sim_webhooks git_verify_failed)
    local alexos_paths=""
    if [[ -n $sim_url ]]; then
        alexos_paths=$("${sim_ns[@]+"${sim_ns[@]}"}" curl -sf "$sim_url/_sim/requests" | grep -o '"path":"[^"]*"' | sed 's/"path":"//; s/"$//' |
            sort | uniq -c | sort -rn | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
    fi
    local rss=() hwm=() watches=()
    for ((i = 0; i < n; i++)); do
        watches+=("$({ find "/proc/${pids[i]}/fd" -lname 'anon_inode:inotify' 2>/dev/null || true; } | wc -l)")
        rss+=("$(awk '/VmRSS/ { print $2 }' "/proc/${pids[i]}/status")")
        hwm+=("$(awk '/VmHWM/ { print $2 }' "/proc/${pids[i]}/status")")
    done
    cleanup
    work=""

    printf '\nN = %s agents, --git-pull %s (±10 %% jitter), --git-verify (SSH), %s\n' "$n" "$PULL" \
        "$([[ $NETNS == yes ]] && echo "git daemon, ALEX OS and each agent in network namespaces of their own on one bridge, each agent in a UTS namespace with its host name" || echo "git daemon and ALEX OS on 127.0.0.1, --host each")"
    printf '  agents started -> every host applied the first commit: %s ms\n' $((converged / 1000))
    printf '  idle %s s: CPU per agent, ms per minute (median p95 max): own %s, with its git children %s\n' "$seconds" \
        "$(printf '%s\n' "${own[@]}" | stats)" "$(printf '%s\n' "${withgit[@]}" | stats)"
    printf '  idle %s s: git daemon %s upload-packs = %s per minute, CPU with children %s ms per minute; load average %s\n' \
        "$seconds" "$requests" "$(awk -v r="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", r / s * 60 }')" \
        "$daemon_ms" "$load"
    if [[ -n $sim_url ]]; then
        printf '  ALEX OS simulator: %s requests idle (%s per minute); %s in the whole run of %s s (%s per minute): %s\n' \
            "$alexos_idle" "$(awk -v r="$alexos_idle" -v s="$seconds" 'BEGIN { printf "%.0f", r / s * 60 }')" \
            "$alexos_all" "$(((ended - started) / 1000000))" \
            "$(awk -v r="$alexos_all" -v d=$((ended - started)) 'BEGIN { printf "%.0f", r / d * 6e7 }')" "$alexos_paths"
    else
        printf '  no ALEX OS simulator (build it: swift build -c release --product chainbot-alexos-sim)\n'
    fi
    printf '  canary commit: push -> %s canaries applied (ms, median p95 max): %s; the %s others unchanged: %s\n' \
        "${#canaries[@]}" "$canary_ms" "${#stables[@]}" "$stable_ok"
    printf '  commit to all: push -> %s hosts applied (ms, median p95 max): %s\n' "$n" "$all_ms"
    printf '  unsigned commit: push -> refused (ms, median p95 max): %s\n' "$refused_ms"
    if [[ -n $sim_url ]]; then
        printf '    push -> its GitVerifyFailed at ALEX OS (ms, median p95 max): %s; GitVerifyFailed webhooks by the end: %s for %s hosts\n' \
            "$delivered_ms" "$refusal_webhooks" "$n"
    fi
    printf '    GitVerifyFailed recorded %s/%s, status NOT FOLLOWING %s/%s, file kept %s/%s, clone on the good commit %s/%s\n' \
        "$recorded" "$n" "$shown" "$n" "$kept" "$n" "$stayed" "$n"
    printf '  selected set: files written %s (one per host: %s); state files holding exactly their own resource %s/%s\n' \
        "$files" "$([[ $files == "$n" ]] && echo yes || echo NO)" "$owned" "$n"
    printf '  identity: each health report names its own host: %s\n' "$named"
    printf '  agent RSS KiB (median p95 max): %s; peak RSS %s; inotify instances per agent %s\n' \
        "$(printf '%s\n' "${rss[@]}" | stats)" "$(printf '%s\n' "${hwm[@]}" | stats)" \
        "$(printf '%s\n' "${watches[@]}" | stats | cut -d' ' -f3)"
}

printf 'chainbot %s (%s), git %s, %s cores, %s\n' "$("$BINARY" --version | cut -d' ' -f2)" "$BINARY" \
    "$(git --version | cut -d' ' -f3)" "$(nproc)" "$(uname -m)"
for n in $HOSTS; do
    run_fleet "$n"
done
