/** The validators loadTopology runs, in report order (all run; problems are sorted by position after). */
import { validateDependsOnExist } from './validate-depends-on-exist.ts';
import { validateNoCycles } from './validate-no-cycles.ts';
import { validatePathsExist } from './validate-paths-exist.ts';
import { validateRegistry } from './validate-registry.ts';
import { validateRuntimeFields } from './validate-runtime-fields.ts';
import { validateServiceNames } from './validate-service-names.ts';
import { validateServiceSettings } from './validate-service-settings.ts';
import { validateUniquePorts } from './validate-unique-ports.ts';
import type { Validator } from './validator.ts';

export const ALL_VALIDATORS: readonly Validator[] = [
  validateServiceNames,
  validateDependsOnExist,
  validateNoCycles,
  validateUniquePorts,
  validateRuntimeFields,
  validatePathsExist,
  validateRegistry,
  validateServiceSettings,
];
