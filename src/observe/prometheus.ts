/**
 * A small Prometheus registry: counters, gauges and histograms with labels, plus families whose
 * samples come from a callback at scrape time. Renders text exposition format 0.0.4. No
 * dependency: the gateway needs a handful of metrics, not a client library.
 */
import { redactString } from "./redact.ts";

export type Labels = Record<string, string>;
export type MetricType = "counter" | "gauge" | "histogram";
export interface Sample {
  labels: Labels;
  value: number;
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label values longer than this are cut: they come from clients (model names, field names). */
const MAX_LABEL_VALUE = 120;
/** Series beyond this per family fold into one "_other" series, so a client cannot blow up memory. */
const DEFAULT_MAX_SERIES = 2000;
const OTHER = "_other";

/**
 * Label values may come from clients (model and field names): redacted, bounded, and without
 * control or line-separator characters other than the newline, which the format escapes.
 */
function labelValue(v: string): string {
  let s = cleaned.get(v);
  if (s !== undefined) return s;
  s = redactString(v).replace(/(?!\n)[\p{Cc}\u2028\u2029]/gu, " ");
  if (s.length > MAX_LABEL_VALUE) s = s.slice(0, MAX_LABEL_VALUE);
  // The same few values (surface, model, status, key) come with every request: clean each once.
  if (cleaned.size >= MAX_CLEANED) cleaned.clear();
  cleaned.set(v, s);
  return s;
}

const cleaned = new Map<string, string>();
const MAX_CLEANED = 4096;

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) parts.push(`${names[i]}="${escapeLabelValue(values[i])}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

interface Family {
  readonly name: string;
  render(out: string[]): void;
}

abstract class Labelled<T> implements Family {
  protected readonly series = new Map<string, { values: string[]; data: T }>();

  get seriesCount(): number {
    return this.series.size;
  }

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l.startsWith("__")) throw new Error(`invalid label name ${l} on ${name}`);
  }

  protected abstract fresh(): T;

  protected get(labels: Labels | undefined): T {
    const names = this.labelNames;
    const values: string[] = new Array(names.length);
    let id = "";
    for (let i = 0; i < names.length; i++) {
      const v = labels?.[names[i]];
      values[i] = v === undefined || v === null ? "" : labelValue(String(v));
      id = i ? `${id}\u0001${values[i]}` : values[i];
    }
    let entry = this.series.get(id);
    if (!entry) {
      if (this.series.size >= this.maxSeries) {
        const other = this.labelNames.map(() => OTHER);
        id = other.join("\u0001");
        entry = this.series.get(id);
        if (!entry) this.series.set(id, (entry = { values: other, data: this.fresh() }));
      } else {
        this.series.set(id, (entry = { values, data: this.fresh() }));
      }
    }
    return entry.data;
  }

  protected header(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
  }

  abstract render(out: string[]): void;

  reset(): void {
    this.series.clear();
  }
}

export class Counter extends Labelled<{ v: number }> {
  protected fresh() {
    return { v: 0 };
  }
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) return; // counters never go down; NaN ignored
    this.get(labels).v += by;
  }
  value(labels?: Labels): number {
    return this.get(labels).v;
  }
  render(out: string[]): void {
    this.header(out);
    for (const { values, data } of this.series.values()) out.push(`${this.name}${renderLabels(this.labelNames, values)} ${formatValue(data.v)}`);
  }
}

export class Gauge extends Labelled<{ v: number }> {
  protected fresh() {
    return { v: 0 };
  }
  set(labels: Labels | undefined, v: number): void {
    this.get(labels).v = v;
  }
  inc(labels?: Labels, by = 1): void {
    this.get(labels).v += by;
  }
  dec(labels?: Labels, by = 1): void {
    this.get(labels).v -= by;
  }
  value(labels?: Labels): number {
    return this.get(labels).v;
  }
  render(out: string[]): void {
    this.header(out);
    for (const { values, data } of this.series.values()) out.push(`${this.name}${renderLabels(this.labelNames, values)} ${formatValue(data.v)}`);
  }
}

interface HistogramData {
  /** Per-bucket (non-cumulative) counts; the last slot is above the highest bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Labelled<HistogramData> {
  readonly buckets: number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: number[], maxSeries: number) {
    super(name, help, "histogram", labelNames, maxSeries);
    if (labelNames.includes("le")) throw new Error(`histogram ${name} cannot use the label "le"`);
    this.buckets = [...new Set(buckets.filter((b) => Number.isFinite(b)))].sort((a, b) => a - b);
  }

  protected fresh(): HistogramData {
    return { counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels | undefined, v: number): void {
    if (!Number.isFinite(v)) return;
    const d = this.get(labels);
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++;
    d.counts[i]++;
    d.sum += v;
    d.count++;
  }

  render(out: string[]): void {
    this.header(out);
    for (const { values, data } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += data.counts[i];
        out.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ["le", formatValue(this.buckets[i])])} ${cumulative}`);
      }
      out.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ["le", "+Inf"])} ${data.count}`);
      out.push(`${this.name}_sum${renderLabels(this.labelNames, values)} ${formatValue(data.sum)}`);
      out.push(`${this.name}_count${renderLabels(this.labelNames, values)} ${data.count}`);
    }
  }
}

/** A counter or gauge whose samples are read from a callback at scrape time (pool state, store counters). */
class CallbackFamily implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    readonly labelNames: readonly string[],
    private readonly collect: () => Sample[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }
  render(out: string[]): void {
    let samples: Sample[];
    try {
      samples = this.collect();
    } catch {
      samples = []; // a failing source must not break the whole scrape
    }
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const s of samples) {
      const values = this.labelNames.map((n) => String(s.labels[n] ?? "").slice(0, MAX_LABEL_VALUE));
      out.push(`${this.name}${renderLabels(this.labelNames, values)} ${formatValue(s.value)}`);
    }
  }
}

export class Registry {
  readonly #families = new Map<string, Family>();
  readonly #maxSeries: number;

  constructor(opts: { maxSeries?: number } = {}) {
    this.#maxSeries = opts.maxSeries ?? DEFAULT_MAX_SERIES;
  }

  #add<F extends Family>(f: F): F {
    if (this.#families.has(f.name)) throw new Error(`metric ${f.name} registered twice`);
    this.#families.set(f.name, f);
    return f;
  }

  /** Label sets held over every family (GET /admin/debug/runtime: must stay bounded). */
  seriesCount(): number {
    let n = 0;
    for (const f of this.#families.values()) if (f instanceof Labelled) n += f.seriesCount;
    return n;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, "counter", labelNames, this.#maxSeries));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, "gauge", labelNames, this.#maxSeries));
  }
  histogram(name: string, help: string, labelNames: readonly string[], buckets: number[]): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets, this.#maxSeries));
  }
  gaugeFn(name: string, help: string, labelNames: readonly string[], collect: () => Sample[]): void {
    this.#add(new CallbackFamily(name, help, "gauge", labelNames, collect));
  }
  counterFn(name: string, help: string, labelNames: readonly string[], collect: () => Sample[]): void {
    this.#add(new CallbackFamily(name, help, "counter", labelNames, collect));
  }

  /** Text exposition format 0.0.4, one family after another, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) f.render(out);
    return out.join("\n") + "\n";
  }
}
