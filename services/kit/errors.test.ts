import { describe, expect, it } from 'vitest';
import { MicroError, statusText } from './errors.ts';

describe('MicroError', () => {
  it('serialises as Go does: id, code, detail, status in that order', () => {
    const e = MicroError.badRequest('go.micro.api.greeter', 'Name cannot be blank');
    expect(JSON.stringify(e)).toBe('{"id":"go.micro.api.greeter","code":400,"detail":"Name cannot be blank","status":"Bad Request"}');
    expect(e.toString()).toBe(JSON.stringify(e));
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('Name cannot be blank');
  });

  it.each([
    ['badRequest', 400, 'Bad Request'],
    ['unauthorized', 401, 'Unauthorized'],
    ['forbidden', 403, 'Forbidden'],
    ['notFound', 404, 'Not Found'],
    ['methodNotAllowed', 405, 'Method Not Allowed'],
    ['timeout', 408, 'Request Timeout'],
    ['conflict', 409, 'Conflict'],
    ['internal', 500, 'Internal Server Error'],
  ] as const)('%s -> %i %s', (ctor, code, status) => {
    const e = MicroError[ctor]('x', 'y');
    expect(e.toJSON()).toEqual({ id: 'x', code, detail: 'y', status });
  });

  it('parse decodes the JSON form and keeps a plain string as detail with code 0', () => {
    expect(MicroError.parse('{"id":"a","code":408,"detail":"d","status":"Request Timeout"}').toJSON()).toEqual({
      id: 'a',
      code: 408,
      detail: 'd',
      status: 'Request Timeout',
    });
    expect(MicroError.parse('rpc: can\'t find method X').toJSON()).toEqual({
      id: '',
      code: 0,
      detail: "rpc: can't find method X",
      status: '',
    });
    expect(MicroError.parse('[1]').code).toBe(0);
  });

  it('escapes HTML characters like encoding/json', () => {
    expect(MicroError.badRequest('x', '<a&b>').toString()).toBe(
      '{"id":"x","code":400,"detail":"\\u003ca\\u0026b\\u003e","status":"Bad Request"}',
    );
  });

  it('from() keeps MicroErrors and parses other errors', () => {
    const e = MicroError.internal('x', 'y');
    expect(MicroError.from(e)).toBe(e);
    expect(MicroError.from(new Error('boom')).toJSON()).toEqual({ id: '', code: 0, detail: 'boom', status: '' });
    expect(statusText(0)).toBe('');
  });
});
