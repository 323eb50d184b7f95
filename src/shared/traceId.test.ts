import { decodeBase64, normalizeSpanId, normalizeTraceId } from './traceId';

const FULL = '4bf92f3577b34da6a3ce929d0e0e4736';

// The same table as pkg/traceid/traceid_test.go, so both sides agree case by case.
describe('normalizeTraceId', () => {
  it.each([
    ['hex lower', FULL, FULL],
    ['hex upper', FULL.toUpperCase(), FULL],
    ['hex with spaces', `  ${FULL}\n`, FULL],
    ['uuid dashes', '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', FULL],
    ['64-bit padded', 'a3ce929d0e0e4736', '0000000000000000a3ce929d0e0e4736'],
    ['leading zeros stripped (tempo search)', '2f3577b34da6a3ce929d0e0e4736', '00002f3577b34da6a3ce929d0e0e4736'],
    ['base64 16 bytes (tempo json)', 'S/kvNXezTaajzpKdDg5HNg==', FULL],
    ['base64 raw url', 'S_kvNXezTaajzpKdDg5HNg', FULL],
    ['base64 8 bytes padded to 128', 'o86SnQ4ORzY=', '0000000000000000a3ce929d0e0e4736'],
  ])('%s', (_name, input, want) => {
    expect(normalizeTraceId(input)).toEqual({ ok: true, id: want });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['all zeros', '00000000000000000000000000000000'],
    ['too long hex', `${FULL}00`],
    ['not hex not base64', 'trace-xyz!'],
    ['base64 of wrong size', 'AAECAw=='],
    ['short dashed', 'ab-cd'],
    ['leading dash', `-${FULL.slice(1)}`],
    ['double dash', '4bf92f35--77b3-4da6-a3ce-929d0e0e473'],
    ['quote injection', '"} or {'],
  ])('rejects %s and quotes the input', (_name, input) => {
    const r = normalizeTraceId(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(JSON.stringify(input));
    }
  });
});

describe('normalizeSpanId', () => {
  it.each([
    ['hex', '00F067AA0BA902B7', '00f067aa0ba902b7'],
    ['stripped', 'f067aa0ba902b7', '00f067aa0ba902b7'],
    ['base64', 'APBnqgupArc=', '00f067aa0ba902b7'],
  ])('%s', (_name, input, want) => {
    expect(normalizeSpanId(input)).toEqual({ ok: true, id: want });
  });

  it.each([['trace-sized', FULL], ['junk', 'zz']])('rejects %s', (_name, input) => {
    expect(normalizeSpanId(input).ok).toBe(false);
  });
});

describe('decodeBase64 (Go semantics)', () => {
  it.each([
    ['padded std', 'AAECAw==', [0, 1, 2, 3]],
    ['raw std', 'AAECAw', [0, 1, 2, 3]],
    ['url alphabet', '-_8', [0xfb, 0xff]],
    ['newlines ignored', 'AAEC\nAw==', [0, 1, 2, 3]],
  ])('%s', (_name, input, want) => {
    expect(Array.from(decodeBase64(input) ?? [])).toEqual(want);
  });

  it.each(['A', 'AAECA===', 'AA=A', 'AAAA=', '*AAA'])('rejects %p', (input) => {
    expect(decodeBase64(input)).toBeUndefined();
  });

  it('never yields an ID for random strings that is not 32 lower hex digits', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const chars = '0123456789abcdefABCDEF-+/=_ xyz"';
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rnd() * 40);
      let s = '';
      for (let j = 0; j < len; j++) {
        s += chars[Math.floor(rnd() * chars.length)];
      }
      const r = normalizeTraceId(s);
      if (r.ok) {
        expect(r.id).toMatch(/^[0-9a-f]{32}$/);
        expect(normalizeTraceId(r.id)).toEqual(r);
      }
    }
  });
});

// The same table as pkg/traceid/headers_test.go: IDs as log lines and exemplars write them besides the bare ID,
// inside the W3C traceparent or B3 single header they were propagated in, and with the prose's punctuation or the
// logger's quotes and brackets around them. Each reads as the ID it carries, as the backend reads it; what is not an
// ID stays refused, quoting the input.
describe('IDs in context', () => {
  const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
  const SID = '00f067aa0ba902b7';
  const TID64 = 'a3ce929d0e0e4736';
  it.each([
    // name, input, trace ID (undefined: refused), span ID (undefined: refused)
    ['traceparent', `00-${TID}-${SID}-01`, TID, SID],
    ['traceparent upper case', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01', TID, SID],
    ['traceparent of a later version with more fields', `01-${TID}-${SID}-00-extra`, TID, SID],
    ['traceparent version 00 with more fields', `00-${TID}-${SID}-01-extra`, undefined, undefined],
    ['traceparent version ff', `ff-${TID}-${SID}-01`, undefined, undefined],
    ['traceparent with a zero trace ID', `00-00000000000000000000000000000000-${SID}-01`, undefined, undefined],
    ['b3 128-bit', `${TID}-${SID}-1`, TID, SID],
    ['b3 64-bit with parent', `${TID64}-${SID}-d-a2fb4a1d1a96d312`, `0000000000000000${TID64}`, SID],
    ['b3 64-bit without sampling', `${TID64}-${SID}`, `0000000000000000${TID64}`, SID],
    ['b3 bad sampling state', `${TID64}-${SID}-x`, undefined, undefined],
    ['trailing comma', `${TID},`, TID, undefined],
    ['sentence end', `${SID}.`, `0000000000000000${SID}`, SID],
    ['brackets', `[${TID}]`, TID, undefined],
    ['quotes', `"${SID}"`, `0000000000000000${SID}`, SID],
    ['single quotes and semicolon', `'${TID}';`, TID, undefined],
    ['parenthesised base64', '(S/kvNXezTaajzpKdDg5HNg==)', TID, undefined],
    ['punctuation only', '[],', undefined, undefined],
    ['prefix is no punctuation', `0x${TID}`, undefined, undefined],
  ])('%s', (_name, input, trace, span) => {
    for (const [r, want] of [
      [normalizeTraceId(input), trace],
      [normalizeSpanId(input), span],
    ] as const) {
      if (want === undefined) {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error).toContain(JSON.stringify(input));
        }
      } else {
        expect(r).toEqual({ ok: true, id: want });
      }
    }
  });
});
