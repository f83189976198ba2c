/**
 * Split and stitch: split a video stored in S3 (MinIO) into chunks, transcode the chunks in parallel with `each`
 * (each chunk uploaded by a `post` task), and stitch them back together with a `pre` download; tasks share /tmp
 * through a volume mount. Needs MinIO at `endpointURL`, and ffmpeg, jq, python and the AWS CLI where tasks run.
 * Run it against a running server: `node examples/sdk/split_and_stitch.ts` (TWERK_ENDPOINT picks the server).
 */
import { each, expr, inputs, job, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const awsCli = 'amazon/aws-cli:2.13.10';
const ffmpeg = 'jrottenberg/ffmpeg:3.4-alpine';

// Written `{{inputs.x}}` without spaces in the example, so not `inputs('x')`, which writes `{{ inputs.x }}`.
const minio = {
  AWS_ACCESS_KEY_ID: '{{inputs.accessKeyID}}',
  AWS_SECRET_ACCESS_KEY: '{{inputs.secretKeyID}}',
  ENDPOINT_URL: '{{inputs.endpointURL}}',
};
const bucketName = '{{tasks.bucketName}}';

const presign = task({
  name: 'presign the s3 source',
  var: 'signedURL',
  run: 'aws --endpoint-url $ENDPOINT_URL s3 presign $SOURCE --expires-in 86400 > $TWERK_OUTPUT',
  image: awsCli,
  env: { ...minio, SOURCE: inputs('source') },
});

const probe = task({
  name: 'get the video metadata',
  var: 'ffprobe',
  run: String.raw`ffprobe \
  -v quiet \
  -print_format json \
  -show_error \
  -show_format \
  -show_streams \
  $SOURCE > $TWERK_OUTPUT
`,
  image: ffmpeg,
  env: { SOURCE: tasks('signedURL') },
});

const duration = task({
  name: 'extract the duration of the video',
  var: 'duration',
  run: `DURATION=$(echo -n $FFPROBE | jq -r '.format.duration')
echo -n $DURATION >> $TWERK_OUTPUT
`,
  image: 'badouralix/curl-jq',
  env: { FFPROBE: tasks('ffprobe') },
});

const framerate = task({
  name: 'extract the framerate of the video',
  var: 'framerate',
  run: `FRAMERATE=$(echo -n $FFPROBE | jq -r '.streams[] | select (.codec_type=="video") | .r_frame_rate')
echo -n $FRAMERATE >> $TWERK_OUTPUT
`,
  image: 'badouralix/curl-jq',
  env: { FFPROBE: tasks('ffprobe') },
});

const parseFramerate = task({
  name: 'clean and parse framerate',
  var: 'framerate',
  run: 'python script.py $FRAMERATE > $TWERK_OUTPUT\n',
  image: 'python:3-slim',
  env: { FRAMERATE: tasks('framerate') },
  files: {
    'script.py': String.raw`import re
import sys
cfrate = re.sub(r"[^0-9/\\.]", "", sys.argv[1])
pfrate = cfrate.split("/")
frate = float(pfrate[0])/float(pfrate[1])
print(frate,end="")
`,
  },
});

// The blank line before `start = start+length;` holds two spaces, as in the example.
const chunkTimes = task({
  name: 'calculate chunks times',
  var: 'chunks',
  run: 'python script.py $DURATION $FRAMERATE > $TWERK_OUTPUT\n',
  image: 'python:3-slim',
  env: { DURATION: tasks('duration'), FRAMERATE: tasks('framerate') },
  files: {
    'script.py': `import math
import json
import sys

duration = float(sys.argv[1])
frate = float(sys.argv[2])

frate_ceil = math.ceil(frate)
time_unit = frate_ceil/frate
chunk_size = 30*time_unit

chunks = []
start = 0
length = 0
while(start<duration):
  if(duration-start<chunk_size):
    length=duration-start
  else:
    length=chunk_size

  if duration-(start+length) < 5:
    length=duration-start

  chunks.append({"start":start,"length":length})
  
  start = start+length;

print(json.dumps(chunks))
`,
  },
});

const bucket = task({
  name: 'generate a random bucket name to store the results',
  var: 'bucketName',
  run: 'echo -n "video-$(shuf -i 1-10000 -n1)" > $TWERK_OUTPUT',
  image: 'ubuntu:mantic',
});

const createBucket = task({
  name: 'create a temporary bucket to house the chunks',
  run: String.raw`aws \
  --endpoint-url $ENDPOINT_URL s3api create-bucket --bucket $BUCKET_NAME
`,
  image: awsCli,
  env: { ...minio, BUCKET_NAME: bucketName },
});

const scratch = [{ type: 'volume', target: '/tmp' }];

const transcode = each('transcode the chunks in parallel', {
  list: expr('fromJSON(tasks.chunks)'),
  task: task({
    name: 'encode the chunk',
    var: 'chunk{{ item_index }}',
    run: 'ffmpeg -ss ${START} -i $SOURCE -to $LENGTH /tmp/chunk.mp4\n',
    image: ffmpeg,
    env: { LENGTH: '{{ item_value_length }}', SOURCE: tasks('signedURL'), START: '{{ item_value_start }}' },
    post: [
      {
        name: 'upload the chunk to minio',
        run: 'aws --endpoint-url $ENDPOINT_URL s3 cp /tmp/chunk.mp4 s3://$BUCKET_NAME/chunks/chunk_$NUMBER.mp4',
        image: awsCli,
        env: { ...minio, BUCKET_NAME: bucketName, NUMBER: '{{ item_index }}' },
      },
    ],
    mounts: scratch,
    retry: { limit: 2 },
  }),
});

const stitch = task({
  name: 'stitch the chunks into a single video',
  run: `for filename in /tmp/chunks/*.mp4; do
  echo "file $filename" >> /tmp/chunks.txt
done
ffmpeg -f concat -safe 0 -i /tmp/chunks.txt -c copy /tmp/output.mp4
`,
  image: ffmpeg,
  env: { BUCKET_NAME: bucketName },
  pre: [
    {
      name: 'download the chunks',
      run: 'aws --endpoint-url $ENDPOINT_URL s3 sync s3://$BUCKET_NAME/chunks /tmp/chunks',
      image: awsCli,
      env: { ...minio, BUCKET_NAME: bucketName },
    },
  ],
  post: [
    {
      name: 'upload the final video to minio',
      run: 'aws --endpoint-url $ENDPOINT_URL s3 cp /tmp/output.mp4 s3://$BUCKET_NAME/output.mp4',
      image: awsCli,
      env: { ...minio, BUCKET_NAME: bucketName },
    },
  ],
  mounts: scratch,
  retry: { limit: 2 },
  timeout: '120s',
});

// Some lines of the description end in a space, as in the example.
const description = [
  'this job splits an input video into 10s chunks, transcodes the various chunks in parallel, ',
  'and finally stitches the final result into a single file.',
  '',
  'This demo assumes a locally running instace of Minio (AWS S3-like service) which will be used to store the ',
  'video chunks and the final video output',
  '',
  'You can get a running instance of minio using the following command: ',
  '',
  'docker run --name=minio -d -p 9000:9000 -p 9001:9001 minio/minio server /data --console-address ":9001"',
  '',
  "You'll like have to change the endpointURL below to the IP address of your minio server",
  '',
  'The default credentials for a Minio Server are minioadmin/minioadmin',
  '',
].join('\n');

const splitAndStitch = job({
  name: 'split and stitch demo',
  description,
  inputs: { accessKeyID: 'minioadmin', endpointURL: 'http://my-minio-server:9000', secretKeyID: 'minioadmin', source: 's3://master/master.mov' },
  tasks: [presign, probe, duration, framerate, parseFramerate, chunkTimes, bucket, createBucket, transcode, stitch],
});

export default splitAndStitch;
await run(import.meta.url, splitAndStitch);
