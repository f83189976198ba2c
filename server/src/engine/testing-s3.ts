/**
 * A stand-in for the S3 operations split_and_stitch.yaml's tasks make with the AWS CLI, for tests (no
 * MinIO can be reached here): create bucket, put, get (with byte ranges, which ffmpeg reads a video
 * by), head, list (v1 and v2), path-style addressing, objects in memory. Requests are not
 * authenticated: presigned URLs and signed requests are served alike.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface S3StandIn {
  readonly endpoint: string;
  readonly objects: Map<string, Buffer>;
  put(bucket: string, key: string, body: Buffer): void;
  close(): Promise<void>;
}

const xml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function list(response: ServerResponse, objects: Map<string, Buffer>, buckets: Set<string>, bucket: string, query: URLSearchParams): void {
  if (!buckets.has(bucket)) return void response.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchBucket</Code></Error>');
  const prefix = query.get('prefix') ?? '';
  const keys = [...objects.keys()].filter((name) => name.startsWith(`${bucket}/`)).map((name) => name.slice(bucket.length + 1)).filter((key) => key.startsWith(prefix)).sort();
  const contents = keys
    .map((key) => {
      const body = objects.get(`${bucket}/${key}`)!;
      return `<Contents><Key>${xml(key)}</Key><LastModified>${new Date().toISOString()}</LastModified><ETag>${xml(etag(body))}</ETag><Size>${body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    })
    .join('');
  const v2 = query.get('list-type') === '2' ? `<KeyCount>${keys.length}</KeyCount>` : '<Marker></Marker>';
  response.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix>${v2}<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
}

function get(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const headers = { 'content-type': 'application/octet-stream', etag: etag(body), 'last-modified': new Date().toUTCString(), 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  if (range && (range[1] !== '' || range[2] !== '')) {
    const start = range[1] === '' ? Math.max(0, body.length - Number(range[2])) : Number(range[1]);
    const end = range[1] === '' || range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    if (start >= body.length) return void response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    response.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${body.length}` });
    return void (request.method === 'HEAD' ? response.end() : response.end(body.subarray(start, end + 1)));
  }
  response.writeHead(200, { ...headers, 'content-length': body.length });
  return void (request.method === 'HEAD' ? response.end() : response.end(body));
}

export async function startS3StandIn(): Promise<S3StandIn> {
  const objects = new Map<string, Buffer>();
  const buckets = new Set<string>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://s3.local');
      const [, bucket = '', ...rest] = decodeURIComponent(url.pathname).split('/');
      const key = rest.join('/');
      const body = await bodyOf(request);
      if (bucket === '') return void response.writeHead(200, { 'content-type': 'application/xml' }).end('<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>');
      if (key === '') {
        if (request.method === 'PUT') {
          buckets.add(bucket);
          return void response.writeHead(200, { location: `/${bucket}` }).end();
        }
        if (request.method === 'HEAD') return void response.writeHead(buckets.has(bucket) ? 200 : 404).end();
        return list(response, objects, buckets, bucket, url.searchParams);
      }
      if (request.method === 'PUT') {
        buckets.add(bucket);
        objects.set(`${bucket}/${key}`, body);
        return void response.writeHead(200, { etag: etag(body) }).end();
      }
      const stored = objects.get(`${bucket}/${key}`);
      if (stored === undefined) return void response.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      return get(request, response, stored);
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    put(bucket, key, body) {
      buckets.add(bucket);
      objects.set(`${bucket}/${key}`, body);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
