#!/usr/bin/env bash
# ufw-netns.sh: runs the real ufw in a throwaway network namespace with private UFW state.
#
#   ufw-netns.sh create NAME            make netns NAME and NAME-peer joined by a veth pair, and a private
#                                       copy of /etc/ufw, /lib/ufw, /etc/default/ufw and /run for NAME
#   ufw-netns.sh exec NAME CMD [ARG...] run CMD in netns NAME with the private state mounted over the host's
#   ufw-netns.sh peer NAME CMD [ARG...] run CMD in netns NAME-peer (the other end of the veth pair)
#   ufw-netns.sh destroy NAME           remove both namespaces and the private state; idempotent
#   ufw-netns.sh run NAME -- CMD...     create, exec CMD, always destroy; exits with CMD's status
#
# Addresses: NAME has 10.213.0.1/24 on cb0, NAME-peer has 10.213.0.2/24 on cb0 (both namespaces are
# private, so every NAME may use the same ones). Exit codes: 0 ok, 1 failure, 2 a requirement is missing,
# 3 (exec/peer) NAME does not exist, 64 usage, 73 (create) NAME is in use. Recipe: §4 "UFW" of
# shared/research/testbed-facts.md. Used by Tests/ChainbotProvidersTests/Firewall/Ufw
# (UfwNamespace.swift) and fixtures/ufw/capture.sh; see fixtures/ufw/README.md.
set -euo pipefail

PROG=ufw-netns.sh
STATE_BASE=${CHAINBOT_UFW_NETNS_STATE:-/run/chainbot-ufw-netns}
LOCAL_ADDRESS=10.213.0.1/24
PEER_ADDRESS=10.213.0.2/24

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
usage() {
    sed -n '4,9s/^#   /usage: /p' "${BASH_SOURCE[0]}" >&2
    exit 64
}

require() {
    if [[ $EUID -ne 0 ]]; then
        say "must run as root (it creates network namespaces and mounts)"
        exit 2
    fi
    local missing=0 tool
    for tool in ip unshare mount ufw; do
        command -v "$tool" >/dev/null || { say "'$tool' is not installed (iproute2 / util-linux / ufw)"; missing=1; }
    done
    for path in /etc/ufw /lib/ufw /etc/default/ufw; do
        [[ -e $path ]] || { say "$path is missing (apt-get install ufw)"; missing=1; }
    done
    [[ $missing -eq 0 ]] || exit 2
}

check_name() {
    [[ ${1-} =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$ ]] ||
        { say "bad name '${1-}': use 1-41 of [A-Za-z0-9_.-], starting with a letter or digit"; exit 64; }
}

netns_exists() { [[ -e /run/netns/$1 ]]; }

