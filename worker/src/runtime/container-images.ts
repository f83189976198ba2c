/**
 * Images for container tasks (research/tork.md §7.2, and what it got wrong): an image present on the
 * engine is used as it is; a missing one is pulled once however many tasks ask for it at the same time
 * (different images pull in parallel, unlike Tork's single puller), with the task's `registry`
 * credentials or those of the Docker config file for the image's registry. Pull progress stays out of
 * task logs. A failed pull is an error naming the image — the Docker API reports it inside the
 * progress stream with a 200 status, so every event is checked. Images known to be present are
 * remembered for `ttlMs` so a busy worker does not ask the engine before every task.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface ImageStoreOptions {
  /** How long an image seen on the engine is trusted to still be there (default 10 minutes). */
  readonly ttlMs?: number;
  /** The Docker config file with registry credentials (default ~/.docker/config.json). */
  readonly dockerConfig?: string;
}

/** The registry host of an image reference, or undefined for Docker Hub (no domain). */
export function registryOf(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

interface PullEvent {
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

export class ImageStore {
  private readonly docker: Docker;
  private readonly ttlMs: number;
  private readonly dockerConfig: string;
  private readonly present = new Map<string, number>();
  private readonly pulling = new Map<string, Promise<void>>();

  constructor(docker: Docker, options: ImageStoreOptions = {}) {
    this.docker = docker;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.dockerConfig = options.dockerConfig ?? join(homedir(), '.docker', 'config.json');
  }

  /** Makes sure `image` is on the engine, pulling it if needed; rejects with the reason it cannot be had. */
  async ensure(image: string, registry?: RegistryCredentials): Promise<void> {
    const seen = this.present.get(image);
    if (seen !== undefined && Date.now() - seen < this.ttlMs) return;
    let pull = this.pulling.get(image);
    if (pull === undefined) {
      pull = this.fetch(image, registry).finally(() => this.pulling.delete(image));
      this.pulling.set(image, pull);
    }
    await pull;
    this.present.set(image, Date.now());
  }

  /** Forgets an image (it was removed, or a container could not be created from it). */
  forget(image: string): void {
    this.present.delete(image);
  }

  private async fetch(image: string, registry: RegistryCredentials | undefined): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (caught) {
      if ((caught as { statusCode?: number }).statusCode !== 404) throw new Error(`could not look up image ${image}: ${(caught as Error).message}`);
    }
    const auth = registry ?? (await this.configuredCredentials(image));
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(image, auth ? { authconfig: { username: auth.username, password: auth.password, serveraddress: registryOf(image) ?? 'https://index.docker.io/v1/' } } : {});
    } catch (caught) {
      throw new Error(`pulling image ${image} failed: ${describe(caught)}`);
    }
    const failure = await new Promise<string | undefined>((resolve) => {
      let error: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (finished: Error | null) => resolve(finished ? finished.message : error),
        (event: PullEvent) => {
          error ??= event.errorDetail?.message ?? event.error;
        },
      );
    });
    if (failure !== undefined) throw new Error(`pulling image ${image} failed: ${failure}`);
  }

  /** Credentials of the image's registry in the Docker config file (`auths`), if any. */
  private async configuredCredentials(image: string): Promise<RegistryCredentials | undefined> {
    const host = registryOf(image);
    if (host === undefined) return undefined;
    let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
      config = JSON.parse(await readFile(this.dockerConfig, 'utf8')) as typeof config;
    } catch {
      return undefined;
    }
    const entry = Object.entries(config.auths ?? {}).find(([key]) => key === host || key.replace(/^https?:\/\//, '').replace(/\/.*$/, '') === host)?.[1];
    if (entry === undefined) return undefined;
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
    if (entry.auth === undefined) return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
}

/** The message of a Docker API error: the engine's JSON `message` when it sent one. */
export function describe(caught: unknown): string {
  const error = caught as { json?: { message?: string }; reason?: string; message?: string };
  return error.json?.message ?? error.message ?? error.reason ?? String(caught);
}
