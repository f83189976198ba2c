/**
 * Mounts for the shell runtime. A task with mounts runs each of its steps in a private mount
 * namespace (util-linux `unshare`), where the mounts are made before the step's script starts:
 *   - `volume`: a fresh directory of the task's, shared by its pre, main and post steps (each step
 *     binds the same directory) and removed with the task;
 *   - `tmpfs`: a memory file system (`opts` become its mount options, e.g. `size: 64m`);
 *   - `bind`: a path of the worker's machine, only where the worker allows it.
 * Making mounts needs root (CAP_SYS_ADMIN); a task with a uid/gid drops to them after mounting
 * (`setpriv`). Nothing of the user's reaches a shell string: the mount script is fixed and takes
 * kinds, sources and targets as arguments.
 */
import { chown, mkdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve } from 'node:path';

export interface ShellMount {
  readonly type: string;
  readonly source?: string;
  readonly target?: string;
  readonly opts?: Readonly<Record<string, string>>;
}

export interface MountPolicy {
  /** Whether tasks may bind-mount paths of this machine (`mounts.bind.allowed`). */
  readonly allowBind?: boolean;
  /** When set, the only paths (and what is under them) a bind mount may have as its source. */
  readonly bindSources?: readonly string[];
}

/**
 * Positional arguments: UID GID (or "-"), then KIND SOURCE TARGET triples, then "--" and the command.
 * The targets exist (or are made) inside the namespace, so a mount never changes the machine itself.
 */
const MOUNT_SCRIPT = [
  'set -e',
  'uid="$1"; gid="$2"; shift 2',
  'while [ "$1" != "--" ]; do',
  '  kind="$1"; source="$2"; target="$3"; shift 3',
  '  mkdir -p "$target"',
  '  case "$kind" in',
  '    bind) mount --bind "$source" "$target" ;;',
  '    tmpfs) mount -t tmpfs -o "$source" tmpfs "$target" ;;',
  '  esac',
  'done',
  'shift',
  'if [ "$uid" = - ] && [ "$gid" = - ]; then exec "$@"; fi',
  'set -- --clear-groups "$@"',
  'if [ "$gid" != - ]; then set -- --regid "$gid" "$@"; fi',
  'if [ "$uid" != - ]; then set -- --reuid "$uid" "$@"; fi',
  'exec setpriv "$@"',
].join('\n');

/**
 * The absolute source of a bind mount if this worker allows it: binds must be switched on
 * (`mounts.bind.allowed`), and when sources are listed the path must be one of them or under one.
 */
export function allowedBindSource(mount: ShellMount, policy: MountPolicy, what: string): string | Error {
  if (!policy.allowBind) return new Error(`${what}: bind mounts are not allowed on this worker (mounts.bind.allowed)`);
  const source = resolve(mount.source ?? '');
  const allowed = policy.bindSources;
  if (allowed !== undefined && allowed.length > 0 && !allowed.some((prefix) => source === resolve(prefix) || source.startsWith(`${resolve(prefix)}/`))) {
    return new Error(`${what}.source: "${mount.source}" is not under a path this worker allows to bind (${allowed.join(', ')})`);
  }
  return source;
}

const OPTION_KEY = /^[a-z_]+$/;
const OPTION_VALUE = /^[A-Za-z0-9.%_-]+$/;

/** What a step's command gets in front of it, so it runs with the task's mounts. */
export interface PreparedMounts {
  wrap(argv: readonly string[]): string[];
}

/**
 * Checks a task's mounts and creates its volumes under `root` (the task's directory); answers how to
 * wrap its steps' commands, or why the mounts cannot be made here.
 */
export async function prepareMounts(mounts: readonly ShellMount[], root: string, policy: MountPolicy, owner: { uid?: number; gid?: number }): Promise<PreparedMounts | Error> {
  if (process.getuid?.() !== 0) return new Error("mounts need a worker running as root: the shell runtime makes them in the task's own mount namespace");
  const triples: string[] = [];
  for (const [index, mount] of mounts.entries()) {
    const what = `mounts[${index}]`;
    const target = mount.target ?? '';
    if (!isAbsolute(target)) return new Error(`${what}.target: "${target}" must be an absolute path`);
    const normalized = normalize(target).replace(/\/+$/, '') || '/';
    if (root === normalized || root.startsWith(`${normalized === '/' ? '' : normalized}/`)) {
      return new Error(`${what}.target: "${target}" would hide the task's own directory ${root}: give the worker a directory outside it (worker.dir)`);
    }
    switch (mount.type) {
      case 'volume': {
        const volume = join(root, 'volumes', String(index));
        await mkdir(volume, { recursive: true });
        if (owner.uid !== undefined || owner.gid !== undefined) await chown(volume, owner.uid ?? -1, owner.gid ?? -1);
        triples.push('bind', volume, normalized);
        break;
      }
      case 'tmpfs': {
        const options: string[] = [];
        for (const [key, value] of Object.entries(mount.opts ?? {})) {
          if (!OPTION_KEY.test(key) || !OPTION_VALUE.test(value)) return new Error(`${what}.opts: "${key}: ${value}" is not a tmpfs option this runtime passes on`);
          options.push(`${key}=${value}`);
        }
        if (owner.uid !== undefined) options.push(`uid=${owner.uid}`);
        if (owner.gid !== undefined) options.push(`gid=${owner.gid}`);
        triples.push('tmpfs', options.join(',') || 'defaults', normalized);
        break;
      }
      case 'bind': {
        const source = allowedBindSource(mount, policy, what);
        if (source instanceof Error) return source;
        triples.push('bind', source, normalized);
        break;
      }
      default:
        return new Error(`${what}.type: "${mount.type}" is not a mount the shell runtime makes (volume, tmpfs, bind)`);
    }
  }
  const uid = owner.uid === undefined ? '-' : String(owner.uid);
  const gid = owner.gid === undefined ? '-' : String(owner.gid);
  return {
    wrap: (argv) => ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', MOUNT_SCRIPT, 'twerk-mounts', uid, gid, ...triples, '--', ...argv],
  };
}
