/** Where built-in scenarios and the default topology live (the repository, found from this file). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILTIN_SCENARIO_DIR = path.join(REPO_ROOT, 'scenarios');
export const DEFAULT_TOPOLOGY_FILE = path.join(REPO_ROOT, 'micro.dev.yaml');
