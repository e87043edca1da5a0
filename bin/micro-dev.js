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
const source = new URL('../runner/cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/runner/cli/main.js', import.meta.url).href);
