#!/usr/bin/env bash
# Captures what chainbot reads from this host into DIR, in the layout `chainbot snapshot DIR` writes (a host
# root, like fixtures/hosts/*), for a Pi that has no chainbot yet. Attach DIR (tar it) to a bug report, or
# compare manifests with it offline: chainbot diff --root DIR -f manifests/
#
#   contrib/snapshot.sh [--unit NAME]... [--file PATH]... [--disk PATH]... [--watchtower-targets FILE] [--root SRC] DIR
#
#   --unit NAME   also record `systemctl show NAME` (repeatable; e.g. chainbot.service)
#   --file PATH   also copy PATH (repeatable; e.g. a config file a ConfigFile manifest manages)
#   --disk PATH   also record free space of PATH (/ and /boot/firmware always are)
#   --watchtower-targets FILE  Watchtower's targets file (default $CHAINBOT_WATCHTOWER_TARGETS, else
#                 /opt/alexos/watchtower/targets.yaml)
#   --root SRC    copy from an image or another snapshot under SRC instead of this host (runs no command)
#
# Files keep their mode, owner and group (ids, with /etc/passwd and /etc/group copied beside them), so
# diff --root DIR sees what diff sees on the host. Run it as root for complete output (nft needs it, and
# only root can keep other users' files and owners). Nothing under /etc/chainbot/secrets is copied, and
# Environment= values with secret-looking names (TOKEN, SECRET, PASSWORD, KEY, ...) in unit files are
# replaced by REDACTED. /proc/cpuinfo holds the board's serial number.
set -uo pipefail

units=()
files=()
disks=(/ /boot/firmware)
watchtower_targets="${CHAINBOT_WATCHTOWER_TARGETS:-/opt/alexos/watchtower/targets.yaml}"
source_root=""
target=""
usage() {
    echo "usage: contrib/snapshot.sh [--unit NAME]... [--file PATH]... [--disk PATH]... [--watchtower-targets FILE] [--root SRC] DIR" >&2
    exit 64
}
while [ $# -gt 0 ]; do
    case "$1" in
        --unit | --file | --disk | --watchtower-targets | --root)
            [ $# -ge 2 ] || usage
            case "$1" in
                --unit) units+=("$2") ;;
                --watchtower-targets) watchtower_targets="$2" ;;
                --file) files+=("$2") ;;
                --disk) disks+=("$2") ;;
                --root) source_root="${2%/}" ;;
            esac
            shift 2
            ;;
        -h | --help)
            sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "snapshot.sh: unknown option '$1'" >&2
            usage
            ;;
        *)
            [ -z "$target" ] || usage
            target="$1"
            shift
            ;;
    esac
done
[ -n "$target" ] || usage
if [ -e "$target" ] && { [ ! -d "$target" ] || [ -n "$(ls -A "$target")" ]; }; then
    echo "snapshot.sh: $target exists and is not empty; give a new or empty directory (nothing was written)" >&2
    exit 64
fi
mkdir -p "$target" || exit 2
target="$(cd "$target" && pwd)"
started="$(date +%s%N)"

copied=0
recorded=0
missed=()
withheld=()
redacted=()
owners=()

# keep ORIGINAL COPY: the copy gets the original's mode, and its owner and group when they differ.
keep() {
    chmod "$(stat -c '%a' "$1")" "$2"
    local owner
    owner="$(stat -c '%u:%g' "$1")"
    [ "$owner" = "$(stat -c '%u:%g' "$2")" ] || chown "$owner" "$2" 2>/dev/null ||
        owners+=("${2#"$target"}: $owner (not root)")
}

# copy PATH [link]: the file's bytes at the same path under the snapshot, if it is there, with its mode,
# owner and group; with "link", a symbolic link is copied as the link.
copy() {
    local path="$1"
    case "$path" in
        /etc/chainbot/secrets | /etc/chainbot/secrets/*)
            withheld+=("$path")
            return 1
            ;;
    esac
    if [ "${2:-}" = link ] && [ -L "$source_root$path" ]; then
        mkdir -p "$target$(dirname "$path")"
        ln -sfn "$(readlink "$source_root$path")" "$target$path" && copied=$((copied + 1))
        return 0
    fi
    [ -e "$source_root$path" ] || return 1
    mkdir -p "$target$(dirname "$path")"
    if cat "$source_root$path" >"$target$path" 2>/dev/null; then
        [ -L "$source_root$path" ] || keep "$source_root$path" "$target$path"
        copied=$((copied + 1))
    else
        rm -f "$target$path"
        missed+=("$path: cannot be read")
        return 1
    fi
}

# redact FILE: replaces the values of secret-looking Environment= assignments; prints the names.
redact() {
    awk '
        function fix(word,   quote, equals, name) {
            quote = substr(word, 1, 1)
            if (quote != "\"" && quote != "\047") quote = ""
            equals = index(word, "=")
            if (equals == 0) return word
            name = substr(word, length(quote) + 1, equals - length(quote) - 1)
            if (toupper(name) !~ /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL|PRIVATE|AUTH/) return word
            print name > "/dev/stderr"
            return substr(word, 1, equals) "REDACTED" quote
        }
        /^[ \t]*Environment=/ {
            match($0, /^[ \t]*/)
            indent = substr($0, 1, RLENGTH)
            rest = substr($0, RLENGTH + 13)
            n = 0; word = ""; quote = ""
            for (i = 1; i <= length(rest); i++) {
                c = substr(rest, i, 1)
                if (quote != "") { word = word c; if (c == quote) quote = ""; continue }
                if (c == " ") { if (word != "") words[++n] = word; word = ""; continue }
                if (c == "\"" || c == "\047") quote = c
                word = word c
            }
            if (word != "") words[++n] = word
            line = indent "Environment="
            for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") fix(words[i])
            print line
            next
        }
        { print }
    ' "$1"
}

