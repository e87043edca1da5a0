import { describe, expect, it } from 'vitest';
import { decodeTagValue, decodeTags, encodeTagValue, encodeTags } from './registry-encoding.ts';

// Vectors from micro-api.md §6.2 (Python zlib output; decode them rather than compare our hex).
const V_LATEST = 'v-789ccb492c492d2e010008cc028e';
const T_PROTOCOL = 't-789cab562a28ca2fc94fcecf51b252ca2d4d2e50aa050046a906e2';

const SAY_HELLO = {
  name: 'Say.Hello',
  request: { name: 'Request', type: 'Request', values: [{ name: 'name', type: 'string', values: null }] },
  response: { name: 'Response', type: 'Response', values: [{ name: 'msg', type: 'string', values: null }] },
  metadata: {},
};

describe('go-micro consul tag encoding', () => {
  it('decodes the reference vectors', () => {
    expect(decodeTagValue(V_LATEST.slice(2))).toBe('latest');
    const d = decodeTags([V_LATEST, T_PROTOCOL]);
    expect(d).toEqual({ version: 'latest', metadata: { protocol: 'mucp' }, endpoints: [] });
  });

  it('encodes with default zlib (hex starts 789c), one t- tag per metadata key, then e-, then v-', () => {
    const tags = encodeTags({ protocol: 'mucp', broker: 'http' }, [SAY_HELLO], 'latest');
    expect(tags.map((t) => t.slice(0, 6))).toEqual(['t-789c', 't-789c', 'e-789c', 'v-789c']);
    expect(decodeTagValue(tags[0]!.slice(2))).toBe('{"protocol":"mucp"}');
    expect(decodeTagValue(tags[2]!.slice(2))).toBe(
      '{"name":"Say.Hello","request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},"response":{"name":"Response","type":"Response","values":[{"name":"msg","type":"string","values":null}]},"metadata":{}}',
    );
    expect(decodeTags(tags)).toEqual({ version: 'latest', metadata: { protocol: 'mucp', broker: 'http' }, endpoints: [SAY_HELLO] });
  });

  it('round-trips endpoint metadata and an endpoint without request/response', () => {
    const ep = { name: 'Say.Hello', metadata: { handler: 'api', path: '/greeter', method: 'GET,POST' } };
    const d = decodeTags(encodeTags({}, [ep], '1.0'));
    expect(d.endpoints).toEqual([ep]);
    expect(d.version).toBe('1.0');
  });

  it('accepts legacy plain tags, and only the first style seen per kind', () => {
    const d = decodeTags(['t={"a":"1"}', 'e={"name":"X.Y","metadata":{}}', 'v=2', 't-' + encodeTagValue('{"b":"2"}')]);
    expect(d).toEqual({ metadata: { a: '1' }, endpoints: [{ name: 'X.Y', metadata: {} }], version: '2' });
  });

  it('decodes a tag seen before to the same value, broken ones to undefined again, past the cache size too', () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `{"n":"${i}"}`);
    const tags = texts.map(encodeTagValue);
    for (let round = 0; round < 2; round++) {
      tags.forEach((t, i) => expect(decodeTagValue(t)).toBe(texts[i]));
      expect(decodeTagValue('zz')).toBeUndefined();
      expect(decodeTagValue('789c00')).toBeUndefined();
    }
    // every node of a service carries the same tags: each decodes whole, into objects of its own
    const [a, b] = [decodeTags(encodeTags({ k: 'v' }, [{ name: 'Say.Hello', metadata: {} }], '1')), decodeTags(encodeTags({ k: 'v' }, [{ name: 'Say.Hello', metadata: {} }], '1'))];
    expect(a).toEqual({ metadata: { k: 'v' }, endpoints: [expect.objectContaining({ name: 'Say.Hello' })], version: '1' });
    expect(b).toEqual(a);
    expect(b.metadata).not.toBe(a.metadata);
  });

  it('ignores foreign and broken tags', () => {
    expect(decodeTags(['primary', 't-zz', 'e-789c00', 'x-1', 'v'])).toEqual({ metadata: {}, endpoints: [], version: '' });
  });
});
