import { describe, expect, it } from 'vitest';
import { qsonToJson } from './qson.ts';

describe('qsonToJson (go-micro util/qson)', () => {
  const rows: [string, unknown][] = [
    ['name=Test', { name: 'Test' }],
    ['name=John', { name: 'John' }],
    ['a=1&b=true', { a: 1, b: true }],
    ['x[y]=1', { x: { y: 1 } }],
    ['x[]=1&x[]=2', { x: [1, 2] }],
    ['a=1&a=2', { a: 2 }],
    ['name=John%20Smith', { name: 'John Smith' }],
    ['', {}],
  ];
  it.each(rows)('%j', (q, expected) => {
    expect(JSON.parse(qsonToJson(q))).toEqual(expected);
  });
  it('a parameter without = is an error', () => {
    expect(() => qsonToJson('a')).toThrow('qson: invalid url query param provided');
  });
});
