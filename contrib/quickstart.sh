#!/usr/bin/env bash
# chainbot quickstart: installs what chainbot needs on Debian, builds it, and shows it at work on the
# example manifests of the ALEX OS Pi (manifests/) and on a deliberately broken copy of them.
#
#   contrib/quickstart.sh          (as root, or a user with sudo, on Debian 12 / Raspberry Pi OS)
#
# It changes nothing on the host beyond installing packages: the broken copy lives in a temporary
# directory that is removed on exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    say() { printf '\n== %s\n' "$*"; }
fi

packages=(libyaml-dev libsqlite3-dev git)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || {
    echo "quickstart: the Swift 6 toolchain is not on PATH (see https://www.swift.org/install/linux/)" >&2
    exit 1
}

say "building chainbot (release)"
swift build -c release --product chainbot 2>&1 | tail -1
chainbot="$root/.build/release/chainbot"

say "validating the desired state of the ALEX OS Pi: chainbot validate manifests/"
"$chainbot" validate manifests/

work="$(mktemp -d /tmp/chainbot-quickstart-XXXXXX)"
trap 'rm -rf "$work"' EXIT
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

say "done: chainbot --help lists the commands"
