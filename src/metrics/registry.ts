// A tiny in-process metrics registry: counters and histograms the pipeline increments, read at scrape time.

export type Labels = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One exposed series: `name` + `suffix` (`_bucket`, `_sum`, `_count` for histograms) with its labels. */
export interface Sample {
  suffix: '' | '_bucket' | '_sum' | '_count';
  labels: Labels;
  value: number;
}

/** A metric family as the exposition format writes it: HELP, TYPE, then its samples. */
export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Histogram {
  observe(value: number): void;
}

export interface Registry {
  /** A counter; `labelNames` are the only labels it accepts, `initial` label sets start at 0. */
  counter(name: string, help: string, labelNames?: readonly string[], initial?: readonly Labels[]): Counter;
  /** A histogram with these upper bounds (ascending; +Inf is added). */
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  families(): Family[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A bug in how a metric is declared or used (never bad input): thrown so tests catch it. */
export class MetricError extends Error {
  override readonly name = 'MetricError';
}

function keyOf(labelNames: readonly string[], labels: Labels, metric: string): string {
  const given = Object.keys(labels);
  for (const k of given)
    if (!labelNames.includes(k)) throw new MetricError(`${metric}: unknown label '${k}'`);
  if (given.length !== labelNames.length)
    throw new MetricError(`${metric}: expected labels ${labelNames.join(', ')}, got ${given.join(', ')}`);
  return JSON.stringify(labelNames.map((n) => labels[n]));
}

export function createRegistry(): Registry {
  const collectors: (() => Family)[] = [];
  const names = new Set<string>();

  const declare = (name: string, labelNames: readonly string[]): void => {
    if (!NAME.test(name)) throw new MetricError(`invalid metric name '${name}'`);
    if (names.has(name)) throw new MetricError(`metric '${name}' declared twice`);
    for (const l of labelNames)
      if (!LABEL.test(l) || l.startsWith('__') || l === 'le')
        throw new MetricError(`${name}: invalid label name '${l}'`);
    names.add(name);
  };

  return {
    counter(name, help, labelNames = [], initial = []) {
      declare(name, labelNames);
      if (!name.endsWith('_total')) throw new MetricError(`counter '${name}' must end in _total`);
      const values = new Map<string, { labels: Labels; value: number }>();
      const inc = (labels: Labels = {}, by = 1): void => {
        if (!(by >= 0)) throw new MetricError(`${name}: a counter only goes up (got ${by})`);
        const key = keyOf(labelNames, labels, name);
        const entry = values.get(key);
        if (entry) entry.value += by;
        else values.set(key, { labels: { ...labels }, value: by });
      };
      for (const labels of initial) inc(labels, 0);
      if (!labelNames.length) inc({}, 0);
      collectors.push(() => ({
        name,
        help,
        type: 'counter',
        samples: [...values.values()].map((v) => ({ suffix: '', labels: v.labels, value: v.value })),
      }));
      return { inc };
    },

    histogram(name, help, buckets) {
      declare(name, []);
      const bounds = [...buckets];
      if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] ?? -Infinity))))
        throw new MetricError(`${name}: buckets must be finite and ascending`);
      const counts = bounds.map(() => 0);
      let sum = 0;
      let count = 0;
      collectors.push(() => {
        const samples: Sample[] = bounds.map((b, i) => ({
          suffix: '_bucket',
          labels: { le: String(b) },
          value: counts[i] ?? 0,
        }));
        samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: count });
        samples.push({ suffix: '_sum', labels: {}, value: sum });
        samples.push({ suffix: '_count', labels: {}, value: count });
        return { name, help, type: 'histogram', samples };
      });
      return {
        observe(value) {
          if (Number.isNaN(value)) return;
          // Buckets are cumulative: a value counts in every bucket whose bound it does not exceed.
          bounds.forEach((b, i) => {
            if (value <= b) counts[i] = (counts[i] ?? 0) + 1;
          });
          sum += value;
          count++;
        },
      };
    },

    families: () => collectors.map((c) => c()),
  };
}
