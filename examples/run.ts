/**
 * `npm run example -- <name> [args]`: runs examples/<name>/main.ts in this process (already
 * under tsx) as if it had been started directly, from the directory npm was started in
 * (INIT_CWD), so relative paths among the args work.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${here}${entry.name}/main.ts`))
  .map((entry) => entry.name)
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  const problem = name === undefined ? 'Which example?' : `No example named "${name}".`;
  console.error(`${problem} Choose one of: ${names.join(', ')}\nusage: npm run example -- <name> [args]`);
  process.exit(2);
}

const main = `${here}${name}/main.ts`;
process.argv = [process.argv[0] as string, main, ...args];
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(main).href);
