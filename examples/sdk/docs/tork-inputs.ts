/**
 * Job `inputs` (Tork README, "Jobs → Inputs"): a task reads `{{ inputs.source }}` through env to convert a video.
 * Run it against a running server: `node examples/sdk/docs/tork-inputs.ts` (TWERK_ENDPOINT picks the server).
 */
import { inputs, job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const movToMp4 = job({
  name: 'mov to mp4',
  inputs: { source: 'https://example.com/path/to/video.mov' },
  tasks: [
    task({
      name: 'convert the video to mp4',
      image: 'jrottenberg/ffmpeg:3.4-alpine',
      env: { SOURCE_URL: inputs('source') },
      run: 'ffmpeg -i $SOURCE_URL /tmp/output.mp4\n',
    }),
  ],
});

export default movToMp4;
await run(import.meta.url, movToMp4);
