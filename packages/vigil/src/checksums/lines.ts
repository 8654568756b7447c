/**
 * Splits a byte stream into lines on LF only (readline would also split on a lone CR, which
 * b3sum writes unescaped inside names). Lines are Buffers: names need not be UTF-8.
 */
import type { Readable } from 'node:stream';

export async function* readLines(stream: Readable): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let data = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
      yield data.subarray(start, end);
      start = end + 1;
    }
    data = data.subarray(start);
    carry = data.length > 0 ? Buffer.from(data) : undefined;
  }
  if (carry) yield carry;
}
