/**
 * checkTopologyText: the whole config pipeline on text already read, pure except for the injected
 * `fileExists`:
 *
 *   text -> parseYamlWithPositions -> ConfigSchema (zod) -> applyDefaults -> ALL_VALIDATORS
 *           (parseYamlWithSchema: the first two)
 *            syntax problems           shape problems                         rule problems
 *
 * Each stage runs only on a clean result from the one before (a mis-typed value cannot be defaulted), and
 * reports every problem it finds. Problems come back sorted by position.
 */
import { existsSync } from 'node:fs';
import { applyDefaults } from './apply-defaults.ts';
import { sortProblems, type ConfigProblem } from './config-problem.ts';
import { ConfigSchema } from './config-schema.ts';
import { parseYamlWithSchema } from './parse-yaml-with-schema.ts';
import type { Topology } from './topology.ts';
import { ALL_VALIDATORS } from './validators/all-validators.ts';

export interface TopologyCheck {
  /** Present only when there are no problems. */
  topology?: Topology;
  problems: ConfigProblem[];
}

export interface CheckOptions {
  /** Existence of an absolute path; default fs.existsSync. */
  fileExists?: (absPath: string) => boolean;
}

/** `file` must be absolute: it is where problems point and what relative paths resolve against. */
export function checkTopologyText(text: string, file: string, options: CheckOptions = {}): TopologyCheck {
  const shaped = parseYamlWithSchema(text, file, ConfigSchema, {
    emptyMessage: 'the config file is empty: it needs at least a services: mapping',
  });
  if (!shaped.data) return { problems: shaped.problems };

  const topology = applyDefaults(shaped.data, file);
  const input = { topology, raw: shaped.data, parsed: shaped.parsed, fileExists: options.fileExists ?? existsSync };
  const problems = sortProblems(ALL_VALIDATORS.flatMap((validate) => validate(input)));
  return problems.length > 0 ? { problems } : { topology, problems };
}
