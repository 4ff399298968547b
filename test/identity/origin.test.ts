// Origins without a ledger: the pieces of an ARN they are named after.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/demo/random.js';
import { lastSegment } from '../../src/identity/origin.js';

describe('lastSegment', () => {
  it('takes what follows the last / or : of an ARN', () => {
    expect(lastSegment('arn:aws:iam::111122223333:user/ops/alice')).toBe('alice');
    expect(lastSegment('arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc')).toBe('i-0abc');
    expect(lastSegment('arn:aws:iam::111122223333:root')).toBe('root');
    expect(lastSegment('arn:aws:iam::111122223333:user/')).toBeNull();
    expect(lastSegment('no-separator')).toBeNull();
    expect(lastSegment('')).toBeNull();
    expect(lastSegment(null)).toBeNull();
  });

  it('answers as the pattern /[/:]([^/:]+)$/ does on any text', () => {
    const rng = createRng(7);
    const alphabet = ['a', 'Z', '/', ':', '\n', '-', 'é'];
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let n = rng.int(0, 12); n > 0; n--) text += rng.pick(alphabet);
      expect(lastSegment(text), JSON.stringify(text)).toBe(/[/:]([^/:]+)$/.exec(text)?.[1] ?? null);
    }
  });
});
