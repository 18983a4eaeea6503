#!/usr/bin/env bash
# testbed.sh: boots a real systemd as PID 1 in throwaway namespaces on an overlay of the host root.
#
#   testbed.sh start NAME [--bind DIR]...      boot; prints the leader PID (host view) on stdout
#   testbed.sh exec NAME CMD [ARG...]          run CMD inside (argv, no shell); exits with CMD's status
#   testbed.sh pid NAME | status NAME          the leader PID | whether it runs and its system state
#   testbed.sh stop NAME                       power off and remove everything; idempotent
#   testbed.sh run NAME [--bind DIR]... -- CMD...   start, exec CMD, always stop; exits with CMD's status
#
# Exit codes: 0 ok, 1 failure, 2 a requirement is missing, 3 (pid/status) not running, 64 usage,
# 73 (start) the name is already in use. See README.md beside this file.
set -euo pipefail

PROG=testbed.sh
SELF=$(realpath -e "${BASH_SOURCE[0]}")
STATE_BASE=${CHAINBOT_TESTBED_STATE:-/run/chainbot-testbed}
BOOT_TIMEOUT=${CHAINBOT_TESTBED_BOOT_TIMEOUT:-30}
STOP_TIMEOUT=${CHAINBOT_TESTBED_STOP_TIMEOUT:-10}
CGROUP_PREFIX=chainbot-testbed-
SYSTEMD=/lib/systemd/systemd
# Capabilities no test needs and whose effects reach past the namespaces (the clock, kernel modules,
# the kernel log, raw I/O): dropped from the bounding set of PID 1 and of every `exec`.
DROP_CAPS=-sys_module,-sys_time,-wake_alarm,-syslog,-sys_rawio,-mac_admin,-mac_override
# Units that make no sense in the testbed or would reach the host; masked in the overlay only.
MASKED_UNITS=(
    systemd-timesyncd.service systemd-firstboot.service systemd-modules-load.service
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
    console-getty.service getty.target
)

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }
usage() {
    sed -n '3,8s/^#   /usage: /p' "$SELF" >&2
    exit 64
}
now() { printf '%s' "${EPOCHREALTIME/./}"; } # microseconds
seconds_since() { # START_MICROS -> "1.234"
    local d=$(($(now) - $1))
    printf '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}

require() { # exit 2 with one clear message per missing piece
    local missing=0 tool
    if [[ $EUID -ne 0 ]]; then
        say "must run as root (it creates cgroups, namespaces and mounts)"
        exit 2
    fi
    [[ $# -eq 0 ]] && return 0
    if [[ ! -x $SYSTEMD ]]; then
        say "systemd is not installed ($SYSTEMD is missing); install it with: apt-get install systemd"
        missing=1
    fi
    for tool in unshare nsenter mount umount pivot_root setpriv ip timeout; do
        command -v "$tool" >/dev/null || { say "'$tool' is not installed (util-linux / iproute2 / coreutils)"; missing=1; }
    done
    if ! grep -qw overlay /proc/filesystems; then
        say "the kernel has no overlay filesystem (grep overlay /proc/filesystems)"
        missing=1
    fi
    if [[ ! -r /proc/self/cgroup ]]; then
        say "the kernel has no cgroups (/proc/self/cgroup is missing)"
        missing=1
    fi
    [[ $missing -eq 0 ]] || exit 2
}

check_name() {
    [[ ${1-} =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ ]] ||
        { say "bad testbed name '${1-}': use 1-64 of [A-Za-z0-9_.-], starting with a letter or digit"; exit 64; }
}

# Prints "<mountpoint><our path>" for every cgroup hierarchy this process is in (v1 controllers,
# name=systemd and cgroup2), one a line: the parents under which the testbed's cgroups go.
cgroup_parents() {
    # shellcheck disable=SC2016 # awk's own $ fields
    awk '
        FNR == 1 { file++ }
        file == 1 {  # mountinfo: root of each cgroup hierarchy -> its mount point
            for (i = 7; $i != "-"; i++) {}
            if ($4 != "/") next
            if ($(i + 1) == "cgroup2" && v2 == "") v2 = $5
            if ($(i + 1) == "cgroup") { n++; options[n] = "," $(i + 3) ","; point[n] = $5 }
            next
        }
        {  # /proc/self/cgroup: "ID:CONTROLLERS:PATH", CONTROLLERS empty for cgroup2
            path = substr($0, length($1) + length($2) + 3); sub(/\/$/, "", path)
            found = ""
            if ($2 == "") found = v2
            for (k = 1; $2 != "" && k <= n && found == ""; k++) {
                c = split($2, wanted, ","); ok = 1
                for (j = 1; j <= c; j++) if (index(options[k], "," wanted[j] ",") == 0) ok = 0
                if (ok) found = point[k]
            }
            if (found == "") { print "no mount for cgroup hierarchy \"" $2 "\"" | "cat >&2"; exit 1 }
            print found path
        }
    ' /proc/self/mountinfo FS=: /proc/self/cgroup
}

proc_starttime() { # PID -> field 22 of /proc/PID/stat (boot-relative start time; guards against pid reuse)
    local stat rest
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${stat##*) }
    local -a f
    read -r -a f <<<"$rest"
    [[ ${f[0]} != Z ]] || return 1
    printf '%s' "${f[19]}"
}

alive() { # PID STARTTIME -> true while that very process runs (not a zombie, not a reused pid)
    local t
    t=$(proc_starttime "$1") && [[ $t == "$2" ]]
}

wait_gone() { # PID STARTTIME SECONDS
    local deadline=$(($(now) + $3 * 1000000))
    while alive "$1" "$2"; do
        [[ $(now) -lt $deadline ]] || return 1
        sleep 0.05
    done
}

first_child() { # PID -> the pid of its first child, or nothing
    local child='' stat rest p
    local -a f
    if [[ -r /proc/$1/task/$1/children ]]; then
        read -r child _ <"/proc/$1/task/$1/children" || true
    else # kernels without CONFIG_PROC_CHILDREN: look for the parent pid in every /proc/PID/stat
        for p in /proc/[0-9]*; do
            read -r stat 2>/dev/null <"$p/stat" || continue
            rest=${stat##*) }
            read -r -a f <<<"$rest"
            if [[ ${f[1]} == "$1" ]]; then child=${p#/proc/} && break; fi
        done
    fi
    printf '%s' "$child"
}

state_dir() { printf '%s/%s' "$STATE_BASE" "$1"; }

# Prints the leader PID of a running testbed, or fails with a message.
leader_of() {
    local state pid start
    state=$(state_dir "$1")
    if [[ ! -r $state/leader ]]; then
        say "testbed '$1' is not running (no $state/leader)"
        return 3
    fi
    read -r pid start <"$state/leader"
    if ! alive "$pid" "$start"; then
        say "testbed '$1' is not running (leader $pid is gone); clean up with: $PROG stop $1"
        return 3
    fi
    printf '%s\n' "$pid"
}

# --- stop -------------------------------------------------------------------------------------------

# Lists this testbed's cgroup directories: the recorded ones and any found by name (a half-failed start).
testbed_cgroups() {
    local name=$1 state
    state=$(state_dir "$name")
    {
        [[ -r $state/cgroups ]] && cat "$state/cgroups"
        find /sys/fs/cgroup -maxdepth 6 -type d -name "$CGROUP_PREFIX$name" -prune -print 2>/dev/null
    } | sort -u
}

kill_cgroup() { # DIR: SIGKILL every process in DIR and below until it is empty (5 s at most)
    local dir=$1 deadline=$(($(now) + 5000000)) pids
    while :; do
        pids=$(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | tr '\n' ' ')
        [[ -z ${pids// /} ]] && return 0
        [[ $(now) -lt $deadline ]] || { say "processes still in $dir: $pids"; return 1; }
        # shellcheck disable=SC2086 # a list of pids
        kill -KILL $pids 2>/dev/null || true
        sleep 0.05
    done
}

remove_cgroup() { # DIR: rmdir depth-first, retrying while the kernel finishes releasing it (5 s at most)
    local dir=$1 deadline=$(($(now) + 5000000))
    while [[ -d $dir ]]; do
        find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [[ -d $dir ]] || return 0
        [[ $(now) -lt $deadline ]] || { say "cannot remove cgroup $dir"; return 1; }
        sleep 0.05
    done
}

# Waits up to SECONDS for the leader to exit, helping it along:
# * It continues every process that entered the testbed's pid namespace from outside (the parent half
#   of `nsenter`). systemd-shutdown freezes all processes with SIGSTOP before killing them; nsenter then
#   stops itself too, and a stopped nsenter never reaps its killed child, so the namespace and its PID 1
#   could never finish exiting.
# * Once systemd has stopped every unit and exec'd systemd-shutdown, that only kills leftovers and
#   unmounts (all private to the testbed); it waits up to 90 s for killed processes that are not its
#   children (commands run by `exec`), so after a 1 s grace it gets SIGKILL, which ends the namespace.
wait_leader() { # PID STARTTIME SECONDS
    local deadline=$(($(now) + $3 * 1000000)) p final=''
    while alive "$1" "$2"; do
        for p in /proc/[0-9]*; do
            if [[ $p/ns/pid_for_children -ef /proc/$1/ns/pid && ! $p/ns/pid -ef /proc/$1/ns/pid ]]; then
                kill -CONT "${p#/proc/}" 2>/dev/null || true
            fi
        done
        if [[ -z $final && $(cat "/proc/$1/comm" 2>/dev/null) == systemd-shutdow ]]; then
            final=$(($(now) + 1000000))
        fi
        if [[ -n $final && $(now) -ge $final ]]; then
            kill -KILL "$1" 2>/dev/null || true
            final=$deadline
        fi
        [[ $(now) -lt $deadline ]] || return 1
        sleep 0.05
    done
}

# Powers the testbed off and removes its cgroups and state; safe on a half-started or absent testbed.
teardown() {
    local name=$1 state rc=0 pid start cg
    state=$(state_dir "$name")
    if [[ -r $state/leader ]]; then
        read -r pid start <"$state/leader"
        if alive "$pid" "$start"; then
            if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == systemd ]]; then
                # SIGRTMIN+4 asks systemd for a clean poweroff.
                kill -s RTMIN+4 "$pid" 2>/dev/null || true
                if ! wait_leader "$pid" "$start" "$STOP_TIMEOUT"; then
                    say "testbed '$name' did not power off within ${STOP_TIMEOUT}s; killing it"
                    kill -KILL "$pid" 2>/dev/null || true
                fi
            else
                # Still building its root: a PID 1 without handlers ignores everything but SIGKILL.
                kill -KILL "$pid" 2>/dev/null || true
            fi
            wait_leader "$pid" "$start" 5 || { say "leader $pid survives SIGKILL"; rc=1; }
        fi
    fi
    # What is left (a start that failed before systemd ran, a unit that ignored poweroff, unshare
    # itself) is in the testbed's cgroups: kill it all.
    local -a cgroups
    mapfile -t cgroups < <(testbed_cgroups "$name")
    for cg in "${cgroups[@]}"; do
        [[ -d $cg ]] || continue
        kill_cgroup "$cg" || rc=1
    done
    if [[ -r $state/unshare ]]; then
        read -r pid start <"$state/unshare"
        if ! wait_gone "$pid" "$start" 2; then
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" "$start" 2 || { say "unshare $pid survives SIGKILL"; rc=1; }
        fi
    fi
    for cg in "${cgroups[@]}"; do
        [[ -d $cg ]] || continue
        remove_cgroup "$cg" || rc=1
    done
    if [[ -d $state ]]; then
        rm -rf --one-file-system -- "$state" || { say "cannot remove $state"; rc=1; }
    fi
    rmdir "$STATE_BASE" 2>/dev/null || true
    return "$rc"
}

cmd_stop() {
    [[ $# -eq 1 ]] || usage
    check_name "$1"
    require
    local t0 rc=0
    t0=$(now)
    teardown "$1" || rc=$?
    if [[ $rc -eq 0 ]]; then
        say "testbed '$1' stopped in $(seconds_since "$t0") s"
    else
        say "testbed '$1': stop left something behind (see above)"
    fi
    return "$rc"
}

# --- start ------------------------------------------------------------------------------------------

START_NAME=
START_STEP=
START_DONE=0
START_CREATED=0

start_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $START_DONE -ne 1 && $START_CREATED -eq 1 ]]; then
        say "start '$START_NAME' failed at step: $START_STEP; tearing down"
        teardown "$START_NAME" || say "teardown of '$START_NAME' incomplete"
    elif [[ $START_DONE -ne 1 ]]; then
        say "start '$START_NAME' failed at step: $START_STEP"
    fi
    [[ $rc -ne 0 || $START_DONE -eq 1 ]] || rc=1
    exit "$rc"
}

log_tail() { # STATE: the last lines of the testbed's logs, indented, for error messages
    local log
    for log in "$1/inner.log" "$1/console.log"; do
        [[ -s $log ]] || continue
        say "last lines of $log:"
        tail -n 20 "$log" | sed 's/^/    /' >&2
    done
}

cmd_start() {
    [[ $# -ge 1 ]] || usage
    local name=$1
    shift
    check_name "$name"
    START_NAME=$name
    START_STEP="check requirements"
    trap start_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    require all

    START_STEP="check --bind directories"
    local -a binds=()
    local dir
    while [[ $# -gt 0 ]]; do
        case $1 in
        --bind)
            [[ $# -ge 2 ]] || usage
            dir=$(realpath -e -- "$2" 2>/dev/null) || die "--bind $2: no such directory"
            [[ -d $dir ]] || die "--bind $2: not a directory"
            case $dir in
            / | /tmp | /run | /var | /var/tmp | /var/lib | /var/log | /var/cache | /var/spool | /home | /root)
                # systemd-tmpfiles would clean /tmp, /run and /var/tmp on the host through the bind.
                die "--bind $2: refusing $dir, a system directory the testbed's systemd manages; bind a subdirectory"
                ;;
            /etc | /etc/* | /usr | /usr/* | /bin | /bin/* | /sbin | /sbin/* | /lib | /lib/* | /lib[0-9x]* | /boot | /boot/*)
                die "--bind $2: refusing $dir: the testbed already sees the host image through its overlay, and a bind would let it write the host's copy"
                ;;
            /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | "$STATE_BASE" | "$STATE_BASE"/*)
                die "--bind $2: refusing $dir: the testbed has its own"
                ;;
            esac
            binds+=("$dir")
            shift 2
            ;;
        *) usage ;;
        esac
    done

    local t0 state
    t0=$(now)
    state=$(state_dir "$name")
    START_STEP="create state directory $state"
    local attempt
    for attempt in 1 2 3; do
        mkdir -p "$STATE_BASE"
        mkdir -m 0700 "$state" 2>/dev/null && break
        if [[ -e $state ]]; then
            say "testbed name '$name' is in use ($state exists); stop it with: $PROG stop $name"
            exit 73
        fi
        # Another testbed's stop removed the empty $STATE_BASE in between: try again.
        [[ $attempt -lt 3 ]] || die "cannot create $state"
    done
    START_CREATED=1
    mkdir "$state/root"
    # inner.log: what unshare and the root-building step print; console.log: the testbed's /dev/console.
    : >"$state/inner.log"
    : >"$state/console.log"

    START_STEP="create cgroups $CGROUP_PREFIX$name"
    local parent cg list
    local -a parents
    list=$(cgroup_parents)
    mapfile -t parents <<<"$list"
    for parent in "${parents[@]}"; do
        [[ ! -e $parent/$CGROUP_PREFIX$name ]] || die "cgroup $parent/$CGROUP_PREFIX$name already exists"
    done
    for parent in "${parents[@]}"; do
        cg=$parent/$CGROUP_PREFIX$name
        mkdir "$cg"
        printf '%s\n' "$cg" >>"$state/cgroups"
        if [[ -f $cg/cpuset.cpus ]]; then # v1 cpuset: a cgroup without cpus and mems takes no tasks
            cat "$parent/cpuset.cpus" >"$cg/cpuset.cpus"
            cat "$parent/cpuset.mems" >"$cg/cpuset.mems"
            echo 1 >"$cg/cgroup.clone_children"
        fi
    done

    START_STEP="enter cgroups and unshare namespaces"
    (
        while read -r cg; do printf '%s\n' "$BASHPID" >"$cg/cgroup.procs"; done <"$state/cgroups"
        # setsid: a Ctrl-C or hangup at the caller's terminal must not reach the testbed's PID 1.
        exec setsid unshare --pid --fork --mount --propagation private --uts --ipc --net --cgroup \
            -- "$SELF" __inner "$state" "${binds[@]}"
    ) </dev/null >>"$state/inner.log" 2>&1 &
    local upid=$! ustart leader='' lstart deadline
    deadline=$(($(now) + BOOT_TIMEOUT * 1000000))
    ustart=$(proc_starttime "$upid") || die "unshare exited at once"
    printf '%s %s\n' "$upid" "$ustart" >"$state/unshare"

    START_STEP="find the namespace leader"
    while [[ -z $leader ]]; do
        alive "$upid" "$ustart" || { log_tail "$state"; die "unshare exited before forking the leader"; }
        [[ $(now) -lt $deadline ]] || die "no leader after ${BOOT_TIMEOUT}s"
        [[ $(cat /proc/"$upid"/comm 2>/dev/null) != unshare ]] || leader=$(first_child "$upid")
        [[ -n $leader ]] || sleep 0.01
    done
    lstart=$(proc_starttime "$leader") || { log_tail "$state"; die "the leader exited at once"; }
    printf '%s %s\n' "$leader" "$lstart" >"$state/leader"

    START_STEP="build the root and exec systemd (inside; log: $state/inner.log)"
    until [[ $(cat "/proc/$leader/comm" 2>/dev/null) == systemd ]]; do
        alive "$leader" "$lstart" || { log_tail "$state"; die "the testbed exited while building its root"; }
        [[ $(now) -lt $deadline ]] || { log_tail "$state"; die "systemd not started after ${BOOT_TIMEOUT}s"; }
        sleep 0.01
    done

    START_STEP="boot systemd"
    until [[ -S /proc/$leader/root/run/systemd/private ]]; do
        alive "$leader" "$lstart" || { log_tail "$state"; die "systemd exited during boot"; }
        [[ $(now) -lt $deadline ]] || { log_tail "$state"; die "systemd has no control socket after ${BOOT_TIMEOUT}s"; }
        sleep 0.01
    done
    local left=$(((deadline - $(now)) / 1000000 + 1)) system_state
    system_state=$(timeout --kill-after=2 "$left" nsenter -t "$leader" -a -- \
        systemctl is-system-running --wait 2>/dev/null) || true
    case $system_state in
    running) ;;
    degraded)
        say "testbed '$name' is degraded; failed units:"
        nsenter -t "$leader" -a -- systemctl --failed --plain --no-legend --no-pager | sed 's/^/    /' >&2 || true
        ;;
    *)
        nsenter -t "$leader" -a -- systemctl list-jobs --no-pager 2>/dev/null | sed 's/^/    /' >&2 || true
        log_tail "$state"
        die "system state '${system_state:-unknown}' after ${BOOT_TIMEOUT}s (wanted running or degraded)"
        ;;
    esac
    START_DONE=1
    say "testbed '$name' $system_state in $(seconds_since "$t0") s (leader $leader, console $state/console.log)"
    printf '%s\n' "$leader"
}

# Runs as PID 1 of the new pid namespace, in fresh mount/uts/ipc/net/cgroup namespaces: builds the root
# on an overlay of the host's / and execs systemd. Its output goes to inner.log.
inner() {
    local state=$1
    shift
    local root=$state/root step
    trap 'printf "%s: inside the testbed: step failed: %s\n" "$PROG" "$step" >&2' ERR
    set -E

    step="overlay of / on a tmpfs upper"
    mount -t tmpfs -o mode=0755 tmpfs "$root"
    mkdir "$root/upper" "$root/work" "$root/merged"
    local m=$root/merged
    mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/work" "$m"
    # Every edit below goes to the overlay; refuse to go on if it is not one.
    [[ $(stat -f -c %T "$m") == overlayfs ]]

    step="fresh /proc, /proc/sys read-only except /proc/sys/net"
    mount -t proc -o nosuid,nodev,noexec proc "$m/proc"
    mount --bind "$m/proc/sys" "$m/proc/sys"
    mount -o remount,bind,ro,nosuid,nodev,noexec "$m/proc/sys"
    mount --bind "$m/proc/sys/net" "$m/proc/sys/net"
    mount -o remount,bind,rw,nosuid,nodev,noexec "$m/proc/sys/net"
    local p
    for p in sysrq-trigger irq bus; do
        [[ -e $m/proc/$p ]] || continue
        mount --bind "$m/proc/$p" "$m/proc/$p"
        mount -o remount,bind,ro "$m/proc/$p"
    done

    step="read-only /sys"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$m/sys"

    step="private /dev"
    mount -t tmpfs -o mode=0755,nosuid,size=1m tmpfs "$m/dev"
    local d
    for d in null zero full random urandom tty; do
        : >"$m/dev/$d"
        mount --bind "/dev/$d" "$m/dev/$d"
    done
    mkdir -m 0755 "$m/dev/pts"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$m/dev/pts"
    ln -s pts/ptmx "$m/dev/ptmx"
    mkdir -m 1777 "$m/dev/shm"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$m/dev/shm"
    ln -s /proc/self/fd "$m/dev/fd"
    ln -s /proc/self/fd/0 "$m/dev/stdin"
    ln -s /proc/self/fd/1 "$m/dev/stdout"
    ln -s /proc/self/fd/2 "$m/dev/stderr"
    : >"$m/dev/console"
    mount --bind "$state/console.log" "$m/dev/console"

    step="tmpfs /run and /tmp"
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$m/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$m/tmp"

    for d in "$@"; do
        step="--bind $d"
        mkdir -p "$m$d"
        mount --rbind "$d" "$m$d"
    done

    step="drop the host's enabled units, mask units, default target, machine-id, hostname"
    find "$m/etc/systemd/system" \( -path '*.wants/*' -o -path '*.requires/*' \) -type l -delete
    local u
    for u in "${MASKED_UNITS[@]}"; do ln -sfn /dev/null "$m/etc/systemd/system/$u"; done
    ln -sfn /lib/systemd/system/multi-user.target "$m/etc/systemd/system/default.target"
    local id
    id=$(tr -d '-' <"$m/proc/sys/kernel/random/uuid")
    rm -f "$m/etc/machine-id" "$m/var/lib/dbus/machine-id"
    printf '%s\n' "$id" >"$m/etc/machine-id"
    chmod 0444 "$m/etc/machine-id"
    [[ ! -d $m/var/lib/dbus ]] || ln -s /etc/machine-id "$m/var/lib/dbus/machine-id"
    printf 'chainbot-testbed\n' >"$m/etc/hostname" # systemd sets it at boot, in the private UTS namespace

    step="loopback up"
    ip link set lo up

    step="pivot_root"
    mkdir "$m/.testbed-oldroot"
    cd "$m"
    pivot_root . .testbed-oldroot
    cd /
    umount -l /.testbed-oldroot
    rmdir /.testbed-oldroot

    step="exec systemd"
    exec env -i container=chainbot-testbed LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        setpriv --bounding-set "$DROP_CAPS" -- "$SYSTEMD"
}

# --- exec, pid, status, run -------------------------------------------------------------------------

cmd_exec() {
    [[ $# -ge 2 ]] || usage
    check_name "$1"
    require
    command -v nsenter >/dev/null || { say "'nsenter' is not installed (util-linux)"; exit 2; }
    local leader
    leader=$(leader_of "$1") || exit
    shift
    # A clean environment (the caller's PATH aside); the working directory is the testbed's /.
    exec nsenter -t "$leader" -a -- env -i container=chainbot-testbed LANG=C.UTF-8 HOME=/root \
        "TERM=${TERM:-dumb}" "PATH=${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}" \
        setpriv --bounding-set "$DROP_CAPS" -- "$@"
}

cmd_pid() {
    [[ $# -eq 1 ]] || usage
    check_name "$1"
    require
    leader_of "$1" || exit
}

cmd_status() {
    [[ $# -eq 1 ]] || usage
    check_name "$1"
    require
    local leader system_state
    leader=$(leader_of "$1") || exit
    system_state=$(nsenter -t "$leader" -a -- systemctl is-system-running 2>/dev/null) || true
    printf '%s: leader %s, system %s\n' "$1" "$leader" "${system_state:-unknown}"
}

cmd_run() {
    [[ $# -ge 1 ]] || usage
    local name=$1
    shift
    local -a start_args=("$name")
    while [[ $# -gt 0 && $1 != -- ]]; do
        [[ $1 == --bind && $# -ge 2 ]] || usage
        start_args+=("$1" "$2")
        shift 2
    done
    [[ $# -ge 2 && $1 == -- ]] || usage
    shift
    check_name "$name"
    local rc=0 child=''
    # Stop on every way out; INT/TERM reach us while we wait (CMD runs in the background for that).
    trap 'trap - EXIT; [[ -z $child ]] || kill -TERM "$child" 2>/dev/null || true; "$SELF" stop "$name" || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "$SELF" start "${start_args[@]}" >/dev/null || rc=$?
    if [[ $rc -ne 0 ]]; then
        # 73: the name belongs to another testbed, which is not ours to stop.
        [[ $rc -ne 73 ]] || trap - EXIT
        exit "$rc"
    fi
    "$SELF" exec "$name" "$@" <&0 &
    child=$!
    wait "$child" || rc=$?
    child=''
    exit "$rc"
}

main() {
    [[ $# -ge 1 ]] || usage
    local command=$1
    shift
    case $command in
    start) cmd_start "$@" ;;
    exec) cmd_exec "$@" ;;
    pid) cmd_pid "$@" ;;
    status) cmd_status "$@" ;;
    stop) cmd_stop "$@" ;;
    run) cmd_run "$@" ;;
    __inner) inner "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
    esac
}

main "$@"
