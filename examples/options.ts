/** Command-line options shared by the examples: numeric flags with defaults, and positionals. */
import { parseArgs } from 'node:util';

/** Turns `maxSleep` into `max-sleep`, the flag a user types. */
const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses `--name value` flags for the numeric options in `defaults` (camelCase keys, kebab-case
 * flags) and returns them with the positional arguments. Exits with a usage line on a bad flag.
 */
export function parseOptions<T extends Record<string, number>>(
  usage: string,
  defaults: T,
  argv = process.argv.slice(2),
): { options: T; positionals: string[] } {
  const flags = Object.fromEntries(Object.keys(defaults).map((key) => [flagOf(key), { type: 'string' as const }]));
  try {
    const { values, positionals } = parseArgs({ args: argv, options: flags, allowPositionals: true });
    const options = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof T & string)[]) {
      const text = values[flagOf(key)];
      if (text === undefined) continue;
      const value = Number(text);
      if (!Number.isFinite(value) || value < 0) throw new Error(`--${flagOf(key)} wants a number >= 0, got "${text}"`);
      options[key] = value as T[typeof key];
    }
    return { options, positionals };
  } catch (error) {
    const defaultsText = Object.entries(defaults).map(([key, value]) => `--${flagOf(key)} ${value}`);
    console.error(`${(error as Error).message}\nusage: ${usage}\ndefaults: ${defaultsText.join(' ')}`);
    process.exit(2);
  }
}
