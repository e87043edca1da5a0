import { describe, expect, it } from 'vitest';
import { splitCommand } from './split-command.ts';

describe('splitCommand', () => {
  it.each([
    { line: 'node server.js', want: ['node', 'server.js'] },
    { line: '  go   run  .  ', want: ['go', 'run', '.'] },
    { line: `node -e 'console.log("hi")'`, want: ['node', '-e', 'console.log("hi")'] },
    { line: `echo "a \\"b\\" $HOME"`, want: ['echo', 'a "b" $HOME'] },
    { line: 'echo a\\ b', want: ['echo', 'a b'] },
    { line: `echo ''`, want: ['echo', ''] },
    { line: `x "a"'b'c`, want: ['x', 'abc'] },
    { line: 'a | b && c', want: ['a', '|', 'b', '&&', 'c'] },
    { line: '', want: [] },
  ])('$line', ({ line, want }) => {
    expect(splitCommand(line)).toEqual(want);
  });

  it.each([`echo 'open`, `echo "open`])('throws on an unterminated quote: %s', (line) => {
    expect(() => splitCommand(line)).toThrow(/unterminated (single|double) quote/);
  });
});
