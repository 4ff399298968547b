import { describe, expect, it } from 'vitest';
import { EVENT_PARAMS, eventQueryOf } from '../../src/server/params.js';

/** Query-string parameters that record which names a parser asks for. */
class Recording extends URLSearchParams {
  readonly read = new Set<string>();
  override get(name: string): string | null {
    this.read.add(name);
    return super.get(name);
  }
  override getAll(name: string): string[] {
    this.read.add(name);
    return super.getAll(name);
  }
  override has(name: string): boolean {
    this.read.add(name);
    return super.has(name);
  }
}

describe('event search parameters', () => {
  it('lists exactly the parameters the search reads (the OpenAPI test checks the list)', () => {
    const q = new Recording();
    eventQueryOf(q, Date.now());
    expect([...q.read].sort()).toEqual([...EVENT_PARAMS].sort());
  });
});
