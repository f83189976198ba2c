/**
 * Mounts (Twerk docs, "Examples → Mounts"): a `pre` task downloads into a volume on /tmp that the main task reads;
 * needs wget, ffmpeg and the network where tasks run.
 * Run it against a running server: `node examples/sdk/docs/twerk-docs-mounts.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const withMounts = job({
  name: 'with mounts',
  tasks: [
    task({
      name: 'process',
      image: 'jrottenberg/ffmpeg:3.4-alpine',
      run: 'ffmpeg -i /tmp/input.mov /tmp/output.mp4',
      mounts: [{ type: 'volume', target: '/tmp' }],
      pre: [{ name: 'download', image: 'alpine:latest', run: 'wget http://example.com/video.mov -O /tmp/input.mov' }],
    }),
  ],
});

export default withMounts;
await run(import.meta.url, withMounts);
