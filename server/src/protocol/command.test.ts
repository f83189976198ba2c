import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { TaskDocument } from '@twerk/contract';
import { readSetOutputs, RESULT_OUTPUT, taskCommand } from './command.ts';

/** Runs a command as seed 004's workers do: sh -c "$command", with a bare environment. */
function run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const task = (spec: Partial<TaskDocument>, timeoutSecs?: number) => taskCommand({ id: 'abc123', jobId: 'job9', spec: { name: 't', ...spec }, ...(timeoutSecs !== undefined ? { timeoutSecs } : {}) });

describe('the command an HTTP worker runs for a task', () => {
  it("runs the script with the task's env, files and Twerk's variables, and prints its result as a set-output line", async () => {
    const hostile = `it's "quoted" $(touch /tmp/never) \`x\` \\ and\nnewlines\n`;
    const { code, stdout } = await run(
      task({
        env: { VALUE: hostile },
        files: { 'conf/app.txt': 'from a file' },
        run: 'printf %s "$VALUE" > seen; cat conf/app.txt; echo; echo "ids $TWERK_TASK_ID $TWERK_JOB_ID"; printf %s "$VALUE" > $TWERK_OUTPUT',
      }),
    );
    expect(code).toBe(0);
    const read = readSetOutputs(stdout);
    expect(read.result).toBe(hostile);
    expect(read.text).toContain('from a file');
    expect(read.text).toContain('ids abc123 job9');
  });

  it('runs pre and post steps in the same directory, and stops at the first failure with its status', async () => {
    const ok = await run(task({ pre: [{ name: 'prep', run: 'echo -n 3 > n' }], run: 'echo -n $(( $(cat n) * 2 )) > $TWERK_OUTPUT', post: [{ name: 'check', run: 'test -f n' }] }));
    expect(readSetOutputs(ok.stdout).result).toBe('6');
    const failing = await run(task({ pre: [{ name: 'broken', run: 'exit 4' }], run: 'echo never' }));
    expect(failing.code).toBe(4);
    expect(failing.stderr).toContain('pre task broken failed: exit status 4');
    expect(failing.stdout).not.toContain('never');
    const main = await run(task({ run: 'echo -n partial > $TWERK_OUTPUT; exit 3' }));
    expect(main.code).toBe(3);
    expect(readSetOutputs(main.stdout).result).toBe('partial');
  });

  it('runs cmd as an argument list, honours workdir, and kills a task past its timeout', async () => {
    const cmd = await run(task({ cmd: ['printf', '%s|%s', 'a b', "c'd"] }));
    expect(readSetOutputs(cmd.stdout).text.trim()).toBe("a b|c'd");
    const workdir = await run(task({ workdir: '/deep/er', run: 'pwd > $TWERK_OUTPUT' }));
    expect(readSetOutputs(workdir.stdout).result).toMatch(/twerk-task-[^/]+\/work\/deep\/er\n$/);
    const slow = await run(task({ run: 'sleep 10' }, 1));
    expect(slow.code).toBe(124);
  });

  it('refuses env names and file paths that no shell could honour safely', () => {
    expect(() => task({ env: { 'BAD NAME': 'x' }, run: 'true' })).toThrow('env: "BAD NAME" is not a variable name a shell can export');
    expect(() => task({ files: { '../escape': 'x' }, run: 'true' })).toThrow('files: "../escape" must stay inside');
  });
});

describe('set-output lines', () => {
  it('become outputs; the result line is taken out of the log', () => {
    const read = readSetOutputs(`building\n::set-output version=1.2.3\n::set-output url=s3://b/k=v\n\n::set-output ${RESULT_OUTPUT}=${Buffer.from('done').toString('base64')}\n`);
    expect(read).toEqual({ outputs: { version: '1.2.3', url: 's3://b/k=v' }, result: 'done', text: 'building\n::set-output version=1.2.3\n::set-output url=s3://b/k=v\n\n' });
  });
});
