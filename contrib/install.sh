#!/usr/bin/env bash
# chainbot installer: places a built chainbot binary, the agent's systemd unit, the configuration and
# state directories, and the bash and zsh completions. Idempotent: a second run changes nothing and says
# "unchanged"; a file that differs is replaced atomically, a wrong mode is corrected, and an existing
# config.yaml is never overwritten.
#
#   contrib/install.sh [--binary PATH] [--unit PATH] [--root DIR]
#
#   --binary PATH   the chainbot to install (default: .build/release/chainbot of this checkout; build it
#                   with: swift build -c release --static-swift-stdlib --product chainbot)
#   --unit PATH     the agent unit (default: contrib/systemd/chainbot-agent.service; skipped with a note
#                   when it does not exist)
#   --root DIR      install under DIR instead of / (an image, or a test); needs no root
#
# What goes where (under DIR with --root):
#   /usr/local/bin/chainbot                              0755
#   /etc/systemd/system/chainbot-agent.service           0644 (not enabled: systemctl enable --now chainbot-agent)
#   /etc/chainbot/                                       0755
#   /etc/chainbot/config.yaml                            0644 (commented defaults; kept once it exists)
#   /etc/chainbot/manifests/                             0755 (your manifests)
#   /etc/chainbot/secrets/                               0700 (files for secretRef; never in snapshots)
#   /var/lib/chainbot/                                   0700 (the state file)
#   /usr/share/bash-completion/completions/chainbot      0644
#   /usr/share/zsh/vendor-completions/_chainbot          0644
#
# Run time needs only libc, libyaml-0-2 and libsqlite3-0 (apt-get install libyaml-0-2 libsqlite3-0).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/.build/release/chainbot"
unit="$repo/contrib/systemd/chainbot-agent.service"
root=""

usage() {
    echo "usage: contrib/install.sh [--binary PATH] [--unit PATH] [--root DIR]" >&2
    exit 64
}
while [ $# -gt 0 ]; do
    case "$1" in
        --binary | --unit | --root)
            [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: $1 needs a value" >&2; usage; }
            case "$1" in
                --binary) binary="$2" ;;
                --unit) unit="$2" ;;
                --root) root="${2%/}" ;;
            esac
            shift 2
            ;;
        --binary=* | --unit=* | --root=*)
            value="${1#*=}"
            case "$1" in
                --binary=*) binary="$value" ;;
                --unit=*) unit="$value" ;;
                --root=*) root="${value%/}" ;;
            esac
            shift
            ;;
        -h | --help)
            sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "install.sh: unknown option '$1'" >&2
            usage
            ;;
    esac
done

if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
    echo "install.sh: no executable chainbot at $binary" >&2
    echo "  build it: swift build -c release --static-swift-stdlib --product chainbot (or give --binary PATH)" >&2
    exit 1
fi
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: installing into / needs root: sudo contrib/install.sh (or --root DIR for a directory)" >&2
    exit 1
fi
if [ -n "$root" ] && [ ! -d "$root" ]; then
    echo "install.sh: --root $root is not a directory" >&2
    exit 1
fi

changed=0
unchanged=0
work="$(mktemp -d "${TMPDIR:-/tmp}/chainbot-install-XXXXXX")"
trap 'rm -rf "$work"' EXIT

say() { printf '%-10s %s\n' "$1" "$2"; }
mode_of() { stat -c '%a' "$1"; }

# ensure_dir PATH MODE: the directory exists with exactly MODE.
ensure_dir() {
    local path="$root$1" mode="$2"
    if [ -d "$path" ]; then
        if [ "$(mode_of "$path")" = "${mode#0}" ]; then
            unchanged=$((unchanged + 1))
            say unchanged "$1/"
        else
            chmod "$mode" "$path"
            changed=$((changed + 1))
            say "mode $mode" "$1/"
        fi
    else
        mkdir -p "$path"
        chmod "$mode" "$path"
        changed=$((changed + 1))
        say created "$1/"
    fi
}

