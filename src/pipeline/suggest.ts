import { closest, distance } from 'fastest-levenshtein';

/**
 * Returns `; did you mean "x"?` for the candidate closest to a mistyped name, or an empty string
 * when none is close: one edit for short names, a quarter of the name's length for longer ones.
 */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  const list = [...candidates].filter((candidate) => candidate !== value);
  if (list.length === 0) return '';
  const best = closest(value, list);
  const allowed = Math.max(1, Math.floor(value.length / 4));
  return distance(value, best) <= allowed ? `; did you mean "${best}"?` : '';
}
