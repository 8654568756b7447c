/**
 * The repository argument (`--to`, and REPO of every command), parsed in one place:
 *
 *   /path or relative/path                   a folder on this machine
 *   sftp:[user@]host[:port]:/path             a folder on another machine, over SSH (restic's spelling)
 *   s3:http(s)://host[:port]/bucket[/prefix]  a bucket of an S3-compatible store, path-style
 *
 * A location is plain data: it crosses to worker threads, which open their own storage from it.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export type RepositoryLocation =
  | { readonly kind: 'local'; readonly path: string }
  | {
      readonly kind: 'sftp';
      readonly user: string | undefined;
      readonly host: string;
      readonly port: number;
      readonly path: string;
    }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly prefix: string;
    };

const SFTP = /^sftp:(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/@]+)(?::(\d+))?:(.+)$/;

/** Parses `text`; throws UsageError naming the argument and the forms it may take. */
export function parseRepositoryLocation(text: string): RepositoryLocation {
  if (text.startsWith('sftp:')) return parseSftp(text);
  if (text.startsWith('s3:')) return parseS3(text);
  if (text === '') throw new UsageError('the repository is empty: give a path, sftp:... or s3:...');
  return { kind: 'local', path: resolve(text) };
}

/** How messages name a location: the absolute path, or the URL in its canonical spelling. */
export function formatRepositoryLocation(location: RepositoryLocation): string {
  switch (location.kind) {
    case 'local':
      return location.path;
    case 'sftp':
      return `sftp:${location.user === undefined ? '' : `${location.user}@`}${location.host.includes(':') ? `[${location.host}]` : location.host}${location.port === 22 ? '' : `:${location.port}`}:${location.path}`;
    case 's3':
      return `s3:${location.endpoint}/${location.bucket}${location.prefix === '' ? '' : `/${location.prefix}`}`;
  }
}

function parseSftp(text: string): RepositoryLocation {
  const match = SFTP.exec(text);
  if (match === null) throw badLocation(text, 'sftp:[user@]host[:port]:/path');
  const [, user, rawHost, rawPort, path] = match as unknown as [
    string,
    string | undefined,
    string,
    string | undefined,
    string,
  ];
  const port = rawPort === undefined ? 22 : Number(rawPort);
  if (!(port >= 1 && port <= 65535)) throw badLocation(text, 'a port from 1 to 65535');
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  // A relative path is relative to the login folder on the server, as with sftp(1) and restic.
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return { kind: 'sftp', user, host, port, path: clean };
}

function parseS3(text: string): RepositoryLocation {
  let url: URL;
  try {
    url = new URL(text.slice('s3:'.length));
  } catch {
    throw badLocation(text, 's3:http(s)://host[:port]/bucket[/prefix]');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badLocation(text, 's3:http(s)://host[:port]/bucket[/prefix] (http or https)');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw badLocation(
      text,
      's3:http(s)://host[:port]/bucket[/prefix], without query or credentials (those come from AWS_* variables)',
    );
  }
  const parts = url.pathname.split('/').filter((part) => part !== '');
  const bucket = parts.shift();
  if (bucket === undefined) throw badLocation(text, 's3:http(s)://host[:port]/bucket[/prefix]: the bucket is missing');
  return { kind: 's3', endpoint: `${url.protocol}//${url.host}`, bucket, prefix: parts.join('/') };
}

function badLocation(text: string, expected: string): UsageError {
  return new UsageError(`the repository ${JSON.stringify(text)} is not a location vigil reads: expected ${expected}`);
}
