/**
 * What an S3 failure means for vigil: one that may pass (a server restarting, throttling, a
 * dropped connection: retried by retry.ts), a missing object (the not-found StorageError every
 * storage throws), or a refusal no retry mends (credentials, a missing bucket, the wrong
 * region), told as what to set or create.
 */
import { StorageError } from '../errors.js';

/** The parts of an SDK error this file reads (S3ServiceException, or a Node.js network error). */
interface S3Failure {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'TooManyRequests']);
const BAD_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken']);
const WRONG_REGION = new Set([
  'AuthorizationHeaderMalformed',
  'PermanentRedirect',
  'IllegalLocationConstraintException',
]);

function failure(error: unknown): S3Failure {
  return (typeof error === 'object' && error !== null ? error : {}) as S3Failure;
}

/** The S3 error code ("NoSuchKey"), or the Node.js one ("ECONNRESET"). */
export function s3Code(error: unknown): string {
  const e = failure(error);
  return e.Code ?? e.code ?? e.name ?? '';
}

export function httpStatus(error: unknown): number | undefined {
  return failure(error).$metadata?.httpStatusCode;
}

/** A failure that may pass: 5xx, throttling, or the connection refused, reset or timed out. */
export function isTransient(error: unknown): boolean {
  const code = s3Code(error);
  const status = httpStatus(error);
  if (NETWORK_CODES.has(code) || THROTTLED.has(code) || code === 'TimeoutError') return true;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP answer at all: the connection failed under the request (the code may sit on a cause).
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && NETWORK_CODES.has(s3Code(cause));
}

/** The object (or bucket) is not there: 404 with any code (a HEAD's 404 has no body to tell which). */
export function isNotFound(error: unknown): boolean {
  const code = s3Code(error);
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket' || httpStatus(error) === 404;
}

/** The bucket is missing (only a response with a body can say so: GET and LIST, not HEAD). */
export function isNoSuchBucket(error: unknown): boolean {
  return s3Code(error) === 'NoSuchBucket';
}

/**
 * A refusal that no retry mends, told as what to do; undefined for anything else.
 * `what` names the repository, `bucket` the bucket and `endpoint` the server.
 */
export function explainRefusal(
  error: unknown,
  where: { what: string; bucket: string; endpoint: string; region: string },
): StorageError | undefined {
  const code = s3Code(error);
  const status = httpStatus(error);
  const said = failure(error).message;
  const detail = `${code || `HTTP ${status}`}${said && said !== code && said !== 'UnknownError' ? `: ${said}` : ''}`;
  if (BAD_CREDENTIALS.has(code)) {
    return new StorageError(
      `${where.what}: ${where.endpoint} refused the credentials (${detail}): set AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys) to a key this server knows',
      { cause: error },
    );
  }
  if (isNoSuchBucket(error)) return missingBucket(where, error);
  if (WRONG_REGION.has(code) || status === 301) {
    return new StorageError(
      `${where.what}: the bucket ${where.bucket} is not in region ${where.region} (${detail}): ` +
        "set AWS_DEFAULT_REGION (or AWS_REGION) to the bucket's region",
      { cause: error },
    );
  }
  if (status === 403) {
    return new StorageError(
      `${where.what}: ${where.endpoint} denied access to the bucket ${where.bucket} (${detail}): check that ` +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are right and that this key may read, write and list that bucket',
      { cause: error },
    );
  }
  return undefined;
}

/** The bucket does not exist: `vigil init` makes it, or the provider's tools. */
export function missingBucket(
  where: { what: string; bucket: string; endpoint: string },
  cause?: unknown,
): StorageError {
  return new StorageError(
    `${where.what}: there is no bucket ${where.bucket} on ${where.endpoint}: ` +
      `make the repository with vigil init ${where.what} (it creates the bucket), or create the bucket with your provider's tools`,
    { cause },
  );
}
