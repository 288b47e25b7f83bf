// "did you mean": the package names of an index closest to a name that is in none (a typo), by edit distance.

/** Levenshtein distance, with a transposition counted as one edit (`pyhton3` is one edit from `python3`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}

/** Up to `limit` names within a third of the name's length in edits (at least one), closest first, then by name. */
export function closestNames(name: string, names: Iterable<string>, limit = 3): string[] {
  const most = Math.max(1, Math.floor(name.length / 3));
  const near: Array<[number, string]> = [];
  for (const n of names) {
    if (Math.abs(n.length - name.length) > most) continue;
    const d = editDistance(name, n);
    if (d <= most) near.push([d, n]);
  }
  near.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return near.slice(0, limit).map(([, n]) => n);
}
