/** A count with its noun in the right number: "1 entry", "2 entries", "0 files". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
