/**
 * Job `secrets` (Tork README, "Jobs → Secrets"): a secret reaches the task through env and is redacted wherever the job is shown.
 * Run it against a running server: `node examples/sdk/docs/tork-secrets.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from '../run.ts';

const withSecret = job({
  name: 'my job',
  secrets: { api_key: '1111-1111-1111-1111' },
  tasks: [
    task({
      name: 'my task',
      image: 'alpine:latest',
      run: 'curl -X POST -H "API_KEY: $API_KEY" http://example.com\n',
      // Written `{{secrets.api_key}}`, without the spaces `secrets('api_key')` writes.
      env: { API_KEY: '{{secrets.api_key}}' },
    }),
  ],
});

export default withSecret;
await run(import.meta.url, withSecret);
