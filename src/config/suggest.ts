/** The closest known name within a small edit distance, for "did you mean" hints. */
export function didYouMean(input: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const k of known) {
    const d = distance(input.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
