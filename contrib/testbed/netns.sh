#!/usr/bin/env bash
# netns.sh: a pair of throwaway network namespaces joined by a veth pair, for firewall tests with real
# traffic. The "host" side plays the Pi (10.231.X.1), the "peer" side a machine on the LAN (10.231.X.2).
#
#   netns.sh up NAME                     create NAME-host and NAME-peer (fails if NAME is in use)
#   netns.sh exec NAME host|peer CMD...  run CMD (argv) inside one side
#   netns.sh down NAME                   remove both namespaces and the veth pair; idempotent
#
# Names: 1-8 of [a-z0-9]. Needs root and iproute2. Nothing outside the two namespaces is changed: the
# veth pair is created directly inside them, never in the caller's namespace.
# Exit codes: 0 ok, 1 failure, 2 a requirement is missing, 64 usage.
set -euo pipefail

say() { printf 'netns.sh: %s\n' "$*" >&2; }
usage() { sed -n '5,7s/^#   /usage: /p' "$0" >&2; exit 64; }

[[ $# -ge 2 ]] || usage
action=$1 name=$2
[[ $name =~ ^[a-z0-9]{1,8}$ ]] || { say "name must be 1-8 of [a-z0-9]: '$name'"; exit 64; }
if [[ $EUID -ne 0 ]]; then say "must run as root (it creates network namespaces)"; exit 2; fi
command -v ip >/dev/null || { say "'ip' is not installed (apt-get install iproute2)"; exit 2; }

host=$name-host peer=$name-peer
# A /24 per name, from a hash of it, so parallel test runs with different names do not collide.
subnet=$(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 250 + 1 ))

down() {
    ip netns del "$host" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
}

case $action in
up)
    if ip netns list | grep -qw -e "$host" -e "$peer"; then say "'$name' is in use"; exit 1; fi
    trap 'down' ERR
    ip netns add "$host"
    ip netns add "$peer"
    ip -n "$host" link add veth0 type veth peer name veth0 netns "$peer"
    ip -n "$host" addr add "10.231.$subnet.1/24" dev veth0
    ip -n "$peer" addr add "10.231.$subnet.2/24" dev veth0
    for ns in "$host" "$peer"; do
        ip -n "$ns" link set lo up
        ip -n "$ns" link set veth0 up
    done
    trap - ERR
    printf '10.231.%s.1 10.231.%s.2\n' "$subnet" "$subnet"
    ;;
exec)
    [[ $# -ge 4 ]] || usage
    side=$3
    shift 3
    case $side in host) exec ip netns exec "$host" "$@" ;; peer) exec ip netns exec "$peer" "$@" ;; *) usage ;; esac
    ;;
down) down ;;
*) usage ;;
esac
