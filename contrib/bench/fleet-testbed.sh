#!/usr/bin/env bash
# fleet-testbed.sh: two real-systemd testbeds (contrib/testbed/testbed.sh) with different kernel host names
# following one fleet repository served by `git daemon`, timed (issue 16).
#
#   contrib/bench/fleet-testbed.sh [BINARY]    BINARY defaults to $CHAINBOT_BIN, then .build/release/chainbot
#
# As root. The git daemon runs in a network namespace of its own (10.77.0.1) on a bridge (fleet-netns.sh);
# each testbed's own network namespace is joined to that bridge (eth1, 10.77.1.N). In each testbed,
# `hostname pi-kitchen-1` / `hostname pi-garage`, then `chainbot agent` as a systemd unit
# (systemd-run) following its clone over git:// with --git-pull ${CHAINBOT_BENCH_PULL:-5s} (±10 %) and
# --git-verify (SSH signatures). The repository: a ConfigFile /etc/fleet-note for every host, a Service
# kitchen-sleeper for pi-kitchen-* and a Service garage-sleeper for pi-garage.
# It measures over ${CHAINBOT_BENCH_PUSHES:-5} signed pushes changing the note: push -> each host applied
# it and push -> both did (median, max); checks that each host runs exactly its own Service; then pushes
# an unsigned commit and checks both refuse it (GitVerifyFailed, the note unchanged). Everything it
# created (testbeds, namespaces, daemon, work directory) is removed at the end, also on failure or Ctrl-C.
set -euo pipefail

PROG=fleet-testbed.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
TESTBED=$REPO/contrib/testbed/testbed.sh
PULL=${CHAINBOT_BENCH_PULL:-5s}
PUSHES=${CHAINBOT_BENCH_PUSHES:-5}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    say "$*"
    exit 1
}
[[ $EUID -eq 0 ]] || die "must run as root (testbeds and network namespaces)"
BINARY=$(realpath -e "${1:-${CHAINBOT_BIN:-$REPO/.build/release/chainbot}}") ||
    die "no chainbot binary; build it: swift build -c release --product chainbot"
[[ -x "$(git --exec-path)/git-daemon" ]] || die "git daemon is not installed"
[[ $PULL =~ ^[0-9]+s$ ]] || die "CHAINBOT_BENCH_PULL takes whole seconds, like 5s; not '$PULL'"
[[ $PUSHES =~ ^[1-9][0-9]*$ ]] || die "CHAINBOT_BENCH_PUSHES takes a count, like 5; not '$PUSHES'"
# shellcheck source=contrib/bench/fleet-netns.sh
source "$(dirname "$SELF")/fleet-netns.sh"

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
stats() {                             # "median max" of the numbers on stdin
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit }; printf "%s %s\n", v[int((NR + 1) / 2)], v[NR] }'
}

