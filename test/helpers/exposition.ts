// A strict reader of the Prometheus text format 0.0.4 for tests: every line must be valid, or it throws.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  help: Map<string, string>;
  types: Map<string, string>;
  samples: ParsedSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE})(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const HELP = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const PAIR = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g');

const unescape = (s: string): string => s.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.get(base) === 'histogram' || types.get(base) === 'summary' ? base : undefined;
}

export function parseExposition(text: string): ParsedExposition {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const out: ParsedExposition = { help: new Map(), types: new Map(), samples: [] };
  const seen = new Set<string>();
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${JSON.stringify(line)}`;
      let m: RegExpExecArray | null;
      if ((m = HELP.exec(line))) {
        if (out.help.has(m[1] ?? '')) throw new Error(`second HELP, ${where}`);
        out.help.set(m[1] ?? '', m[2] ?? '');
      } else if ((m = TYPE.exec(line))) {
        const name = m[1] ?? '';
        if (out.types.has(name)) throw new Error(`second TYPE, ${where}`);
        if (out.samples.some((s) => familyOf(s.name, new Map([[name, m?.[2] ?? '']])) === name))
          throw new Error(`TYPE after samples, ${where}`);
        out.types.set(name, m[2] ?? '');
      } else if (line.startsWith('#')) {
        if (!/^# /.test(line) && line !== '#') throw new Error(`bad comment, ${where}`);
      } else if ((m = SAMPLE.exec(line))) {
        const name = m[1] ?? '';
        if (!familyOf(name, out.types)) throw new Error(`sample without TYPE, ${where}`);
        const labels: Record<string, string> = {};
        for (const p of (m[2] ?? '').matchAll(PAIR)) {
          const key = p[1] ?? '';
          if (key in labels) throw new Error(`repeated label ${key}, ${where}`);
          labels[key] = unescape((p[2] ?? '""').slice(1, -1));
        }
        const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
        if (seen.has(series)) throw new Error(`duplicate series, ${where}`);
        seen.add(series);
        const raw = m[3] ?? '';
        const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
        out.samples.push({ name, labels, value });
      } else if (line !== '') throw new Error(`invalid exposition line, ${where}`);
    });
  return out;
}

/** The value of one series (labels must match exactly), or undefined when absent. */
export function sampleValue(
  p: ParsedExposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return p.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)
    ?.value;
}
