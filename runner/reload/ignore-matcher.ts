/**
 * ignoreMatcher: turns a service's `watch.ignore` patterns into one predicate over absolute paths.
 *
 * Patterns read like .gitignore lines, relative to the config folder:
 *   `node_modules`, `.git`, `.micro-dev/`, `*.log`   (no slash inside)  -> any path segment matching it
 *   `services/greeter-srv/dist`, `src/**\/*.gen.ts`  (a slash inside)   -> the relative path (or a parent)
 * A trailing `/` only means "a folder"; it is dropped before matching (a file named like it is rare enough).
 * Paths outside the config folder are matched by their segments only.
 */
import path from 'node:path';

export function ignoreMatcher(patterns: readonly string[], root: string): (absolutePath: string) => boolean {
  const segmentPatterns: string[] = [];
  const pathPatterns: string[] = [];
  for (const raw of patterns) {
    const p = raw.trim().replace(/\/+$/, '').replace(/^\.\//, '');
    if (p === '') continue;
    (p.includes('/') ? pathPatterns : segmentPatterns).push(p);
  }
  return (absolutePath) => {
    const rel = path.relative(root, absolutePath).split(path.sep).join('/');
    // The config folder itself may sit under an ignored name (a checkout in ~/.git-worktrees, a .micro-dev/
    // scratch folder): inside it, only the part below it counts.
    const inside = !rel.startsWith('../') && rel !== '..' && !path.isAbsolute(rel);
    const segments = (inside ? rel : absolutePath).split(/[\\/]/).filter(Boolean);
    if (segments.some((s) => segmentPatterns.some((p) => s === p || path.posix.matchesGlob(s, p)))) return true;
    if (!inside) return false;
    // A pattern matches the path itself or any of its parent folders.
    for (let i = segments.length; i > 0; i--) {
      const prefix = segments.slice(0, i).join('/');
      if (pathPatterns.some((p) => prefix === p || path.posix.matchesGlob(prefix, p))) return true;
    }
    return false;
  };
}
