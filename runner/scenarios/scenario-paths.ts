/** Where built-in scenarios and the default topology live (the checkout, or dist/ of the installed package). */
import { OWN_ROOT, ownPath } from '../package/own-path.ts';

export const REPO_ROOT = OWN_ROOT;
export const BUILTIN_SCENARIO_DIR = ownPath('scenarios');
export const DEFAULT_TOPOLOGY_FILE = ownPath('micro.dev.yaml');
