import { describe, expect, it } from 'vitest';
import { validateServiceNames } from './validate-service-names.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateServiceNames', () => {
  it.each([
    { name: 'greeter-srv', ok: true },
    { name: 'go.micro.srv.greeter', ok: true },
    { name: 'svc_2', ok: true },
    { name: '-lead', ok: false },
    { name: 'has space', ok: false },
    { name: 'slash/y', ok: false },
    { name: 'x'.repeat(64), ok: false },
  ])('$name ok=$ok', ({ name, ok }) => {
    const got = runValidator(validateServiceNames, `services:\n  "${name}": {module: a.ts}\n`);
    expect(got).toEqual(
      ok ? [] : [`2:3: service name "${name}" is not allowed (letters, digits, ".", "_", "-"; starts with a letter or digit; at most 63 characters)`],
    );
  });
});
