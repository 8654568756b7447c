/** Password sources: --password-file, VIGIL_PASSWORD_FILE, VIGIL_PASSWORD, then a prompt without echo. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PasswordSourceError, readNewPassword, readPassword } from '../../src/repo/password.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-password-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A terminal that types `keys` once the prompt has put it in raw mode and resumed it. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  raw = false;
  rawModes: boolean[] = [];
  constructor(private readonly typing: string[]) {
    super();
  }
  setRawMode(raw: boolean) {
    this.raw = raw;
    this.rawModes.push(raw);
  }
  resume() {
    const next = this.typing.shift();
    if (next !== undefined) queueMicrotask(() => this.emit('data', Buffer.from(next)));
  }
  pause() {}
}

function fakeOutput() {
  const written: string[] = [];
  return { written, isTTY: true, write: (text: string) => written.push(text) };
}

const noTerminal = { isTTY: false, on() {}, removeListener() {}, resume() {}, pause() {} };
const base = { repo: '/backups/repo', purpose: 'open' as const, input: noTerminal, output: fakeOutput() };

describe('password sources', () => {
  it('takes --password-file first, then VIGIL_PASSWORD_FILE, then VIGIL_PASSWORD', async () => {
    const option = file('option', 'from option\n');
    const envFile = file('env', 'from env file\r\n');
    const env = { VIGIL_PASSWORD_FILE: envFile, VIGIL_PASSWORD: 'from env' };
    assert.deepEqual(await readPassword({ ...base, passwordFile: option, env }), {
      password: 'from option',
      source: '--password-file',
    });
    assert.deepEqual(await readPassword({ ...base, env }), {
      password: 'from env file',
      source: 'VIGIL_PASSWORD_FILE',
    });
    assert.deepEqual(await readPassword({ ...base, env: { VIGIL_PASSWORD: 'from env' } }), {
      password: 'from env',
      source: 'VIGIL_PASSWORD',
    });
  });

  it('drops only one trailing newline of a password file', async () => {
    const path = file('spaces', ' two  spaces \n\n');
    assert.equal((await readPassword({ ...base, passwordFile: path, env: {} })).password, ' two  spaces \n');
  });

  it('says which to set when there is no source and no terminal', async () => {
    await assert.rejects(readPassword({ ...base, env: {} }), (error: unknown) => {
      assert.ok(error instanceof PasswordSourceError);
      assert.equal(error.code, 'ERR_VIGIL_PASSWORD_SOURCE');
      assert.match(
        error.message,
        /no password for \/backups\/repo: set VIGIL_PASSWORD_FILE .* VIGIL_PASSWORD.*--password-file/,
      );
      return true;
    });
  });

  it('names a missing or empty password file and where it came from', async () => {
    const missing = join(dir, 'missing');
    await assert.rejects(
      readPassword({ ...base, env: { VIGIL_PASSWORD_FILE: missing } }),
      (error: unknown) =>
        error instanceof PasswordSourceError &&
        error.message.includes(missing) &&
        /VIGIL_PASSWORD_FILE.*ENOENT/.test(error.message),
    );
    const empty = file('empty', '\n');
    await assert.rejects(readPassword({ ...base, passwordFile: empty, env: {} }), /password file .* is empty/);
  });

  it('refuses a password file too long to be one, without reading it all', async () => {
    const big = file('big', 'x'.repeat(1 << 20));
    await assert.rejects(
      readPassword({ ...base, passwordFile: big, env: {} }),
      /is over 4096 bytes: it is not a password file/,
    );
    const longest = file('longest', `${'y'.repeat(4095)}\n`);
    assert.equal((await readPassword({ ...base, passwordFile: longest, env: {} })).password.length, 4095);
  });

  it('prompts on a terminal without echo, with backspace, and restores the terminal', async () => {
    const input = new FakeTerminal(['secx\x7fret\r']);
    const output = fakeOutput();
    const read = await readPassword({ ...base, env: {}, input, output });
    assert.deepEqual(read, { password: 'secret', source: 'prompt' });
    assert.deepEqual(input.rawModes, [true, false]);
    assert.equal(output.written.join(''), 'enter password for /backups/repo: \n', 'nothing typed is echoed');
    assert.equal(input.listenerCount('data'), 0);
  });

  it('asks twice when creating, and refuses two different entries', async () => {
    const same = new FakeTerminal(['new pass\r', 'new pass\n']);
    const output = fakeOutput();
    const read = await readPassword({ ...base, purpose: 'create', env: {}, input: same, output });
    assert.equal(read.password, 'new pass');
    assert.match(output.written.join(''), /enter the password again: /);
    const differ = new FakeTerminal(['new pass\r', 'new pas\r']);
    await assert.rejects(
      readPassword({ ...base, purpose: 'create', env: {}, input: differ, output: fakeOutput() }),
      /the two passwords differ/,
    );
    assert.deepEqual(differ.rawModes, [true, false, true, false]);
  });

  it('aborts on Ctrl-C and refuses an empty entry, leaving the terminal as it was', async () => {
    const interrupted = new FakeTerminal(['sec\x03']);
    await assert.rejects(readPassword({ ...base, env: {}, input: interrupted }), PasswordSourceError);
    assert.equal(interrupted.raw, false);
    await assert.rejects(readPassword({ ...base, env: {}, input: new FakeTerminal(['\r']) }), /password is empty/);
  });
});

describe('the password of a new key (vigil key add, passwd)', () => {
  const repo = '/backups/repo';

  it('reads --new-password-file, naming that flag when the file is wrong', async () => {
    assert.equal(await readNewPassword({ repo, newPasswordFile: file('new', 'fresh\n'), input: noTerminal }), 'fresh');
    await assert.rejects(
      readNewPassword({ repo, newPasswordFile: join(dir, 'missing'), input: noTerminal }),
      /cannot read the password file .*missing \(from --new-password-file\): ENOENT/,
    );
  });

  it('asks twice on a terminal and refuses two different entries', async () => {
    const output = fakeOutput();
    const same = new FakeTerminal(['fresh\r', 'fresh\r']);
    assert.equal(await readNewPassword({ repo, input: same, output }), 'fresh');
    assert.match(
      output.written.join(''),
      /enter the new password for \/backups\/repo: \nenter the new password again: /,
    );
    await assert.rejects(
      readNewPassword({ repo, input: new FakeTerminal(['fresh\r', 'frsh\r']), output: fakeOutput() }),
      /the two new passwords differ/,
    );
  });

  it('without a file or a terminal, names --new-password-file (VIGIL_PASSWORD holds the current one)', async () => {
    await assert.rejects(readNewPassword({ repo, input: noTerminal }), (error: Error) => {
      assert.ok(error instanceof PasswordSourceError);
      assert.match(error.message, /pass --new-password-file FILE/);
      return true;
    });
  });
});
