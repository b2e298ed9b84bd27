/**
 * The UTC period (day or hour) of a time as ISO text, remembering the last one: every request of a
 * day asks for the same day (a Date and an ISO string saved each time).
 */
function periodText(periodMs: number, length: number): (ms: number) => string {
  let from = 0;
  let to = 0;
  let text = "";
  return (ms) => {
    if (ms >= from && ms < to) return text;
    // A time no Date can hold throws here, as it always did, and is not remembered.
    const next = new Date(ms).toISOString().slice(0, length);
    from = Math.floor(ms / periodMs) * periodMs;
    to = from + periodMs;
    return (text = next);
  };
}

/** Daily quotas and usage days are UTC calendar days ("YYYY-MM-DD"), the same for every instance. */
export const utcDay: (ms: number) => string = periodText(86_400_000, 10);

/** The UTC hour ("YYYY-MM-DDTHH") of a time. */
export const utcHour: (ms: number) => string = periodText(3_600_000, 13);

/** The next UTC midnight after `ms`: when a daily token quota resets. */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}
