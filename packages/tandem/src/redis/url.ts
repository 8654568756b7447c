/**
 * Redis connection URLs, on both sides: checked once, and never printed with their
 * credentials. Every message that names a connection goes through redactUrl, and every
 * message built from a driver's error goes through scrubSecrets.
 */

/** The URL with its username and password replaced by `***`. */
export function redactUrl(connection: string): string {
  try {
    const url = new URL(connection);
    if (url.username) url.username = '***';
    if (url.password) url.password = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '<invalid Redis URL>';
  }
}

/** `text` with the URL's password and username (raw or percent-encoded) replaced by `***`. */
export function scrubSecrets(text: string, connection: string): string {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return text;
  }
  let out = text.split(connection).join(redactUrl(connection));
  for (const secret of [url.password, url.username]) {
    if (secret.length < 3) continue; // too short to replace without mangling the message
    for (const form of new Set([secret, decodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/** Throws a TypeError (without the credentials) unless `connection` is a redis:// or rediss:// URL. */
export function checkRedisUrl(connection: unknown, what: string): string {
  if (typeof connection !== 'string' || connection === '') {
    throw new TypeError(`${what}: connection must be a Redis URL such as redis://127.0.0.1:6379`);
  }
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    throw new TypeError(`${what}: connection is not a valid URL (${redactUrl(connection)})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TypeError(`${what}: connection must start with redis:// or rediss:// (TLS), got ${url.protocol}//`);
  }
  return connection;
}

/** Throws a TypeError unless `queue` is a usable BullMQ queue name. */
export function checkQueueName(queue: unknown, what: string): string {
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(`${what}: queue must be a non-empty name without ':', got ${JSON.stringify(queue)}`);
  }
  return queue;
}
