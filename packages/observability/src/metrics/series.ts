// Counters, gauges and histograms for the worker's hot path, rendered by a prom-client Registry like its own
// metrics. prom-client hashes and validates the labels on every inc/observe (a dozen updates per job, about
// a fifth of what metrics + events + spans cost a job: issue 12); here a series is found once per label
// object the caller keeps, and an update is a field write.
import type { Registry } from 'prom-client';

type Labels<L extends string> = Readonly<Record<L, string>>;

/** prom-client's sample shape (`metricName` for a histogram's _bucket/_sum/_count series). */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

abstract class Family<L extends string, C> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, { labels: Labels<L>; cell: C }>();
  /** Label objects a caller keeps (never mutated): their series without building the key again. */
  readonly #byObject = new WeakMap<object, C>();

  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry) {
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
    // A Registry renders any metric with prom-client's `get()` shape.
    registry.registerMetric(this as never);
  }

  /** The series of these label values (extra keys ignored), made on first use. */
  labels(labels: Labels<L>): C {
    let key = '';
    for (const name of this.#labelNames) key += `${labels[name]}\u0000`;
    let series = this.#series.get(key);
    if (!series) {
      const own = {} as Record<L, string>;
      for (const name of this.#labelNames) own[name] = labels[name];
      series = { labels: own, cell: this.create() };
      this.#series.set(key, series);
    }
    return series.cell;
  }

  /** `labels()` for a label object the caller keeps and never mutates: found by identity after the first time. */
  kept(labels: Labels<L>): C {
    let cell = this.#byObject.get(labels);
    if (!cell) {
      cell = this.labels(labels);
      this.#byObject.set(labels, cell);
    }
    return cell;
  }

  protected abstract create(): C;
  protected abstract samples(labels: Labels<L>, cell: C, out: Sample[]): void;

  get() {
    const values: Sample[] = [];
    for (const { labels, cell } of this.#series.values()) this.samples(labels, cell, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class CounterCell {
  value = 0;
  /** Counters only grow: a negative or non-finite amount is ignored. */
  inc(n = 1): void {
    if (n > 0 && n !== Number.POSITIVE_INFINITY) this.value += n;
  }
}

export class GaugeCell {
  value = 0;
  set(v: number): void {
    if (Number.isFinite(v)) this.value = v;
  }
}

export class HistogramCell {
  /** Observations per bucket (not cumulative), the last one above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    if (!Number.isFinite(v)) return;
    this.sum += v;
    this.count++;
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
  }
}

/** Counters and gauges: one number per series. */
class ValueFamily<L extends string, C extends { value: number }> extends Family<L, C> {
  readonly type: 'counter' | 'gauge';
  readonly #make: () => C;

  constructor(
    type: 'counter' | 'gauge',
    make: () => C,
    name: string,
    help: string,
    labelNames: readonly L[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
    this.type = type;
    this.#make = make;
  }

  protected create() {
    return this.#make();
  }

  protected samples(labels: Labels<L>, cell: C, out: Sample[]) {
    out.push({ labels, value: cell.value });
  }
}

export class CounterFamily<L extends string> extends ValueFamily<L, CounterCell> {
  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry) {
    super('counter', () => new CounterCell(), name, help, labelNames, registry);
  }
}

export class GaugeFamily<L extends string> extends ValueFamily<L, GaugeCell> {
  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry) {
    super('gauge', () => new GaugeCell(), name, help, labelNames, registry);
  }
}

/** prom-client's default buckets, for histograms that name none. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HistogramFamily<L extends string> extends Family<L, HistogramCell> {
  readonly type = 'histogram';
  readonly #bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], registry: Registry, bounds?: number[]) {
    super(name, help, labelNames, registry);
    this.#bounds = [...(bounds ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
  }

  protected create() {
    return new HistogramCell(this.#bounds);
  }

  /** Cumulative `_bucket` series (`le` first, as prom-client writes it), then `_sum` and `_count`. */
  protected samples(labels: Labels<L>, cell: HistogramCell, out: Sample[]) {
    let acc = 0;
    for (let i = 0; i < cell.bounds.length; i++) {
      acc += cell.counts[i]!;
      out.push({ labels: { le: cell.bounds[i]!, ...labels }, value: acc, metricName: `${this.name}_bucket` });
    }
    out.push({ labels: { le: '+Inf', ...labels }, value: cell.count, metricName: `${this.name}_bucket` });
    out.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
    out.push({ labels, value: cell.count, metricName: `${this.name}_count` });
  }
}
