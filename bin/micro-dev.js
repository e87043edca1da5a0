#!/usr/bin/env node
// The micro-dev launcher. In the checkout TypeScript runs natively (Node >= 22.18 strips types), so there is
// no build step; the installed package (where Node will not strip types under node_modules) runs the
// JavaScript compiled into dist/ at prepack. The sources win when both are there.
// Under an older Node it says so plainly instead of failing on the first import.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (!process.features?.typescript && (major < 22 || (major === 22 && minor < 18))) {
  process.stderr.write(
    `micro-dev needs Node >= 22.18 (this is ${process.version}).\n` +
      `Install a newer Node, or run it through npm in the micro-dev repository (it pins Node 24): npx micro-dev ...\n`,
  );
  process.exit(2);
}
// `up` is long-running and allocates fast under load: V8 then grows the young generation to 3 x 16 MiB
// semi-spaces and keeps them (issue 13: most of the RSS gained under load). The flag only works at start,
// so the launcher replaces itself (same pid, same stdio) with a Node that has it. Skipped where execve is
// missing (Windows, older Node) or the flag is already given.
const semiSpace = '--max-semi-space-size';
if (
  process.argv[2] === 'up' &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32' &&
  !process.execArgv.some((a) => a.startsWith(semiSpace)) &&
  !(process.env.NODE_OPTIONS ?? '').includes(semiSpace)
) {
  process.execve(process.execPath, [process.execPath, `${semiSpace}=4`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
const own = (path) => {
  const source = new URL(`../runner/cli/${path}.ts`, import.meta.url);
  return existsSync(source) ? source.href : new URL(`../dist/runner/cli/${path}.js`, import.meta.url).href;
};
// Ctrl-C is caught from here on (before the rest loads), so `up` can stop cleanly at any moment.
await import(own('shutdown-signals'));
await import(own('main'));
