# fleet-netns.sh: the fleet benchmark's network, sourced by fleet-bench.sh (bash, as root, iproute2).
#
# One "lan" network namespace holds a bridge; every other namespace is joined to it by a veth pair whose
# outer end is created inside the lan namespace and whose inner end is moved straight into its own
# namespace (eth0), so nothing is ever created in the caller's namespace:
#
#   PREFIX-lan   br0, no address                 the switch
#   PREFIX-git   eth0 10.77.0.1/16               git daemon
#   PREFIX-sim   eth0 10.77.0.2/16               the ALEX OS simulator
#   PREFIX-NN    eth0 10.77.1.NN/16              agent NN (1..250), each also in its own UTS namespace
#
# Every namespace the functions create is named in NETNS_CREATED, so netns_down removes exactly those
# (and with them their veths and the bridge), also after a failure half-way.
#
#   netns_up_lan PREFIX            the lan namespace and its bridge
#   netns_join PREFIX NAME ADDR    namespace PREFIX-NAME on the bridge with ADDR/16 on eth0
#   netns_exec PREFIX NAME CMD...  CMD (argv) in PREFIX-NAME; `ip netns exec` execs CMD without a fork,
#                                  so `ip netns exec PREFIX-NAME CMD &` gives CMD's pid in $!
#   netns_join_pid PREFIX PID ADDR the network namespace of process PID on the bridge (eth1, ADDR/16)
#   netns_down                     deletes every namespace created above; idempotent

NETNS_CREATED=()
NETNS_PORT=0 # the next veth index in the lan namespace

netns_up_lan() {
    local lan=$1-lan
    if ip netns list | grep -qw -- "$lan"; then
        echo "fleet-netns: $lan is in use" >&2
        return 1
    fi
    ip netns add "$lan"
    NETNS_CREATED+=("$lan")
    ip -n "$lan" link set lo up
    ip -n "$lan" link add br0 type bridge
    ip -n "$lan" link set br0 up
}

netns_join() {
    local ns=$1-$2 address=$3 port
    port=v$((NETNS_PORT++))
    ip netns add "$ns"
    NETNS_CREATED+=("$ns")
    ip -n "$1-lan" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$1-lan" link set "$port" master br0 up
    ip -n "$ns" addr add "$address/16" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
}

netns_exec() {
    local ns=$1-$2
    shift 2
    ip netns exec "$ns" "$@"
}

netns_down() {
    local ns
    for ns in "${NETNS_CREATED[@]+"${NETNS_CREATED[@]}"}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    NETNS_CREATED=()
    NETNS_PORT=0
}

# netns_join_pid PREFIX PID ADDR: the network namespace of process PID (a testbed's, say) on the bridge,
# with ADDR/16 on a new eth1 there; removed with that namespace (or with the lan namespace).
netns_join_pid() {
    local port
    port=v$((NETNS_PORT++))
    ip -n "$1-lan" link add "$port" type veth peer name eth1 netns "$2"
    ip -n "$1-lan" link set "$port" master br0 up
    nsenter -t "$2" -n ip addr add "$3/16" dev eth1
    nsenter -t "$2" -n ip link set eth1 up
}
