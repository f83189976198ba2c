import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reapOrphanedTasks, runShellTask, type ShellRuntimeOptions, type TaskOutcome } from './shell.ts';

const baseDir = mkdtempSync(join(tmpdir(), 'twerk-shell-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));
const options: ShellRuntimeOptions = { baseDir, logFlushMs: 20 };
let counter = 0;
const ids = () => ({ taskId: `t${++counter}`, jobId: 'j1' });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs = 25_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the shell runtime', () => {
  it('captures $TWERK_OUTPUT and its Tork alias as the result', async () => {
    expect(await runShellTask({ ...ids(), run: 'echo -n "hello world" > $TWERK_OUTPUT' }, options)).toEqual({ status: 'completed', exitCode: 0, result: 'hello world' });
    expect(await runShellTask({ ...ids(), run: 'echo -n tork > $TORK_OUTPUT' }, options)).toMatchObject({ result: 'tork' });
  }, 30_000);

  it('works with a base directory given relative to the current one', async () => {
    const relativeBase = relative(process.cwd(), baseDir);
    expect(await runShellTask({ ...ids(), run: 'echo -n rel > $TWERK_OUTPUT' }, { ...options, baseDir: relativeBase })).toMatchObject({ status: 'completed', result: 'rel' });
  }, 30_000);

  it("passes the task's env and ours, and nothing else of the server's environment", async () => {
    process.env['TWERK_SERVER_SECRET'] = 'do-not-leak';
    const outcome = await runShellTask({ ...ids(), run: 'echo -n "$GREETING|${TWERK_SERVER_SECRET:-unset}|$TWERK_TASK_ID|$TWERK_JOB_ID" > $TWERK_OUTPUT', env: { GREETING: 'hi' } }, options);
    expect(outcome).toMatchObject({ status: 'completed', result: `hi|unset|t${counter}|j1` });
    const passed = await runShellTask({ ...ids(), run: 'echo -n "$TWERK_SERVER_SECRET" > $TWERK_OUTPUT' }, { ...options, hostEnv: ['TWERK_SERVER_SECRET'] });
    expect(passed).toMatchObject({ result: 'do-not-leak' });
    delete process.env['TWERK_SERVER_SECRET'];
  }, 30_000);

  it('writes files into the working directory, honours workdir, and refuses paths that escape', async () => {
    const outcome = await runShellTask({ ...ids(), files: { 'data/in.txt': 'payload' }, workdir: 'sub', run: 'pwd | grep -q "/work/sub$" && cat ../data/in.txt > $TWERK_OUTPUT' }, options);
    expect(outcome).toMatchObject({ status: 'completed', result: 'payload' });
    expect(await runShellTask({ ...ids(), files: { '../escape': 'x' }, run: 'true' }, options)).toMatchObject({ status: 'failed', error: expect.stringContaining('must stay inside') });
    expect(await runShellTask({ ...ids(), workdir: '../../etc', run: 'true' }, options)).toMatchObject({ status: 'failed' });
  }, 30_000);

  it('runs as the configured uid and gid (group first, then user), in a directory they can use', async () => {
    // 65534 is nobody/nogroup. Only root may change identity; anyone else gets a clear failure.
    const run = 'set -e; touch made-here; echo -n "$(id -u):$(id -g)" > $TWERK_OUTPUT';
    const closed = await runShellTask({ ...ids(), run }, { ...options, uid: 65534, gid: 65534 });
    expect(closed).toMatchObject({ status: 'failed', error: `${baseDir}, on the way to the worker directory, is closed to uid 65534, which tasks run as: make it searchable (chmod o+x)` });
    const open = mkdtempSync(join(tmpdir(), 'twerk-shell-open-'));
    chmodSync(open, 0o755);
    const outcome = await runShellTask({ ...ids(), run }, { ...options, baseDir: open, uid: 65534, gid: 65534 });
    rmSync(open, { recursive: true, force: true });
    if (process.getuid?.() === 0) expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: '65534:65534' });
    else expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('could not start bash') });
  });

  it('reports a non-zero exit with its status and the end of stderr', async () => {
    const outcome = await runShellTask({ ...ids(), run: 'echo "first problem" >&2; echo "last problem" >&2; exit 3' }, options);
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(outcome.status === 'failed' && outcome.error).toBe('exit status 3: first problem\nlast problem');
  }, 30_000);

  it('runs cmd directly when there is no script, and explains a missing program', async () => {
    expect(await runShellTask({ ...ids(), cmd: ['sh', '-c', 'echo -n direct > "$TWERK_OUTPUT"'] }, options)).toMatchObject({ result: 'direct' });
    expect(await runShellTask({ ...ids(), cmd: ['/no/such/program'] }, options)).toMatchObject({ status: 'failed', error: expect.stringContaining('could not start /no/such/program') });
  }, 30_000);

  it('kills the whole process tree on timeout', async () => {
    const pidFile = join(baseDir, `bg-${counter}`);
    const outcome: TaskOutcome = await runShellTask({ ...ids(), run: `sleep 300 & echo $! > ${pidFile}; wait`, timeoutMs: 500 }, options);
    expect(outcome).toEqual({ status: 'timed_out', error: 'task timed out after 500ms' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await eventually(() => !alive(pid));
  }, 30_000);

  it('stops and reports cancelled when aborted, killing its children', async () => {
    const controller = new AbortController();
    const pidFile = join(baseDir, `cancel-${counter}`);
    const running = runShellTask({ ...ids(), run: `sleep 300 & echo $! > ${pidFile}; wait` }, options, {}, controller.signal);
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    controller.abort();
    expect(await running).toEqual({ status: 'cancelled' });
    await eventually(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
  }, 30_000);

  it('does not wait for background processes a finished task left behind', async () => {
    const outcome = await runShellTask({ ...ids(), run: 'sleep 300 & echo -n done > $TWERK_OUTPUT' }, options);
    expect(outcome).toMatchObject({ status: 'completed', result: 'done' });
  }, 30_000);

  it('ships every line of a long output, in order', async () => {
    const chunks: string[] = [];
    const outcome = await runShellTask({ ...ids(), run: 'for i in $(seq 1 10000); do echo "line $i"; done' }, options, { onLog: (chunk) => void chunks.push(chunk.data) });
    expect(outcome.status).toBe('completed');
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(10_000);
    expect(lines[0]).toBe('line 1');
    expect(lines[9_999]).toBe('line 10000');
    expect(chunks.length).toBeGreaterThan(1);
  }, 30_000);

  it('reports progress written to $TWERK_PROGRESS', async () => {
    const seen: number[] = [];
    await runShellTask({ ...ids(), run: 'echo 40 > $TWERK_PROGRESS; sleep 0.7; echo 90 > $TWERK_PROGRESS' }, options, { onProgress: (value) => void seen.push(value) });
    expect(seen).toContain(90);
  }, 30_000);

  it('leaves no task directory behind', async () => {
    await runShellTask({ ...ids(), run: 'exit 1', files: { a: 'b' } }, options);
    expect(readdirSync(baseDir).filter((name) => name.startsWith('task-'))).toEqual([]);
  }, 30_000);

  it('keeps concurrent tasks apart', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => runShellTask({ ...ids(), run: `sleep 0.1; echo -n ${index} > $TWERK_OUTPUT` }, options)));
    expect(outcomes.map((outcome) => outcome.status === 'completed' && outcome.result)).toEqual(Array.from({ length: 10 }, (_, index) => String(index)));
  }, 30_000);

  it('reaps the processes and directories a killed worker left behind', async () => {
    const orphanBase = mkdtempSync(join(tmpdir(), 'twerk-orphans-'));
    const pidFile = join(orphanBase, 'grandchild');
    // A task whose worker "dies": we abandon the promise and never abort it.
    void runShellTask({ ...ids(), run: `sleep 300 & echo $! > ${pidFile}; wait` }, { ...options, baseDir: orphanBase });
    await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '' && readdirSync(orphanBase).some((name) => name.startsWith('task-') && existsSync(join(orphanBase, name, 'pid'))));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await reapOrphanedTasks(orphanBase)).toBe(1);
    await eventually(() => !alive(grandchild));
    expect(readdirSync(orphanBase).filter((name) => name.startsWith('task-'))).toEqual([]);
    rmSync(orphanBase, { recursive: true, force: true });
  }, 30_000);

  it('runs pre and post steps around the script in the same directory, sharing the log stream', async () => {
    const chunks: string[] = [];
    const outcome = await runShellTask(
      {
        ...ids(),
        pre: [{ name: 'fetch', run: 'echo "pre" ; echo -n input > data.txt', files: { 'pre.txt': 'from pre' } }],
        run: 'echo main; cat data.txt pre.txt > $TWERK_OUTPUT',
        post: [{ name: 'report', run: 'echo "post saw $(cat data.txt)"', env: { STEP: 'post' } }],
      },
      options,
      { onLog: (chunk) => void chunks.push(chunk.data) },
    );
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: 'inputfrom pre' });
    expect(chunks.join('')).toBe('pre\nmain\npost saw input\n');
  }, 30_000);

  it('stops at the first failing step: a failing pre skips the script, a failing script skips post', async () => {
    const marker = join(baseDir, `ran-${counter}`);
    const pre = await runShellTask({ ...ids(), pre: [{ name: 'setup', run: 'exit 2' }], run: `touch ${marker}` }, options);
    expect(pre).toMatchObject({ status: 'failed', exitCode: 2, error: 'pre task setup failed: exit status 2' });
    expect(existsSync(marker)).toBe(false);
    const main = await runShellTask({ ...ids(), run: 'exit 5', post: [{ name: 'cleanup', run: `touch ${marker}` }] }, options);
    expect(main).toMatchObject({ status: 'failed', exitCode: 5 });
    expect(existsSync(marker)).toBe(false);
    const post = await runShellTask({ ...ids(), run: 'true', post: [{ run: 'exit 7' }] }, options);
    expect(post).toMatchObject({ status: 'failed', error: 'post task 1 failed: exit status 7' });
  }, 30_000);
});

