#!/usr/bin/env node
// The micro-dev launcher. TypeScript runs natively (Node >= 22.18 strips types), so there is no build step.
// Under an older Node it says so plainly instead of failing on the first `.ts` import.
const [major, minor] = process.versions.node.split('.').map(Number);
if (!process.features?.typescript && (major < 22 || (major === 22 && minor < 18))) {
  process.stderr.write(
    `micro-dev needs Node >= 22.18 (this is ${process.version}).\n` +
      `Run it through npm so the pinned Node 24 is used:  npx micro-dev ...  or  npm exec micro-dev ...\n`,
  );
  process.exit(2);
}
await import('../runner/cli/main.ts');