# ensure_file SOURCE PATH MODE [keep]: PATH has SOURCE's bytes and exactly MODE; with "keep", an existing
# PATH keeps its bytes. A new version goes in beside the old one and is renamed over it (atomic, and a
# running binary is not disturbed).
ensure_file() {
    local source="$1" path="$root$2" mode="$3" keep="${4:-}"
    if [ -f "$path" ] && { [ -n "$keep" ] || cmp -s "$source" "$path"; }; then
        if [ "$(mode_of "$path")" = "${mode#0}" ]; then
            unchanged=$((unchanged + 1))
            say unchanged "$2"
        else
            chmod "$mode" "$path"
            changed=$((changed + 1))
            say "mode $mode" "$2"
        fi
        return
    fi
    local verb=installed
    [ -e "$path" ] && verb=updated
    mkdir -p "$(dirname "$path")"
    install -m "$mode" "$source" "$path.chainbot-new"
    mv -f "$path.chainbot-new" "$path"
    changed=$((changed + 1))
    say "$verb" "$2"
}

ensure_file "$binary" /usr/local/bin/chainbot 0755
installed="$root/usr/local/bin/chainbot"

if [ -f "$unit" ]; then
    ensure_file "$unit" /etc/systemd/system/chainbot-agent.service 0644
else
    say skipped "/etc/systemd/system/chainbot-agent.service (no unit at $unit in this checkout yet)"
fi

ensure_dir /etc/chainbot 0755
cat >"$work/config.yaml" <<'EOF'
# chainbot configuration (chainbot agent --config, default /etc/chainbot/config.yaml).
# Keys are the long flag names; flags given on the command line win; SIGHUP reads this file again.
# A line starting with '#' and a key is an example: remove the '#' to use it.
#
#filename: [/etc/chainbot/manifests]
#state: /var/lib/chainbot/state.db
#alexos-url: http://127.0.0.1:8000
# ALEX OS's event bus (docs/alexos.md): publish every event there too, take reconcile_requests.
#event-bus-url: ws://127.0.0.1:8000/ws/events
#
# A fleet (docs/fleet.md): who this host is, for metadata.hostSelector (default: the kernel's host name).
#host: pi-kitchen
#labels: {ring: canary, room: kitchen}
#
# Follow the git clone the manifests are in: fetch and fast-forward every interval (+-10 %).
#git-pull: 1m
# The remote branch to follow (default: the checked-out branch's upstream); canaries follow another.
#git-branch: main
# Fetch from these in order, the first that answers serves (default: the upstream's remote).
#git-remotes: [ssh://git@git1.example.org/fleet.git, https://git2.example.org/fleet.git]
# Apply only commits that git verify-commit accepts; a refused one is a GitVerifyFailed event.
#git-verify: true
# Whose SSH signatures are trusted (ssh-keygen allowed_signers); without it, GNUPGHOME's GPG keyring.
#git-allowed-signers: /etc/chainbot/allowed_signers
EOF
ensure_file "$work/config.yaml" /etc/chainbot/config.yaml 0644 keep
ensure_dir /etc/chainbot/manifests 0755
ensure_dir /etc/chainbot/secrets 0700
ensure_dir /var/lib/chainbot 0700

# Completions come from the installed binary itself, so they always match it. Running it also checks
# that the runtime libraries are there.
if "$installed" completion bash >"$work/chainbot.bash" 2>"$work/error" &&
    "$installed" completion zsh >"$work/_chainbot" 2>>"$work/error"; then
    ensure_file "$work/chainbot.bash" /usr/share/bash-completion/completions/chainbot 0644
    ensure_file "$work/_chainbot" /usr/share/zsh/vendor-completions/_chainbot 0644
else
    say skipped "completions: $installed does not run here ($(head -n 1 "$work/error"))"
    echo "           if a library is missing: apt-get install libyaml-0-2 libsqlite3-0" >&2
fi

if [ "$changed" -eq 0 ]; then
    echo "chainbot install: unchanged ($unchanged in place)"
else
    echo "chainbot install: $changed changed, $unchanged unchanged"
    if [ -z "$root" ] && [ -d /run/systemd/system ] && [ -f "$unit" ]; then
        systemctl daemon-reload
        echo "next: put manifests in /etc/chainbot/manifests, then: systemctl enable --now chainbot-agent"
    fi
fi
