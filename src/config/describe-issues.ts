/**
 * What is wrong with a configuration, in one line naming every bad key (the contract: exit 2
 * with one clear line). A key that is not known but close to one that is gets "did you mean":
 * `alerts.treshold` is a setting the user believes in, and the daemon would otherwise only say
 * it does not know it. Pure.
 */

/** The parts of a zod issue this needs. */
export interface ConfigIssue {
  path: readonly PropertyKey[];
  message: string;
  code: string;
  keys?: readonly string[];
}

type JsonObject = { [key: string]: unknown };

/**
 * Every issue, joined with `; `. `known` is a configuration holding every key (the defaults), in
 * which an unknown key's neighbours are looked up.
 */
export function describeConfigIssues(issues: readonly ConfigIssue[], known: JsonObject): string {
  const parts = issues.flatMap((issue) => describeIssue(issue, known));
  return parts.length === 0 ? 'invalid' : parts.join('; ');
}

function describeIssue(issue: ConfigIssue, known: JsonObject): string[] {
  const path = issue.path.map(String);
  const where = path.join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const siblings = Object.keys(objectAt(known, path) ?? {});
    return issue.keys.map((key) => {
      const name = where ? `${where}.${key}` : key;
      const guess = closestKey(key, siblings);
      return guess === undefined ? `${name}: unknown key` : `${name}: unknown key (did you mean ${where ? `${where}.` : ''}${guess}?)`;
    });
  }
  return [`${where || '(root)'}: ${issue.message}`];
}

function objectAt(root: JsonObject, path: readonly string[]): JsonObject | undefined {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as JsonObject)[key];
  }
  return typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as JsonObject) : undefined;
}

/**
 * The known key a misspelt one most likely meant: the same but for case, `_` or `-`; else the
 * nearest by edit distance, when at most a third of its letters (and at least one) differ.
 */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const plain = (text: string): string => text.toLowerCase().replace(/[_-]/g, '');
  const same = candidates.find((candidate) => plain(candidate) === plain(key));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(plain(key), plain(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < columns; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
