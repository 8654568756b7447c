#!/usr/bin/env node
// Puts a benchmark's report into its own section of docs/benchmarks.md, replacing the
// section if it is there, so each benchmark rewrites only its part of the shared page.
//   node bench/doc-section.mjs "vigil hash (bench/hash)" docs/benchmarks-vigil-hash.md
// The report's own "# " title is dropped and its "## " headings become "### ".
import { readFileSync, writeFileSync } from 'node:fs';

const [title, reportPath] = process.argv.slice(2);
if (!title || !reportPath) {
  console.error('usage: node bench/doc-section.mjs "<section title>" <report.md>');
  process.exit(2);
}
const page = new URL('../docs/benchmarks.md', import.meta.url);
const report = readFileSync(reportPath, 'utf8')
  .split('\n')
  .filter((line, i) => !(i === 0 && line.startsWith('# ')))
  .map((line) => (line.startsWith('## ') ? `#${line}` : line))
  .join('\n')
  .trim();
const section = `## ${title}\n\n${report}\n`;
const text = readFileSync(page, 'utf8');
const heading = `## ${title}\n`;
const start = text.indexOf(heading);
let next;
if (start === -1) next = `${text.trimEnd()}\n\n${section}`;
else {
  const end = text.indexOf('\n## ', start + heading.length);
  next = text.slice(0, start) + section + (end === -1 ? '' : `\n${text.slice(end + 1)}`);
}
writeFileSync(page, next);
console.log(`docs/benchmarks.md: section "${title}" updated from ${reportPath}`);
