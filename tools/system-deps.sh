#!/usr/bin/env bash
# The machine's own programs the test suites need: what examples/split_and_stitch.yaml runs with the
# shell runtime (ffmpeg and ffprobe, jq, python, the AWS CLI), util-linux's unshare/setpriv (mounts) and
# runuser (a private PostgreSQL cluster), what the reference HTTP workers use (curl, jq, python3
# with requests), and what the container runtime's tests run on (podman with runc, and busybox and a
# static bash for the local test image; tools/podman-setup.sh builds it).
# Installs what is missing from Debian's packages when it can (root with apt-get); otherwise says what
# to install and fails. Quick when everything is there: `npm test` runs it first.
set -euo pipefail

declare -A package_of=([ffmpeg]=ffmpeg [ffprobe]=ffmpeg [jq]=jq [python]=python-is-python3 [aws]=awscli [unshare]=util-linux [setpriv]=util-linux [runuser]=util-linux [shuf]=coreutils [curl]=curl [setsid]=util-linux [podman]=podman [runc]=runc [busybox]=busybox-static [bash-static]=bash-static)
missing=()
for command in "${!package_of[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${package_of[$command]}")
done
python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)
[ ${#missing[@]} -eq 0 ] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing from Debian's packages: $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $packages >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $packages >/dev/null; }
else
  echo "the test suites need these packages (Debian names): $packages" >&2
  exit 1
fi
