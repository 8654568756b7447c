/**
 * Where a repository's password comes from, in this order (as restic's --password-file,
 * RESTIC_PASSWORD_FILE and RESTIC_PASSWORD, then a prompt):
 *
 *   1. a `--password-file FILE` option (`options.passwordFile`);
 *   2. VIGIL_PASSWORD_FILE: a file holding the password;
 *   3. VIGIL_PASSWORD: the password itself;
 *   4. a prompt on the terminal, without echo ("enter it again" when creating a key).
 *
 * A password file's one trailing newline ("\n" or "\r\n") is dropped, as an editor or `echo`
 * leaves one. With no source and no terminal, the error says which to set. This module only
 * takes the options; commands/ passes the flags.
 */
import { open } from 'node:fs/promises';
import { VigilError } from '../errors.js';

/** Why no password could be had: no source set and no terminal, a file unreadable or empty, or the prompts differ. */
export class PasswordSourceError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_PASSWORD_SOURCE', message, options);
  }
}

/** The terminal a prompt reads from: a TTY stream in raw mode (process.stdin is one). */
export interface PromptInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Where a prompt is written (process.stderr, so stdout stays for output). */
export interface PromptOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface PasswordOptions {
  /** For messages: the repository the password is for. */
  readonly repo: string;
  /** 'create' asks twice on a terminal (a new repository or key); 'open' asks once. */
  readonly purpose: 'open' | 'create';
  /** The --password-file option, if given. */
  readonly passwordFile?: string;
  /** VIGIL_PASSWORD and VIGIL_PASSWORD_FILE are read from here (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** The terminal (process.stdin and process.stderr by default). */
  readonly input?: PromptInput;
  readonly output?: PromptOutput;
}

/** Where the password came from, for messages ("wrong password (from VIGIL_PASSWORD_FILE)"). */
export type PasswordSource = '--password-file' | 'VIGIL_PASSWORD_FILE' | 'VIGIL_PASSWORD' | 'prompt';

/** The password for `options.repo`, from the first source that is set (see the module comment). */
export async function readPassword(options: PasswordOptions): Promise<{ password: string; source: PasswordSource }> {
  const env = options.env ?? process.env;
  if (options.passwordFile !== undefined) {
    return { password: await readPasswordFile(options.passwordFile, '--password-file'), source: '--password-file' };
  }
  const envFile = env.VIGIL_PASSWORD_FILE;
  if (envFile !== undefined && envFile !== '') {
    return { password: await readPasswordFile(envFile, 'VIGIL_PASSWORD_FILE'), source: 'VIGIL_PASSWORD_FILE' };
  }
  const envPassword = env.VIGIL_PASSWORD;
  if (envPassword !== undefined && envPassword !== '') return { password: envPassword, source: 'VIGIL_PASSWORD' };
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    throw new PasswordSourceError(
      `no password for ${options.repo}: set VIGIL_PASSWORD_FILE (a file holding it) or VIGIL_PASSWORD, ` +
        'or pass --password-file FILE, or run on a terminal to be asked',
    );
  }
  const password = await promptHidden(input, output, `enter password for ${options.repo}: `);
  if (password.length === 0) throw new PasswordSourceError('the password is empty: a repository needs one');
  if (options.purpose === 'create') {
    const again = await promptHidden(input, output, 'enter the password again: ');
    if (again !== password) {
      throw new PasswordSourceError('the two passwords differ: nothing was written; run the command again');
    }
  }
  return { password, source: 'prompt' };
}

/** Where a new key's password comes from (`vigil key add` and `key passwd`). */
export interface NewPasswordOptions {
  /** For messages: the repository the key is for. */
  readonly repo: string;
  /** The --new-password-file option, if given. */
  readonly newPasswordFile?: string | undefined;
  /** The terminal (process.stdin and process.stderr by default). */
  readonly input?: PromptInput;
  readonly output?: PromptOutput;
}

/**
 * The password of a new key: from `--new-password-file FILE`, else asked twice on the terminal.
 * VIGIL_PASSWORD and VIGIL_PASSWORD_FILE are never read here: they hold the current password,
 * and a new key under the same password would change nothing.
 */
export async function readNewPassword(options: NewPasswordOptions): Promise<string> {
  if (options.newPasswordFile !== undefined) return readPasswordFile(options.newPasswordFile, '--new-password-file');
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    throw new PasswordSourceError(
      `no new password for ${options.repo}: pass --new-password-file FILE (a file holding it), ` +
        'or run on a terminal to be asked',
    );
  }
  const password = await promptHidden(input, output, `enter the new password for ${options.repo}: `);
  if (password.length === 0) throw new PasswordSourceError('the new password is empty: a key needs one');
  const again = await promptHidden(input, output, 'enter the new password again: ');
  if (again !== password) {
    throw new PasswordSourceError('the two new passwords differ: nothing was written; run the command again');
  }
  return password;
}

/** A password file longer than this is not one (a wrong path: a disk image, a log). */
export const MAX_PASSWORD_FILE_BYTES = 4096;

async function readPasswordFile(path: string, from: string): Promise<string> {
  let text: string;
  try {
    // Read at most one byte past the limit, so a huge file (or an endless FIFO) is refused unread.
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_PASSWORD_FILE_BYTES + 1);
      let length = 0;
      let bytesRead: number;
      do {
        ({ bytesRead } = await file.read(buffer, length, buffer.length - length, null));
        length += bytesRead;
      } while (bytesRead > 0 && length < buffer.length);
      if (length > MAX_PASSWORD_FILE_BYTES) {
        throw new PasswordSourceError(
          `the password file ${path} (from ${from}) is over ${MAX_PASSWORD_FILE_BYTES} bytes: it is not a password file; check the path`,
        );
      }
      text = buffer.toString('utf8', 0, length);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof PasswordSourceError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PasswordSourceError(
      `cannot read the password file ${path} (from ${from}): ${reason}; check the path and its permissions`,
      { cause: error },
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) {
    throw new PasswordSourceError(`the password file ${path} (from ${from}) is empty: write the password into it`);
  }
  return password;
}

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\x7f', '\b']);
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';

/** Reads one line from a raw-mode terminal without echoing it; Ctrl-C or Ctrl-D abort. */
function promptHidden(input: PromptInput, output: PromptOutput, prompt: string): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ENTER.has(char)) return finish();
        if (char === CTRL_C || char === CTRL_D) {
          return finish(new PasswordSourceError('no password entered (interrupted at the prompt): nothing was done'));
        }
        if (BACKSPACE.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char === CTRL_U) typed = '';
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