describe('mounts in the shell runtime', () => {
  const root = process.getuid?.() === 0;
  // Outside /tmp, so that a mount on /tmp does not cover the task's own directory.
  const base = mkdtempSync(join('/var/tmp', 'twerk-mounts-'));
  chmodSync(base, 0o755);
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const mounting: ShellRuntimeOptions = { baseDir: base, logFlushMs: 20 };

  it('shares a volume between pre, main and post, and keeps it private to the task', async () => {
    const task = {
      mounts: [{ type: 'volume', target: '/data' }],
      pre: [{ name: 'write', run: 'echo -n one > /data/note' }],
      run: 'echo -n "$(cat /data/note) two" > /data/note; cat /data/note > $TWERK_OUTPUT',
      post: [{ name: 'check', run: 'grep -q "one two" /data/note' }],
    };
    const [first, second] = await Promise.all([runShellTask({ ...ids(), ...task }, mounting), runShellTask({ ...ids(), ...task }, mounting)]);
    if (!root) {
      expect(first).toMatchObject({ status: 'failed', error: expect.stringContaining('mounts need a worker running as root') });
      return;
    }
    expect(first).toEqual({ status: 'completed', exitCode: 0, result: 'one two' });
    expect(second).toEqual({ status: 'completed', exitCode: 0, result: 'one two' });
    expect(existsSync('/data/note')).toBe(false); // made inside the task's namespace, not on the machine
    expect(readdirSync(base)).toEqual([]);
  });

  it('mounts a tmpfs with its options, and a volume on /tmp', async () => {
    const outcome = await runShellTask({ ...ids(), mounts: [{ type: 'tmpfs', target: '/scratch', opts: { size: '8m' } }, { type: 'volume', target: '/tmp' }], run: 'grep " /scratch tmpfs " /proc/mounts | grep -o "size=[0-9]*k" > $TWERK_OUTPUT; touch /tmp/only-mine' }, mounting);
    if (!root) return expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: 'size=8192k\n' });
    expect(existsSync('/tmp/only-mine')).toBe(false);
  });

  it('refuses bind mounts unless the worker allows them, and sources outside what it allows', async () => {
    const source = mkdtempSync(join(base, 'shared-'));
    writeFileSync(join(source, 'greeting'), 'hello');
    const bind = { ...ids(), mounts: [{ type: 'bind', source, target: '/mnt/in' }], run: 'cat /mnt/in/greeting > $TWERK_OUTPUT' };
    if (!root) return expect(await runShellTask(bind, mounting)).toMatchObject({ status: 'failed' });
    expect(await runShellTask(bind, mounting)).toMatchObject({ status: 'failed', error: 'mounts[0]: bind mounts are not allowed on this worker (mounts.bind.allowed)' });
    expect(await runShellTask(bind, { ...mounting, mounts: { allowBind: true, bindSources: ['/srv/allowed'] } })).toMatchObject({ status: 'failed', error: `mounts[0].source: "${source}" is not under a path this worker allows to bind (/srv/allowed)` });
    expect(await runShellTask(bind, { ...mounting, mounts: { allowBind: true, bindSources: [base] } })).toEqual({ status: 'completed', exitCode: 0, result: 'hello' });
    rmSync(source, { recursive: true, force: true });
  });

  it("refuses a mount that would hide the task's own directory, or an unknown kind", async () => {
    if (!root) return expect(await runShellTask({ ...ids(), mounts: [{ type: 'volume', target: '/var' }], run: 'true' }, mounting)).toMatchObject({ status: 'failed', error: expect.stringContaining('as root') });
    expect(await runShellTask({ ...ids(), mounts: [{ type: 'volume', target: '/var' }], run: 'true' }, mounting)).toMatchObject({ status: 'failed', error: expect.stringContaining(`mounts[0].target: "/var" would hide the task's own directory`) });
    expect(await runShellTask({ ...ids(), mounts: [{ type: 'nfs', target: '/x' }], run: 'true' }, mounting)).toMatchObject({ status: 'failed', error: 'mounts[0].type: "nfs" is not a mount the shell runtime makes (volume, tmpfs, bind)' });
  });

  it('drops to the task user after mounting, who owns the volume', async () => {
    const outcome = await runShellTask({ ...ids(), mounts: [{ type: 'volume', target: '/data' }], run: 'touch /data/f; echo -n "$(id -u) $(stat -c %u /data/f)" > $TWERK_OUTPUT' }, { ...mounting, uid: 65534, gid: 65534 });
    if (!root) return expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome).toEqual({ status: 'completed', exitCode: 0, result: '65534 65534' });
  });
});