# Removes what `create NAME` makes, in reverse order; quiet about what is already gone. Returns 1 (and says
# what) when something is left.
destroy() {
    local name=$1 left=0 ns pids
    for ns in "$name-peer" "$name"; do
        if netns_exists "$ns"; then
            # Processes still running inside (a listener whose test failed) would keep the namespace alive.
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            if [[ -n $pids ]]; then
                # shellcheck disable=SC2086 # one pid a word
                kill -TERM $pids 2>/dev/null || true
                sleep 0.2
                pids=$(ip netns pids "$ns" 2>/dev/null || true)
                # shellcheck disable=SC2086
                [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
            fi
            ip netns del "$ns" 2>/dev/null || true
            netns_exists "$ns" && { say "netns $ns is left"; left=1; }
        fi
    done
    if [[ -d $STATE_BASE/$name ]]; then
        rm -rf --one-file-system -- "${STATE_BASE:?}/$name" || true
        [[ -e $STATE_BASE/$name ]] && { say "$STATE_BASE/$name is left"; left=1; }
    fi
    rmdir "$STATE_BASE" 2>/dev/null || true
    return $left
}

create() {
    local name=$1
    if netns_exists "$name" || netns_exists "$name-peer" || [[ -e $STATE_BASE/$name ]]; then
        say "'$name' is in use (netns $name, $name-peer or $STATE_BASE/$name exists)"
        exit 73
    fi
    # From here on, any failure removes whatever was made (a global: the trap may run after this function).
    CREATING=$name
    trap 'rc=$?; if [[ $rc -ne 0 ]]; then say "create $CREATING failed; cleaning up"; destroy "$CREATING" || true; fi' EXIT
    trap 'exit 130' INT TERM
    # Another NAME's destroy may remove an empty STATE_BASE between the two mkdirs: try again once.
    mkdir -p "$STATE_BASE" && mkdir -m 0700 "$STATE_BASE/$name" 2>/dev/null ||
        { mkdir -p "$STATE_BASE" && mkdir -m 0700 "$STATE_BASE/$name"; }
    local state=$STATE_BASE/$name
    cp -a /etc/ufw "$state/etc-ufw"
    cp -a /lib/ufw "$state/lib-ufw"
    cp -a /etc/default/ufw "$state/default-ufw"
    mkdir -m 0755 "$state/run"
    # A private copy starts disabled whatever the host's says.
    sed -i 's/^ENABLED=.*/ENABLED=no/' "$state/etc-ufw/ufw.conf"
    ip netns add "$name"
    ip netns add "$name-peer"
    ip link add cb0 netns "$name" type veth peer name cb0 netns "$name-peer"
    ip -n "$name" link set lo up
    ip -n "$name-peer" link set lo up
    ip -n "$name" addr add "$LOCAL_ADDRESS" dev cb0
    ip -n "$name-peer" addr add "$PEER_ADDRESS" dev cb0
    ip -n "$name" link set cb0 up
    ip -n "$name-peer" link set cb0 up
    trap - EXIT INT TERM
}

exec_in() {
    local name=$1
    shift
    netns_exists "$name" && [[ -d $STATE_BASE/$name ]] || { say "'$name' does not exist (run: $PROG create $name)"; exit 3; }
    # The mounts live only in this command's private mount namespace: nothing to undo afterwards.
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner sh
    exec ip netns exec "$name" unshare --mount --propagation private sh -c '
        mount --bind "$0/etc-ufw" /etc/ufw &&
        mount --bind "$0/lib-ufw" /lib/ufw &&
        mount --bind "$0/default-ufw" /etc/default/ufw &&
        mount --bind "$0/run" /run &&
        exec "$@"' "$STATE_BASE/$name" "$@"
}

peer() {
    local name=$1
    shift
    netns_exists "$name-peer" || { say "'$name-peer' does not exist (run: $PROG create $name)"; exit 3; }
    exec ip netns exec "$name-peer" "$@"
}

run() {
    local name=$1
    shift
    [[ ${1-} == -- ]] || usage
    shift
    [[ $# -gt 0 ]] || usage
    create "$name"
    RUNNING=$name
    CHILD=
    trap 'if [[ -n $CHILD ]]; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null || true; fi; destroy "$RUNNING" || true' EXIT
    trap 'exit 130' INT TERM
    # In the background so a signal to this script is handled at once; stdin passed on explicitly (a
    # background command would otherwise read /dev/null).
    "${BASH_SOURCE[0]}" exec "$name" "$@" <&0 &
    CHILD=$!
    local rc=0
    wait "$CHILD" || rc=$?
    CHILD=
    exit $rc
}

main() {
    [[ $# -ge 2 ]] || usage
    local verb=$1 name=$2
    shift 2
    check_name "$name"
    case $verb in
    create) [[ $# -eq 0 ]] || usage; require; create "$name" ;;
    exec) [[ $# -gt 0 ]] || usage; exec_in "$name" "$@" ;;
    peer) [[ $# -gt 0 ]] || usage; peer "$name" "$@" ;;
    destroy) [[ $# -eq 0 ]] || usage; [[ $EUID -eq 0 ]] || { say "must run as root"; exit 2; }; destroy "$name" ;;
    run) require; run "$name" "$@" ;;
    *) usage ;;
    esac
}

main "$@"