# Accounts first (owners are kept by id; these say the names), then hardware, names, boot config, sockets.
copy /etc/group
copy /etc/passwd
copy /proc/device-tree/model || copy /sys/firmware/devicetree/base/model
for path in /proc/cpuinfo /proc/meminfo /proc/loadavg /proc/uptime /proc/sys/kernel/hostname /etc/hostname \
    /etc/hosts /etc/os-release /boot/firmware/config.txt /boot/config.txt \
    /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
    copy "$path"
done
for zone in "$source_root"/sys/class/thermal/thermal_zone*; do
    [ -e "$zone" ] || continue
    copy "/sys/class/thermal/$(basename "$zone")/temp"
    copy "/sys/class/thermal/$(basename "$zone")/type"
done
for path in "${files[@]}" "$watchtower_targets"; do copy "$path" link; done

# Unit files, drop-ins and enablement links (links stay links).
if [ -d "$source_root/etc/systemd/system" ]; then
    while IFS= read -r -d '' entry; do
        path="${entry#"$source_root"}"
        mkdir -p "$target$(dirname "$path")"
        if [ -L "$entry" ]; then
            ln -sfn "$(readlink "$entry")" "$target$path" && copied=$((copied + 1))
        elif [ -f "$entry" ]; then
            if names="$(redact "$entry" 2>&1 >"$target$path")"; then
                keep "$entry" "$target$path"
                copied=$((copied + 1))
                for name in $names; do redacted+=("$path: $name"); done
            else
                missed+=("$path: cannot be read")
            fi
        fi
    done < <(find "$source_root/etc/systemd/system" -mindepth 1 \( -type f -o -type l \) -print0 | sort -z)
fi

if [ -z "$source_root" ]; then
    # Free space: PATH TOTAL_BYTES AVAILABLE_BYTES (statvfs: fragment size times blocks, as non-root sees it).
    : >"$target/statvfs"
    for path in "${disks[@]}"; do
        [ -e "$path" ] || continue
        stat -f -c "$path %S %b %a" "$path" | awk '{ printf "%s %d %d\n", $1, $2 * $3, $2 * $4 }' >>"$target/statvfs"
    done
    copied=$((copied + 1))

    # record NAME COMMAND...: the command's stdout in commands/NAME.txt when it succeeds.
    mkdir -p "$target/commands"
    record() {
        local name="$1"
        shift
        if ! command -v "$1" >/dev/null 2>&1; then
            missed+=("$*: $1 is not installed")
            return 1
        fi
        if timeout 10 "$@" >"$target/commands/$name.txt" 2>"$target/commands/.error"; then
            recorded=$((recorded + 1))
        else
            missed+=("$*: failed ($(head -n 1 "$target/commands/.error"))")
            rm -f "$target/commands/$name.txt"
            return 1
        fi
    }
    if record vcgencmd-get_throttled vcgencmd get_throttled; then
        mkdir -p "$target/vcgencmd"
        cp "$target/commands/vcgencmd-get_throttled.txt" "$target/vcgencmd/get_throttled"
        copied=$((copied + 1))
    fi
    [ "${#units[@]}" -eq 0 ] || record systemctl-show systemctl show -- "${units[@]}"
    record systemctl-list-units systemctl list-units --type=service --all --no-pager --plain
    record nft-list-ruleset nft -j list ruleset
    record ss-ltnup ss -ltnup
    rm -f "$target/commands/.error"
else
    copy /statvfs
    copy /vcgencmd/get_throttled
    for path in "$source_root"/commands/*; do
        [ -f "$path" ] && copy "/commands/$(basename "$path")"
    done
fi

{
    echo "chainbot snapshot (contrib/snapshot.sh), taken $(date -u +%Y-%m-%dT%H:%M:%SZ) of ${source_root:-this host}"
    echo "$copied files at their host paths, $recorded command outputs in commands/"
    echo "statvfs: PATH TOTAL_BYTES AVAILABLE_BYTES per line; vcgencmd/get_throttled: its output."
    option=""
    [ "$watchtower_targets" = /opt/alexos/watchtower/targets.yaml ] || option=" --watchtower-targets $watchtower_targets"
    echo "Watchtower's targets file: $watchtower_targets; owners and groups by the names in etc/passwd, etc/group."
    echo "Compare offline: chainbot diff --root THIS_DIRECTORY$option -f MANIFESTS"
    section() {
        local title="$1"
        shift
        [ $# -gt 0 ] || return 0
        printf '\n%s:\n' "$title"
        printf '  %s\n' "$@"
    }
    section "not captured" "${missed[@]}"
    section "withheld (secrets)" "${withheld[@]}"
    section "redacted Environment= values" "${redacted[@]}"
    section "owner or group not kept (the snapshot's differs from the host's)" "${owners[@]}"
} >"$target/SNAPSHOT.txt"

elapsed=$((($(date +%s%N) - started) / 1000000))
echo "snapshot of ${source_root:-this host} in $target: $copied files, $recorded command outputs ($elapsed ms)"
[ "${#missed[@]}" -eq 0 ] || echo "not captured: see $target/SNAPSHOT.txt"
echo "compare offline: chainbot diff --root $target$option -f MANIFESTS"
