/**
 * One catalog, three faces: how a service name reads through Consul, Eureka and Nacos.
 *
 *   catalog (= Consul) name      Eureka app        Nacos (namespace, group, service)
 *   greeter                      GREETER           (public, DEFAULT_GROUP, greeter)
 *   shop@@cart                   SHOP@@CART        (public, shop, cart)
 *   dev/DEFAULT_GROUP@@greeter   DEV/...           (dev, DEFAULT_GROUP, greeter)
 *
 * Eureka upper-cases app names (ApplicationResource, the JSON codec), so the catalog keeps the lower-case
 * form and Eureka shows the upper-case one; a mixed-case Consul name therefore reads back lower-cased
 * from an Eureka registration (documented in DIFFERENCES.md). Nacos's default namespace and group vanish
 * from the catalog name; any other group is kept with Nacos's own `group@@service` spelling, and any
 * other namespace is a `namespace/` prefix (a Nacos namespace id has no `/`).
 */
export type Face = 'consul' | 'eureka' | 'nacos';

export interface NacosServiceName {
  namespace: string;
  group: string;
  service: string;
}

export type FaceName =
  | { face: 'consul'; name: string }
  | { face: 'eureka'; app: string }
  | ({ face: 'nacos' } & NacosServiceName);

export const NACOS_DEFAULT_NAMESPACE = 'public';
export const NACOS_DEFAULT_GROUP = 'DEFAULT_GROUP';
const GROUP_SEP = '@@';

/** Maps a service name from one face to another, through the catalog name. */
export function mapServiceName(from: FaceName, to: Face): FaceName {
  const name = catalogName(from);
  switch (to) {
    case 'consul':
      return { face: 'consul', name };
    case 'eureka':
      return { face: 'eureka', app: name.toUpperCase() };
    case 'nacos':
      return { face: 'nacos', ...nacosParts(name) };
  }
}

function catalogName(from: FaceName): string {
  switch (from.face) {
    case 'consul':
      return from.name;
    case 'eureka':
      return from.app.toLowerCase();
    case 'nacos': {
      const group = from.group || NACOS_DEFAULT_GROUP;
      const ns = from.namespace || NACOS_DEFAULT_NAMESPACE;
      if (ns !== NACOS_DEFAULT_NAMESPACE) return `${ns}/${group}${GROUP_SEP}${from.service}`;
      return group === NACOS_DEFAULT_GROUP ? from.service : `${group}${GROUP_SEP}${from.service}`;
    }
  }
}

function nacosParts(name: string): NacosServiceName {
  let namespace = NACOS_DEFAULT_NAMESPACE;
  let rest = name;
  const slash = name.indexOf('/');
  const sep = name.indexOf(GROUP_SEP);
  if (slash > 0 && sep > slash + 1) {
    namespace = name.slice(0, slash);
    rest = name.slice(slash + 1);
  }
  const at = rest.indexOf(GROUP_SEP);
  if (at > 0 && at + GROUP_SEP.length < rest.length) {
    return { namespace, group: rest.slice(0, at), service: rest.slice(at + GROUP_SEP.length) };
  }
  return { namespace, group: NACOS_DEFAULT_GROUP, service: rest };
}

/** Shorthands used by the faces. */
export const catalogNameOfEurekaApp = (app: string): string => catalogName({ face: 'eureka', app });
export const eurekaAppOf = (name: string): string => name.toUpperCase();
export const catalogNameOfNacos = (n: NacosServiceName): string => catalogName({ face: 'nacos', ...n });
export const nacosNameOf = (name: string): NacosServiceName => nacosParts(name);
