import { describe, expect, it } from 'vitest';
import { mapServiceName, type FaceName } from './face-names.ts';

const consul = (name: string): FaceName => ({ face: 'consul', name });
const eureka = (app: string): FaceName => ({ face: 'eureka', app });
const nacos = (service: string, group = 'DEFAULT_GROUP', namespace = 'public'): FaceName => ({ face: 'nacos', namespace, group, service });

// from, and what it reads as through Consul, Eureka and Nacos.
const rows: [FaceName, string, string, FaceName][] = [
  [consul('greeter-srv'), 'greeter-srv', 'GREETER-SRV', nacos('greeter-srv')],
  [consul('go.micro.srv.greeter'), 'go.micro.srv.greeter', 'GO.MICRO.SRV.GREETER', nacos('go.micro.srv.greeter')],
  [eureka('JQSERVICE'), 'jqservice', 'JQSERVICE', nacos('jqservice')],
  [eureka('jqService'), 'jqservice', 'JQSERVICE', nacos('jqservice')],
  [nacos('svc'), 'svc', 'SVC', nacos('svc')],
  [nacos('cart', 'shop'), 'shop@@cart', 'SHOP@@CART', nacos('cart', 'shop')],
  [nacos('greeter', 'DEFAULT_GROUP', 'dev'), 'dev/DEFAULT_GROUP@@greeter', 'DEV/DEFAULT_GROUP@@GREETER', nacos('greeter', 'DEFAULT_GROUP', 'dev')],
  [nacos('greeter', '', ''), 'greeter', 'GREETER', nacos('greeter')],
  // A Consul name with a slash but no group separator is not a namespace.
  [consul('a/b'), 'a/b', 'A/B', nacos('a/b')],
  // An empty group or service around @@ is not a group.
  [consul('@@x'), '@@x', '@@X', nacos('@@x')],
  [consul('x@@'), 'x@@', 'X@@', nacos('x@@')],
];

describe('mapServiceName: one catalog name, three faces', () => {
  it.each(rows)('%o', (from, asConsul, asEureka, asNacos) => {
    expect(mapServiceName(from, 'consul')).toEqual(consul(asConsul));
    expect(mapServiceName(from, 'eureka')).toEqual(eureka(asEureka));
    expect(mapServiceName(from, 'nacos')).toEqual(asNacos);
  });

  it('round-trips every Nacos name through the catalog', () => {
    for (const [, , , n] of rows) expect(mapServiceName(mapServiceName(n, 'consul'), 'nacos')).toEqual(n);
  });
});
