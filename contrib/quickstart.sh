#!/usr/bin/env bash
# chainbot quickstart: installs what chainbot needs on Debian, builds it, and shows it at work.
#
#   contrib/quickstart.sh          (as root, or a user with sudo, on Debian 12 / Raspberry Pi OS)
#
# 1. Validates the example manifests of the ALEX OS Pi (manifests/) and a deliberately broken copy.
# 2. As root, on a machine with systemd installed: boots a throwaway "Pi" (a real systemd as PID 1 in
#    namespaces, contrib/testbed), starts the ALEX OS simulator in it, installs chainbot there with
#    contrib/install.sh, applies contrib/quickstart/manifests (a service, its config, its port, a
#    firewall, an agent registered in ALEX OS, a Watchtower target), starts the agent, suspends and breaks
#    the service on purpose, shows the diff, resumes, and watches the agent heal it. Then tears
#    everything down.
#
# It changes nothing on the host beyond installing packages: the broken copy lives in a temporary
# directory and the throwaway Pi is removed on exit, also on failure. CHAINBOT_BIN=PATH uses an
# existing chainbot build (its chainbot-alexos-sim beside it) instead of building.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    say() { printf '\n== %s\n' "$*"; }
fi

# Runs a `swift build`, showing its progress: every 25th "[n/total] Compiling" step (all of them on a
# terminal, on one line), every warning and error in full, and the build's own exit status.
build() {
    local count=0 line status
    set +e
    "$@" 2>&1 | while IFS= read -r line; do
        case "$line" in
        \[*/*\]*)
            count=$((count + 1))
            if [ -t 1 ]; then
                printf '\r\033[K%.*s' "${COLUMNS:-100}" "$line"
            elif [ $((count % 25)) -eq 1 ]; then
                printf '%s\n' "$line"
            fi
            ;;
        *) [ -t 1 ] && printf '\r\033[K'; printf '%s\n' "$line" ;;
        esac
    done
    status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] || { echo "quickstart: the build failed (exit $status): $*" >&2; exit "$status"; }
}

packages=(libyaml-dev libsqlite3-dev git python3 nftables)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "quickstart: installing ${missing[*]} needs root: run this as root, or install sudo" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    # Quiet: apt's own output only when it fails.
    apt_log=$(mktemp)
    if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        echo "quickstart: installing ${missing[*]} failed" >&2
        exit 1
    fi
    rm -f "$apt_log"
fi
if [ -n "${CHAINBOT_BIN:-}" ]; then
    chainbot="$(realpath -e "$CHAINBOT_BIN")"
else
    command -v swift >/dev/null || {
        echo "quickstart: the Swift 6 toolchain is not on PATH (see https://www.swift.org/install/linux/)" >&2
        exit 1
    }
    # The same release build as .ci/run's (same flags): running both compiles it once, not twice.
    say "building chainbot and the ALEX OS simulator (release; the first build takes about 5-8 minutes on 2 cores, later ones seconds)"
    build swift build -c release --static-swift-stdlib --product chainbot -Xswiftc -warnings-as-errors
    build swift build -c release --static-swift-stdlib --product chainbot-alexos-sim -Xswiftc -warnings-as-errors
    chainbot="$root/.build/release/chainbot"
fi
simulator="$(dirname "$chainbot")/chainbot-alexos-sim"

say "validating the desired state of the ALEX OS Pi: chainbot validate manifests/"
"$chainbot" validate manifests/

work="$(mktemp -d /tmp/chainbot-quickstart-XXXXXX)"
testbed=""
cleanup() {
    if [ -n "$testbed" ]; then contrib/testbed/testbed.sh stop "$testbed" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cp -r manifests "$work/manifests"
# Break it the way people do: a typo, a YAML 1.1 boolean, an unquoted mode, a second listener on 9000,
# and a rule that would lock SSH (5420) out.
sed -i 's/^  enabled: true/  enabeld: true/' "$work/manifests/chainbot.yaml"
sed -i 's/^    noNewPrivileges: true/    noNewPrivileges: yes/' "$work/manifests/alexos.yaml"
sed -i 's/^  mode: "0600"/  mode: 0600/' "$work/manifests/chainbot.yaml"
cat >>"$work/manifests/firewall.yaml" <<'YAML'
---
apiVersion: chainbot.dev/v1
kind: FirewallRule
metadata:
  name: block-ssh-scanners
spec:
  action: drop
  ports: [22, 5000-5500]
YAML
cat >"$work/manifests/debug.yaml" <<'YAML'
apiVersion: chainbot.dev/v1
kind: Port
metadata:
  name: chainbot-debug
spec:
  port: 9000
  address: 127.0.0.1
  owner: Service/chainbot
YAML

say "the same manifests, broken on purpose: every problem at once, nothing applied (exit 65)"
set +e
(cd "$work" && "$chainbot" validate manifests/)
status=$?
set -e
echo "exit status: $status"

say "the schema behind those checks: chainbot explain Port"
"$chainbot" explain Port

if [ "$(id -u)" -ne 0 ] || [ ! -x /lib/systemd/systemd ] || [ ! -x "$simulator" ]; then
    say "skipped the live part: it needs root, systemd installed and chainbot-alexos-sim beside chainbot"
    say "done: chainbot --help lists the commands"
    "$chainbot" --help | sed -n '1,3p'
    exit 0
fi

testbed="quickstart$$"
say "booting a throwaway Pi: a real systemd as PID 1 in namespaces (contrib/testbed)"
contrib/testbed/testbed.sh start "$testbed" --bind "$root" >/dev/null
pi() { contrib/testbed/testbed.sh exec "$testbed" "$@"; }
alexos=http://127.0.0.1:8000
cb() { pi env CHAINBOT_ALEXOS_URL="$alexos" CHAINBOT_WATCHTOWER_RELOAD= NO_COLOR=1 chainbot "$@"; }

say "ALEX OS: the simulator on $alexos inside it (contrib/alexos-sim)"
pi systemd-run --quiet --unit=alexos-sim --property=Type=exec "$simulator" --listen 127.0.0.1:8000

say "installing chainbot as on a real Pi: contrib/install.sh"
pi "$root/contrib/install.sh" --binary "$chainbot"
pi cp -r "$root/contrib/quickstart/manifests/." /etc/chainbot/manifests/
pi sh -c 'cat > /etc/chainbot/config.yaml' <<YAML
filename: [/etc/chainbot/manifests]
resync: 5s
alexos-url: $alexos
YAML
pi sh -c 'mkdir -p /etc/systemd/system/chainbot-agent.service.d && printf "[Service]\nEnvironment=CHAINBOT_WATCHTOWER_RELOAD=\n" > /etc/systemd/system/chainbot-agent.service.d/quickstart.conf'

say "what would change: chainbot diff -f /etc/chainbot/manifests (exit 1: differences)"
cb diff -f /etc/chainbot/manifests || true

say "apply it: chainbot apply -f /etc/chainbot/manifests"
cb apply -f /etc/chainbot/manifests

say "keep it that way: systemctl enable --now chainbot-agent"
pi systemctl daemon-reload
pi systemctl enable --now chainbot-agent.service
pi systemctl status --no-pager --lines=0 chainbot-agent.service | sed -n '1,4p'

say "chainbot status"
cb status || true

revisions=$(cb history -o json | grep -c '"revision"' || true)
# The agent watches what it owns and heals a hand change within a fraction of a second; to show the drift
# first, the two resources are suspended (held as they are) while they are broken.
say "breaking it on purpose, the agent held off: chainbot suspend Service/chainbot and ConfigFile/chainbot-env"
cb suspend Service/chainbot --for 10m --reason "quickstart: showing a drift"
cb suspend ConfigFile/chainbot-env --for 10m --reason "quickstart: showing a drift"
pi systemctl stop chainbot.service
pi sh -c 'echo CHAINBOT_PORT=9001 > /etc/chainbot-demo/chainbot.env'
say "chainbot diff shows exactly what drifted"
cb diff -f /etc/chainbot/manifests || true

say "chainbot resume: the agent heals them at once (it watches what it owns; the resync, 5 s here and 60 s by default, is the safety net)"
cb resume Service/chainbot
cb resume ConfigFile/chainbot-env
healed=no
for _ in $(seq 1 60); do
    # Healed = the agent recorded a new revision and everything reads Synced and Healthy again.
    now=$(cb history -o json | grep -c '"revision"' || true)
    if [ "$now" -gt "$revisions" ] && cb status >/dev/null 2>&1; then
        healed=yes
        break
    fi
    sleep 0.5
done
cb status || true
[ "$healed" = yes ] || { echo "quickstart: the agent did not heal the service" >&2; exit 1; }

say "what happened, as events: chainbot events --since 5m"
cb events --since 5m

say "what ALEX OS received (the simulator's record)"
pi python3 -c 'import json, urllib.request as u
agents = json.load(u.urlopen("'"$alexos"'/api/agents/canon"))["agents"]
events = json.load(u.urlopen("'"$alexos"'/_sim/events"))
events = events.get("events", events) if isinstance(events, dict) else events
print("registered agents:", ", ".join(str(a.get("agent_name") or a.get("name") or a.get("id")) for a in agents))
print("events received:", len(events))'

say "done: the throwaway Pi is removed now. On a real Pi: README.md, \"The agent on a Pi\""
