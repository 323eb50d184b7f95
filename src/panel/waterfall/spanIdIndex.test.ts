import { makeRng } from '../testing/random';
import { SpanIdIndex } from './spanIdIndex';

describe('SpanIdIndex', () => {
  it('answers like a Map over the strings, first row winning', () => {
    const rng = makeRng(11);
    const hex = () => Math.floor(rng.next() * 2 ** 32).toString(16).padStart(8, '0');
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      ids.push(hex() + hex());
    }
    // Repeats, IDs a hex parse would confuse, and IDs that are not lower-case hex of 16 digits.
    ids.push(ids[7], ids[4000], '00000000000000ab', 'ab', '00000000000000AB', 'not-a-span-id-16', '', 'spanid', ids[7].toUpperCase(),
      // Non-hex characters whose low 7 bits are a hex digit's code ('\u0130' → '0', '\u00e1' → 'a').
      '000000000000000\u0130', '00000000000000\u00e1a', 'ffffffffffffffff', '00000000000000g0');
    const map = new Map<string, number>();
    ids.forEach((id, r) => {
      if (!map.has(id)) {
        map.set(id, r);
      }
    });
    const index = new SpanIdIndex(ids);
    expect(index.duplicates).toBe(ids.length - map.size);
    for (const id of [...ids, '0000000000000000', '0000000000000000'.replace(/0$/, '\u0130'), '00000000000000aa', 'AB', 'missing']) {
      expect(index.get(id)).toBe(map.get(id) ?? -1);
    }
  });

  it('keeps IDs whose halves collide in the table apart', () => {
    // Same high half, low halves differing in one bit; and the all-zero ID, which must not read as an empty slot.
    const ids = ['0123456789abcdef', '0123456789abcdee', '0000000000000000', 'fedcba9876543210'];
    const index = new SpanIdIndex(ids);
    ids.forEach((id, r) => expect(index.get(id)).toBe(r));
    expect(index.get('0123456789abcded')).toBe(-1);
  });
});
