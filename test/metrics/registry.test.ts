// The metrics registry and the exposition formatter: values, histograms, escaping, and misuse caught.
import { describe, expect, it } from 'vitest';
import { formatExposition, formatValue } from '../../src/metrics/exposition.js';
import { createRegistry, MetricError } from '../../src/metrics/registry.js';
import { parseExposition, sampleValue } from '../helpers/exposition.js';

describe('metrics registry', () => {
  it('counts with and without labels, starting declared label sets at zero', () => {
    const r = createRegistry();
    const plain = r.counter('tw_things_total', 'Things.');
    const byReason = r.counter('tw_bad_total', 'Bad things.', ['reason'], [{ reason: 'a' }, { reason: 'b' }]);
    plain.inc();
    plain.inc({}, 4);
    byReason.inc({ reason: 'b' }, 2);
    byReason.inc({ reason: 'c' });
    const p = parseExposition(formatExposition(r.families()));
    expect(sampleValue(p, 'tw_things_total')).toBe(5);
    expect(sampleValue(p, 'tw_bad_total', { reason: 'a' })).toBe(0);
    expect(sampleValue(p, 'tw_bad_total', { reason: 'b' })).toBe(2);
    expect(sampleValue(p, 'tw_bad_total', { reason: 'c' })).toBe(1);
    expect(p.types.get('tw_bad_total')).toBe('counter');
    expect(p.help.get('tw_things_total')).toBe('Things.');
  });

  it('keeps cumulative histogram buckets with +Inf, sum and count', () => {
    const r = createRegistry();
    const h = r.histogram('tw_delay_seconds', 'Delay.', [1, 10]);
    for (const v of [0.5, 1, 5, 50]) h.observe(v);
    const p = parseExposition(formatExposition(r.families()));
    expect(sampleValue(p, 'tw_delay_seconds_bucket', { le: '1' })).toBe(2);
    expect(sampleValue(p, 'tw_delay_seconds_bucket', { le: '10' })).toBe(3);
    expect(sampleValue(p, 'tw_delay_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(sampleValue(p, 'tw_delay_seconds_sum')).toBe(56.5);
    expect(sampleValue(p, 'tw_delay_seconds_count')).toBe(4);
  });

  it('escapes help text and label values so every line stays valid', () => {
    const r = createRegistry();
    r.counter('tw_odd_total', 'Back\\slash and\nnewline.', ['v']).inc({ v: 'quote " slash \\ nl \n end' });
    const text = formatExposition(r.families());
    expect(text).toContain('# HELP tw_odd_total Back\\\\slash and\\nnewline.');
    const p = parseExposition(text);
    expect(p.samples[0]?.labels.v).toBe('quote " slash \\ nl \n end');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });

  it('refuses misuse: bad names, counters without _total, unknown labels, going down', () => {
    const r = createRegistry();
    expect(() => r.counter('tw-bad_total', 'x')).toThrow(MetricError);
    expect(() => r.counter('tw_count', 'x')).toThrow(/_total/);
    const c = r.counter('tw_x_total', 'x', ['kind']);
    expect(() => r.counter('tw_x_total', 'x')).toThrow(/twice/);
    expect(() => c.inc({ account: '1' })).toThrow(/unknown label/);
    expect(() => c.inc({})).toThrow(/expected labels/);
    expect(() => c.inc({ kind: 'a' }, -1)).toThrow(/only goes up/);
    expect(() => r.histogram('tw_h', 'x', [5, 1])).toThrow(/ascending/);
  });

  it('the strict reader rejects invalid lines (so format tests can fail)', () => {
    expect(() => parseExposition('# TYPE a counter\na 1')).toThrow(/newline/);
    expect(() => parseExposition('a 1\n')).toThrow(/without TYPE/);
    expect(() => parseExposition('# TYPE a counter\na{b="x} 1\n')).toThrow(/invalid/);
    expect(() => parseExposition('# TYPE a counter\na one\n')).toThrow(/invalid/);
    expect(() => parseExposition('# TYPE a counter\na 1\na 2\n')).toThrow(/duplicate/);
  });
});
