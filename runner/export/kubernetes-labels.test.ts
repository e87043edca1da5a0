import { describe, expect, it } from 'vitest';
import { GATEWAY_NAME, REGISTRY_NAME, gatewaySelector, labelValue, objectLabels, registrySelector, serviceSelector } from './kubernetes-labels.ts';

describe('kubernetes labels contract', () => {
  it('names a service, its project and its tier; the selector is a subset of the object labels', () => {
    const labels = objectLabels('greeter', { component: 'service', service: 'greeter-srv' });
    expect(labels).toEqual({
      'app.kubernetes.io/name': 'greeter-srv',
      'app.kubernetes.io/instance': 'greeter',
      'app.kubernetes.io/component': 'service',
      'app.kubernetes.io/part-of': 'micro-dev',
      'micro-dev/service': 'greeter-srv',
    });
    expect(labels).toMatchObject(serviceSelector('greeter', 'greeter-srv'));
  });

  it('gives the gateway and the registry their own names and components', () => {
    expect(gatewaySelector('greeter')).toEqual({ 'app.kubernetes.io/name': GATEWAY_NAME, 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/component': 'gateway' });
    expect(registrySelector('greeter')).toEqual({ 'app.kubernetes.io/name': REGISTRY_NAME, 'app.kubernetes.io/instance': 'greeter', 'app.kubernetes.io/component': 'registry' });
    expect(objectLabels('greeter', { component: 'gateway' })).not.toHaveProperty('micro-dev/service');
  });

  it.each([
    ['greeter', 'greeter'],
    ['my project', 'my-project'],
    ['-x_', 'x'],
    ['a'.repeat(70), 'a'.repeat(63)],
  ])('label value of %j is %j', (raw, value) => {
    expect(labelValue(raw)).toBe(value);
  });
});
