/**
 * A copy of examples/polyglot in a temp folder, as a user would run it, on free ports: the folder keeps its
 * place under `examples/` (a `services` symlink beside it stands for the repository's services, so the
 * greeter and the kit resolve), `go build` writes its binary into the copy, not into the repository.
 */
import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { findListenPort } from '../../runner/net/find-listen-port.ts';
import { repoRoot } from '../support/cli-process.ts';

export interface PolyglotCopy {
  /** The copy's examples/polyglot folder. */
  dir: string;
  /** Its micro.dev.yaml, ports rewritten. */
  file: string;
  ports: { registry: number; gateway: number; proxy: number; web: number; faults: number };
}

const used = new Set<number>();
async function port(): Promise<number> {
  for (;;) {
    const p = await findListenPort();
    if (!used.has(p)) {
      used.add(p);
      return p;
    }
  }
}

/** `edit` may change the parsed document (a yaml Document) before it is written. */
export async function copyPolyglotExample(edit?: (doc: YAML.Document) => void): Promise<PolyglotCopy> {
  const root = await mkdtemp(join(tmpdir(), 'micro-dev-polyglot-'));
  const dir = join(root, 'examples', 'polyglot');
  await cp(join(repoRoot, 'examples', 'polyglot'), dir, { recursive: true, filter: (src) => !src.includes('/bin') });
  await symlink(join(repoRoot, 'services'), join(root, 'services'));
  const file = join(dir, 'micro.dev.yaml');
  const doc = YAML.parseDocument(await readFile(file, 'utf8'));
  const ports = { registry: await port(), gateway: await port(), proxy: await port(), web: await port(), faults: await port() };
  // The example's own lease timing (TTL 10 s): a busy machine must not expire a lease the test relies on.
  for (const [part, p] of Object.entries(ports)) doc.setIn([part, 'port'], p);
  edit?.(doc);
  await writeFile(file, doc.toString());
  return { dir, file, ports };
}
