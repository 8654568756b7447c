/**
 * The S3 client of a repository, configured from the environment as restic's is:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), the
 * region from AWS_DEFAULT_REGION or AWS_REGION (us-east-1 when neither is set: what
 * S3-compatible servers expect when they ignore regions), path-style addressing
 * (http://host/bucket/key), which every S3-compatible server understands. The keys are read
 * from these variables only, not from ~/.aws or instance metadata: probing those on a machine
 * that has none takes seconds per process, and every worker thread opens its own client.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { StorageError } from '../errors.js';

/** The region when no variable names one. */
export const DEFAULT_REGION = 'us-east-1';
/** A server that does not accept a connection within this long is unreachable (retried). */
const CONNECT_TIMEOUT_MS = 10_000;
/** A request whose socket stays silent this long has stalled (retried). */
const IDLE_TIMEOUT_MS = 60_000;
/**
 * Connections kept per client: each worker thread has its own client and uploads one pack at
 * a time, so a few suffice for the reads that overlap (restore, verify).
 */
const MAX_SOCKETS = 16;

export interface S3Settings {
  readonly client: S3Client;
  readonly region: string;
}

/** A client for `endpoint` (http(s)://host[:port]); throws StorageError naming the variables that are missing. */
export function s3Client(endpoint: string, what: string, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    const missing = [
      accessKeyId ? undefined : 'AWS_ACCESS_KEY_ID',
      secretAccessKey ? undefined : 'AWS_SECRET_ACCESS_KEY',
    ];
    throw new StorageError(
      `${what}: ${missing.filter(Boolean).join(' and ')} ${missing.filter(Boolean).length > 1 ? 'are' : 'is'} not set: ` +
        'export the access key of the S3 account in AWS_ACCESS_KEY_ID and its secret in AWS_SECRET_ACCESS_KEY',
    );
  }
  // The SDK warns every Node.js 20 user that its releases of 2027 will need Node.js 22: that
  // is advice to vigil's maintainers (who choose the SDK release), not to its users.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = env.AWS_DEFAULT_REGION || env.AWS_REGION || DEFAULT_REGION;
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined },
    // Retries are retry.ts's, with its backoff and its message once they run out.
    maxAttempts: 1,
    // Checksums only where S3 requires them: the SDK's default (a CRC trailer in aws-chunked
    // uploads) is refused by many S3-compatible servers, and vigil checks every blob's hash
    // when it reads it back anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: IDLE_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    },
  });
  return { client, region };
}
