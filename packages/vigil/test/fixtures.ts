/** Fixture trees built on the fly: odd names, nesting that tests sort order, many and big files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A name that is not valid UTF-8 (0xff 0xfe are never valid). */
export const INVALID_UTF8_NAME = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x62, 0x69, 0x6e]);

function write(path: string | Buffer, content: string | Buffer): void {
  writeFileSync(path, content);
}

/**
 * Names that need escaping, names whose sort order differs between "walk order" and
 * "byte order of the full path" (a/, a.txt, a0), an empty file, and nested directories.
 */
export function makeNameTree(root: string, options: { invalidUtf8: boolean; carriageReturn: boolean }): void {
  mkdirSync(join(root, 'a', 'deep', 'er'), { recursive: true });
  mkdirSync(join(root, 'b dir'));
  write(join(root, 'a', 'x'), 'in a\n');
  write(join(root, 'a', 'deep', 'er', 'leaf'), 'leaf\n');
  write(join(root, 'a.txt'), 'a dot txt\n');
  write(join(root, 'a0'), 'a zero\n');
  write(join(root, 'back\\slash'), 'backslash\n');
  write(join(root, 'new\nline'), 'newline\n');
  write(join(root, 'b dir', 'sp ace'), 'space\n');
  write(join(root, 'empty'), '');
  write(join(root, 'ünïcödé'), 'unicode\n');
  if (options.carriageReturn) write(join(root, 'cr\rx'), 'carriage return\n');
  if (options.invalidUtf8) write(Buffer.concat([Buffer.from(`${root}/`), INVALID_UTF8_NAME]), 'not utf-8\n');
}

/** `count` small files of varied sizes in `dir`, enough to span several batches. */
export function makeManySmallFiles(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    write(join(dir, `f${String(i).padStart(5, '0')}`), `file ${i}\n`.repeat(1 + (i % 50)));
  }
}

/** Files big enough to be sent alone (over 8 MiB) and enough 1 MiB files to exhaust a batch's byte budget. */
export function makeBigFiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const mib = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 3; i++) {
    const big = Buffer.alloc(9 * 1024 * 1024 + i, i + 1);
    write(join(dir, `big${i}`), big);
  }
  for (let i = 0; i < 40; i++) {
    mib.fill(i);
    write(join(dir, `mib${String(i).padStart(2, '0')}`), mib);
  }
}
