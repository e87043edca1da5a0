/**
 * Validator: step 4 of the config pipeline. A named, pure check over the defaulted Topology (and the raw
 * YAML, to tell "written" from "defaulted"); returns every problem it finds, each pointing into the file.
 * File-system questions go through `fileExists`, so tests can pass a fixed set of paths.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { RawConfig } from '../config-schema.ts';
import type { ParsedYaml } from '../parse-yaml-with-positions.ts';
import type { Topology } from '../topology.ts';

export interface ValidationInput {
  topology: Topology;
  raw: RawConfig;
  parsed: Pick<ParsedYaml, 'locate' | 'problemAt'>;
  /** Synchronous existence check of an absolute path (file or folder). */
  fileExists(absPath: string): boolean;
}

export type Validator = (input: ValidationInput) => ConfigProblem[];
