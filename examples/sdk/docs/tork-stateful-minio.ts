/**
 * External storage (Tork README, "Adding external storage"): one task writes an object to MinIO, the next reads it
 * back, with credentials from `secrets`. Needs MinIO at `minio_endpoint` and the AWS CLI where tasks run.
 * Run it against a running server: `node examples/sdk/docs/tork-stateful-minio.ts` (TWERK_ENDPOINT picks the server).
 */
import { inputs, job, secrets, task } from '@twerk/sdk';
import { run } from '../run.ts';

const image = 'amazon/aws-cli:latest';
const minio = {
  AWS_ACCESS_KEY_ID: secrets('minio_user'),
  AWS_SECRET_ACCESS_KEY: secrets('minio_password'),
  AWS_ENDPOINT_URL: inputs('minio_endpoint'),
  AWS_DEFAULT_REGION: 'us-east-1',
};

const stateful = job({
  name: 'stateful example',
  inputs: { minio_endpoint: 'http://host.docker.internal:9000' },
  secrets: { minio_user: 'minioadmin', minio_password: 'minioadmin' },
  tasks: [
    task({
      name: 'write data to object store',
      image,
      env: minio,
      run: `echo "Hello from Tork!" > /tmp/data.txt
aws s3 mb s3://mybucket
aws s3 cp /tmp/data.txt s3://mybucket/data.txt
`,
    }),
    task({
      name: 'read data from object store',
      image,
      env: minio,
      run: `aws s3 cp s3://mybucket/data.txt /tmp/retrieved.txt
echo "Contents of retrieved file:"
cat /tmp/retrieved.txt
`,
    }),
  ],
});

export default stateful;
await run(import.meta.url, stateful);
