/**
 * ownPath: where one of micro-dev's own files is, in the checkout and in the installed package alike.
 *
 *   checkout (Node strips the types)      installed package (compiled at prepack: Node will not strip types
 *                                         under node_modules)
 *   <repo>/runner/.../guard.ts       -->  <pkg>/dist/runner/.../guard.js
 *   <repo>/scenarios/crash-loop.yaml -->  <pkg>/dist/scenarios/crash-loop.yaml
 *   <repo>/package.json              -->  <pkg>/package.json
 *
 * A file is named by its checkout path from the repository root ('runner/runtimes/process/guard.ts'); a `.ts`
 * module comes back as the `.js` the build emitted when this code runs compiled. Files under a `templates/`
 * folder ship verbatim, so their `.ts` stays. Every place that loads one of our files by path at runtime
 * (worker threads, child processes, scenario and schema files, templates) goes through here; `import`
 * statements do not need it (the build rewrites their extensions).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** True when this is the build in dist/ (the installed package), false in the checkout. */
export const RUNNING_COMPILED = here.endsWith('.js');

/** The folder holding runner/, services/, scenarios/...: the checkout root, or `<pkg>/dist`. */
export const OWN_ROOT = path.resolve(path.dirname(here), '../..');

/** The package's package.json (beside dist/ when compiled). */
export const OWN_PACKAGE_JSON = path.join(RUNNING_COMPILED ? path.dirname(OWN_ROOT) : OWN_ROOT, 'package.json');

/** Absolute path of an own file named by its checkout path from the repository root. */
export function ownPath(checkoutPath: string): string {
  if (path.isAbsolute(checkoutPath)) throw new TypeError(`ownPath takes a path from the repository root, got ${checkoutPath}`);
  const file = path.join(OWN_ROOT, checkoutPath);
  const verbatim = checkoutPath.split(/[\\/]/).includes('templates');
  return RUNNING_COMPILED && !verbatim && file.endsWith('.ts') ? `${file.slice(0, -3)}.js` : file;
}
