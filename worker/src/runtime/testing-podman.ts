/**
 * Podman's Docker-compatible service for the container tests: `tools/podman-setup.sh` makes sure it
 * runs (and the local test image exists, tagged as ubuntu:mantic, alpine:3.20, …) and names its socket.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';

const setup = join(import.meta.dirname, '..', '..', '..', 'tools', 'podman-setup.sh');

let socket: string | undefined;

export function podmanSocket(): string {
  socket ??= execFileSync('bash', [setup], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return socket;
}

export function podman(): Docker {
  return new Docker({ socketPath: podmanSocket() });
}

/** The image every example's image name points at here. */
export const TEST_IMAGE = 'localhost/twerk-test:latest';