NS=cbt$$
HOSTS=(pi-kitchen-1 pi-garage)
BEDS=(fleetk$$ fleetg$$)
work="" daemon="" leaders=()
cleanup() {
    local bed
    for bed in "${BEDS[@]}"; do "$TESTBED" stop "$bed" >/dev/null 2>&1 || say "testbed $bed: stop failed"; done
    if [[ -n $daemon ]]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    netns_down
    if [[ -n $work ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /var/tmp/chainbot-fleet-testbed-XXXXXX) # not /tmp: the testbeds have their own
export HOME=$work/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 LC_ALL=C
mkdir -p "$HOME" "$work/srv" "$work/state" "$work/logs"
cp "$BINARY" "$work/chainbot"
author=(git -C "$work/author" -c user.name=bench -c user.email=bench@example.invalid)
sign=(-c gpg.format=ssh -c "user.signingKey=$work/signer.pub" -c commit.gpgSign=true)
ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/signer"
printf 'bench@example.invalid namespaces="git" %s\n' "$(cat "$work/signer.pub")" >"$work/allowed_signers"
git -c init.defaultBranch=main init -q --bare "$work/srv/fleet.git"
git clone -q "$work/srv/fleet.git" "$work/author" 2>/dev/null
git -C "$work/author" checkout -q -b main

release() { # release TEXT [sign]: the note holds TEXT; commits and pushes to main
    mkdir -p "$work/author/manifests"
    cat >"$work/author/manifests/fleet.yaml" <<EOF
apiVersion: chainbot.dev/v1
kind: ConfigFile
metadata: {name: fleet-note}
spec: {path: /etc/fleet-note, content: "$1\n"}
---
apiVersion: chainbot.dev/v1
kind: Service
metadata:
  name: kitchen-sleeper
  hostSelector: {hostname: "pi-kitchen-*"}
spec: {exec: /bin/sleep infinity}
---
apiVersion: chainbot.dev/v1
kind: Service
metadata:
  name: garage-sleeper
  hostSelector: {hostname: pi-garage}
spec: {exec: /bin/sleep infinity}
EOF
    "${author[@]}" add -A
    if [[ ${2-} == sign ]]; then "${author[@]}" "${sign[@]}" commit -q -m "$1"; else "${author[@]}" commit -q -m "$1"; fi
    "${author[@]}" push -q origin HEAD:refs/heads/main
}
release "release 0" sign

# The network: git daemon in its own namespace on the bridge.
netns_up_lan "$NS" || die "cannot create the network namespace $NS-lan"
netns_join "$NS" git 10.77.0.1
ip netns exec "$NS-git" "$(git --exec-path)/git-daemon" --reuseaddr --listen=10.77.0.1 --port=9418 --base-path="$work/srv" --export-all \
    --max-connections=0 --verbose --log-destination=stderr "$work/srv" 2>"$work/logs/daemon.log" &
daemon=$!
url=git://10.77.0.1/fleet.git
tries=0
until ip netns exec "$NS-git" git ls-remote -q "$url" >/dev/null 2>&1; do
    ((tries++ < 50)) || die "git daemon did not start: $(tail -n 3 "$work/logs/daemon.log")"
    sleep 0.1
done

# The testbeds, each on the bridge, renamed, with its agent as a systemd unit.
for i in 0 1; do
    host=${HOSTS[i]} bed=${BEDS[i]}
    git clone -q "$work/srv/fleet.git" "$work/$host"
    git -C "$work/$host" remote set-url origin "$url"
    leaders[i]=$("$TESTBED" start "$bed" --bind "$work") || die "testbed $bed did not start"
    netns_join_pid "$NS" "${leaders[i]}" "10.77.1.$((i + 1))"
    "$TESTBED" exec "$bed" hostname "$host"
    "$TESTBED" exec "$bed" systemd-run --quiet --unit chainbot-agent --setenv "HOME=$HOME" \
        --setenv GIT_CONFIG_NOSYSTEM=1 --property "StandardError=file:$work/logs/$host.log" \
        "$work/chainbot" agent -f "$work/$host/manifests" --state "$work/state/$host.db" --listen off \
        --git-pull "$PULL" --git-verify --git-allowed-signers "$work/allowed_signers"
done

note() { cat "/proc/${leaders[$1]}/root/etc/fleet-note" 2>/dev/null || true; }
# wait_note TEXT: until both hosts' note holds TEXT (120 s at most); prints each host's delay in ms
# from $pushed, one per line.
wait_note() {
    local deadline=$(($(now) + 120000000)) done=(0 0) at=("" "") i
    while [[ -z ${at[0]} || -z ${at[1]} ]]; do
        for i in 0 1; do
            if [[ -z ${at[i]} && "$(note "$i")" == "$1" ]]; then at[i]=$((($(now) - pushed) / 1000)); fi
        done
        (($(now) < deadline)) || die "'$1' not applied within 120 s: ${HOSTS[0]} '$(note 0)', ${HOSTS[1]} '$(note 1)'"
        sleep 0.05
    done
    printf '%s\n' "${at[@]}"
}
pushed=$(now)
wait_note "release 0" >/dev/null
started_ms=$((($(now) - pushed) / 1000))

each=() both=()
for ((k = 1; k <= PUSHES; k++)); do
    sleep 1
    release "release $k" sign
    pushed=$(now)
    mapfile -t delays < <(wait_note "release $k")
    each+=("${delays[@]}")
    both+=("$(printf '%s\n' "${delays[@]}" | sort -n | tail -n 1)")
done

# Each host runs exactly its own Service.
selected=yes
unit() { "$TESTBED" exec "${BEDS[$1]}" systemctl show -P "$2" "$3" 2>/dev/null || true; }
[[ $(unit 0 ActiveState kitchen-sleeper.service) == active ]] || selected="no: kitchen-sleeper not active on ${HOSTS[0]}"
[[ $(unit 0 LoadState garage-sleeper.service) == not-found ]] || selected="no: garage-sleeper on ${HOSTS[0]}"
[[ $(unit 1 ActiveState garage-sleeper.service) == active ]] || selected="no: garage-sleeper not active on ${HOSTS[1]}"
[[ $(unit 1 LoadState kitchen-sleeper.service) == not-found ]] || selected="no: kitchen-sleeper on ${HOSTS[1]}"

# Tampered: an unsigned commit; both refuse it and keep the last good note.
last="release $PUSHES"
release "tampered"
pushed=$(now)
refused=()
for i in 0 1; do
    until grep -qs 'git verify-commit refused commit' "$work/logs/${HOSTS[i]}.log"; do
        (($(now) - pushed < 120000000)) || die "${HOSTS[i]} did not refuse the unsigned commit within 120 s"
        sleep 0.05
    done
    refused+=($((($(now) - pushed) / 1000)))
done
sleep 2
kept=0 recorded=0
for i in 0 1; do
    [[ "$(note "$i")" == "$last" ]] && kept=$((kept + 1))
    "$work/chainbot" events --state "$work/state/${HOSTS[i]}.db" | grep -q 'Warning  *GitVerifyFailed' &&
        recorded=$((recorded + 1))
done

printf 'chainbot %s, 2 testbeds (real systemd) %s and %s, git daemon in its own network namespace, --git-pull %s (±10 %% jitter), --git-verify\n' \
    "$("$BINARY" --version | cut -d' ' -f2)" "${HOSTS[0]}" "${HOSTS[1]}" "$PULL"
printf '  the second agent started -> both applied the first commit: %s ms; git daemon served %s upload-packs over the bridge\n' \
    "$started_ms" "$(grep -c 'Request upload-pack' "$work/logs/daemon.log" || true)"
printf '  %s signed pushes: push -> each host applied (ms, median max): %s; push -> both converged (median max): %s\n' \
    "$PUSHES" "$(printf '%s\n' "${each[@]}" | stats)" "$(printf '%s\n' "${both[@]}" | stats)"
printf '  each host runs exactly its own Service: %s\n' "$selected"
printf '  unsigned push: refused by both after %s ms; GitVerifyFailed recorded %s/2, note kept %s/2\n' \
    "$(printf '%s\n' "${refused[@]}" | sort -n | tail -n 1)" "$recorded" "$kept"
