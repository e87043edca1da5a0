/**
 * chaosMeshApiModel: the part of Chaos Mesh's `chaos-mesh.org/v1alpha1` API that the export writes
 * (Workflow with Parallel / Serial / Suspend / NetworkChaos / PodChaos templates), as JSON Schemas in the shape
 * of a CRD's `openAPIV3Schema`. Written from reading Chaos Mesh v2.8.3's API types and CRDs
 * (api/v1alpha1/{workflow,networkchaos,podchaos,selector}_types.go, helm/chaos-mesh/crds/): same field names,
 * types, enums and duration pattern. Stricter than the CRDs in one way on purpose: every object is closed
 * (additionalProperties: false), as `kubectl apply --validate=strict` is, so a misspelt field fails here
 * instead of being pruned by the API server.
 *
 * The real CRDs are not in the repository (see README.md); validateChaosObjects can take them instead
 * (MICRO_DEV_CHAOS_MESH_CRDS), and the conformance test runs the exports against them when they are given.
 */
type Schema = Record<string, unknown>;

export const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';
/** The Chaos Mesh release the model was read from. */
export const CHAOS_MESH_VERSION = 'v2.8.3';

const str: Schema = { type: 'string' };
const strMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
/** Go durations as Chaos Mesh's CRDs pattern them (delay latency / jitter). */
const goDuration: Schema = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h)$' };
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

const mode: Schema = { type: 'string', enum: ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'] };
const selector = closed({
  namespaces: { type: 'array', items: str },
  labelSelectors: strMap,
  expressionSelectors: {
    type: 'array',
    items: closed({ key: str, operator: str, values: { type: 'array', items: str } }, ['key', 'operator']),
  },
  annotationSelectors: strMap,
  fieldSelectors: strMap,
  nodeSelectors: strMap,
  podPhaseSelectors: { type: 'array', items: str },
  pods: { type: 'object', additionalProperties: { type: 'array', items: str } },
  nodes: { type: 'array', items: str },
});

const networkChaosSpec = closed(
  {
    action: { type: 'string', enum: ['netem', 'delay', 'loss', 'duplicate', 'corrupt', 'partition', 'bandwidth'] },
    mode,
    value: str,
    selector,
    direction: { type: 'string', enum: ['to', 'from', 'both'] },
    target: closed({ mode, value: str, selector }, ['mode', 'selector']),
    delay: closed(
      { latency: goDuration, jitter: goDuration, correlation: str, reorder: closed({ reorder: str, correlation: str, gap: { type: 'integer' } }, ['gap', 'reorder']) },
      ['latency'],
    ),
    duration: str,
  },
  ['action', 'mode', 'selector'],
);

const podChaosSpec = closed(
  {
    action: { type: 'string', enum: ['pod-kill', 'pod-failure', 'container-kill'] },
    mode,
    value: str,
    selector,
    gracePeriod: { type: 'integer', minimum: 0 },
    containerNames: { type: 'array', items: str },
    duration: str,
  },
  ['action', 'mode', 'selector'],
);

const metadata = closed(
  { name: str, namespace: str, labels: strMap, annotations: strMap },
  ['name'],
);

const template = closed(
  {
    name: str,
    templateType: str,
    deadline: str,
    children: { type: 'array', items: str },
    networkChaos: networkChaosSpec,
    podChaos: podChaosSpec,
  },
  ['name', 'templateType'],
);

const workflow = closed(
  {
    apiVersion: str,
    kind: str,
    metadata,
    spec: closed({ entry: str, templates: { type: 'array', items: template } }, ['entry', 'templates']),
  },
  ['spec'],
);

/** openAPIV3Schema per kind. */
export const chaosMeshApiModel: Record<string, Schema> = {
  Workflow: workflow,
  NetworkChaos: closed({ apiVersion: str, kind: str, metadata, spec: networkChaosSpec }, ['spec']),
  PodChaos: closed({ apiVersion: str, kind: str, metadata, spec: podChaosSpec }, ['spec']),
};
