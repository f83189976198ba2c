#!/usr/bin/env bash
# Containers for the test suites, with no registry in reach (research/stack.md §4): podman and runc from
# Debian's packages (tools/system-deps.sh installs them), this folder's containers.conf, a local image
# built from a root file system of busybox and a static bash, tagged as the images the examples name,
# and podman's Docker-compatible API on a socket. Idempotent and quick when all is in place; prints the
# socket path on stdout. `.ci/run` runs it, and the container tests run it when the socket is not there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="$here/podman/containers.conf"
socket="${TWERK_PODMAN_SOCKET:-/tmp/twerk-podman-$(id -u)/podman.sock}"
image=localhost/twerk-test:latest
# The images the examples and tests name; all are the same small image here.
aliases=(docker.io/library/ubuntu:mantic docker.io/library/alpine:3.20 docker.io/library/alpine:3.18.3 docker.io/library/alpine:latest docker.io/library/ubuntu:latest docker.io/library/busybox:latest)

# Test suites of several packages may run this at once: one at a time.
mkdir -p "$(dirname "$socket")"
exec 9>"$(dirname "$socket")/setup.lock"
flock 9

for command in podman runc busybox bash-static; do
  command -v "$command" >/dev/null 2>&1 || { echo "podman-setup: $command is missing (run tools/system-deps.sh as root)" >&2; exit 1; }
done

if ! podman image exists "$image"; then
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{bin,tmp,etc,root}
  chmod 1777 "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  cp "$(command -v bash-static)" "$rootfs/bin/bash"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  podman import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' "$rootfs.tar" "$image" >/dev/null
  rm -f "$rootfs.tar"
fi
for alias in "${aliases[@]}"; do
  podman image exists "$alias" || podman tag "$image" "$alias"
done

if ! curl -fsS --max-time 2 --unix-socket "$socket" http://podman/_ping >/dev/null 2>&1; then
  rm -f "$socket"
  # Outlives this script (and the test run that started it): later runs find it answering. It runs in
  # its own folder: conmon drops files (an `oom` marker when a container is OOM-killed) in its cwd.
  cd "$(dirname "$socket")"
  setsid podman system service --time=0 "unix://$socket" >"$(dirname "$socket")/service.log" 2>&1 < /dev/null 9>&- &
  for _ in $(seq 1 100); do
    curl -fsS --max-time 1 --unix-socket "$socket" http://podman/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS --max-time 2 --unix-socket "$socket" http://podman/_ping >/dev/null || { echo "podman-setup: the service did not answer on $socket" >&2; cat "$(dirname "$socket")/service.log" >&2; exit 1; }
fi
echo "$socket"
