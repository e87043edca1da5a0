/** The commands micro-dev knows, with their usage and help (what `micro-dev --help` prints). */
export interface CliCommand {
  name: string;
  /** One line for `micro-dev --help` (the list fits 80 columns). */
  summary: string;
  usage: string;
  help: string;
  run(args: string[]): Promise<number>;
}

const lazy =
  (load: () => Promise<{ run(args: string[]): Promise<number> }>) =>
  async (args: string[]) =>
    (await load()).run(args);

export const commands: CliCommand[] = [
  {
    name: 'init',
    summary: 'write micro.dev.yaml and a sample service here',
    usage: 'micro-dev init [-c FILE]',
    help: 'Writes micro.dev.yaml (or FILE) and services/hello/main.ts beside it: a topology with the registry,\ngateway, proxy, web gateway, broker, fault plane and one sample TypeScript service built on\nmicro-dev-orchestrator/kit (the template of `new service --lang ts`). Never overwrites a file (exit 2\nwhen one exists). Prints what to do next.',
    run: lazy(() => import('./commands/init.ts')),
  },
  {
    name: 'up',
    summary: 'start the topology: infrastructure and every service',
    usage: 'micro-dev up [SERVICE...] [-c FILE] [--no-tui] [--exit-on-failure] [--no-watch]',
    help: 'Starts the topology in FILE (default ./micro.dev.yaml): registry, gateway, proxy, web gateway, broker,\nfault plane and every service. A terminal gets the dashboard; otherwise (or with --no-tui) one line per\nevent and a line containing "micro-dev ready" once every instance is ready. Ctrl-C / SIGTERM stop\neverything and exit 0.\nA service that cannot start is shown failed and retried by its restart policy while the rest keeps\nrunning; --exit-on-failure (CI) stops everything and exits 1 instead.\nEvery service whose code lives in the project reloads on save (blue-green) unless it says watch: false;\n--no-watch turns reload off for this run.\nSERVICE...: only those services and what they depend on (beside a running `up`: starts them in it).\nEdits of FILE apply live: services added, removed, changed or scaled; an invalid edit is reported\n(FILE:LINE:COL) and the running topology kept; an infrastructure change says it needs a restart.',
    run: lazy(() => import('./commands/up.ts')),
  },
  {
    name: 'down',
    summary: 'stop a running up, sweep what a dead one left behind',
    usage: 'micro-dev down [-c FILE] [--all]',
    help: 'Stops a running `up` (found through FILE\'s .micro-dev/run.json) and sweeps what a dead one left behind.\n--all also removes every micro-dev container and network on this machine.',
    run: lazy(() => import('./commands/down.ts')),
  },
  {
    name: 'status',
    summary: 'what a running up is doing: instances and their state',
    usage: 'micro-dev status [-c FILE] [--json]',
    help: 'What a running `up` is doing: instances, their state, addresses, restarts, registry counts.',
    run: lazy(() => import('./commands/status.ts')),
  },
  {
    name: 'ready',
    summary: 'whether every service is ready, and why not',
    usage: 'micro-dev ready [-c FILE]',
    help: 'Whether every service of the running `up` is ready; if not, which are not and why (state, reason,\nlast output lines). Exit 0 when all are ready, 1 when some are not.',
    run: lazy(() => import('./commands/ready.ts')),
  },
  {
    name: 'restart',
    summary: 'restart a service (every replica) or one instance',
    usage: 'micro-dev restart SERVICE|INSTANCE... [-c FILE]',
    help: 'Restarts every instance of SERVICE, or one INSTANCE (greeter-srv-1), in the running `up` (the dashboard\'s r).',
    run: async (args) => (await import('./commands/lifecycle.ts')).runLifecycle('restart', args),
  },
  {
    name: 'stop',
    summary: 'stop a service or an instance (no restart follows)',
    usage: 'micro-dev stop SERVICE|INSTANCE... [-c FILE]',
    help: 'Stops every instance of SERVICE, or one INSTANCE, in the running `up`; no restart follows (the dashboard\'s s).',
    run: async (args) => (await import('./commands/lifecycle.ts')).runLifecycle('stop', args),
  },
  {
    name: 'start',
    summary: 'start a service (with its dependencies) or an instance',
    usage: 'micro-dev start SERVICE|INSTANCE... [-c FILE]',
    help: 'Starts SERVICE (with what it depends on that does not run) or one INSTANCE in the running `up`.',
    run: async (args) => (await import('./commands/lifecycle.ts')).runLifecycle('start', args),
  },
  {
    name: 'scale',
    summary: 'run N replicas of a service',
    usage: 'micro-dev scale SERVICE N [-c FILE]',
    help: 'Runs N replicas of SERVICE in the running `up`: new ones start after its dependencies, the highest\nstop when there are fewer.',
    run: lazy(() => import('./commands/scale.ts')),
  },
  {
    name: 'fault',
    summary: 'add, remove or list partition / heartbeat-loss / latency',
    usage: 'micro-dev fault add|rm SERVICE|INSTANCE FAULT | fault list [-c FILE]',
    help: 'The dashboard\'s fault keys from the shell: add or remove partition, heartbeat-loss or latency on one\ninstance or every instance of a service of the running `up`; list shows the faults that are on.',
    run: lazy(() => import('./commands/fault.ts')),
  },
  {
    name: 'services',
    summary: 'services and instances in the registry',
    usage: 'micro-dev services [-c FILE] [--json]',
    help: 'Services and instances in the registry (the running `up`\'s, or the one FILE names).',
    run: lazy(() => import('./commands/services.ts')),
  },
  {
    name: 'call',
    summary: 'call a service endpoint through the proxy',
    usage: "micro-dev call SERVICE ENDPOINT [JSON] [-c FILE] [--timeout MS]",
    help: 'Calls SERVICE\'s ENDPOINT through the proxy (8081 by default) and prints the JSON answer.\nSERVICE is the registry name or, with an up running, the topology\'s service or instance name\n(greeter-srv).\nExample: micro-dev call go.micro.srv.greeter Say.Hello \'{"name":"John"}\'',
    run: lazy(() => import('./commands/call.ts')),
  },
  {
    name: 'logs',
    summary: 'kept output of the instances; -f follows',
    usage: 'micro-dev logs [SERVICE|INSTANCE] [-f] [--since D|TIME] [--grep RE] [--tail N]',
    help: 'The kept output of the instances (all, one service\'s, or one instance\'s), oldest first,\nas `instance | line`. With an `up` running it reads its memory (-f follows new lines until\nCtrl-C); otherwise the files `up` kept in .micro-dev/logs (bounded per instance, rotated).',
    run: lazy(() => import('./commands/logs.ts')),
  },
  {
    name: 'traces',
    summary: 'recorded traces of requests; --failed, --slow',
    usage: 'micro-dev traces [--failed | --slow] [--service S] [--limit N] [--json] [-c FILE]',
    help: 'The traces a running `up` keeps in memory, newest first: every request through the gateway, proxy\nor web gateway is traced across every hop (calls, node selection, retries, each fault-plane link crossed\nwith its toxics; telemetry.sample_ratio below 1 records that share of them). Kept: the last 200 (under load\nat most 100 a second of them, and those in flight), plus the last 100 failed and 100 slow (>= 1 s) ones.\n--failed / --slow: only those; --service S: only traces that touched service or instance S;\n--limit N (default 50); --json: the summaries as JSON. A failed or slow trace shows the hop and the fault\nthat explain it. `micro-dev trace ID` shows one as a waterfall.',
    run: lazy(() => import('./commands/traces.ts')),
  },
  {
    name: 'trace',
    summary: 'one trace as a waterfall',
    usage: 'micro-dev trace ID [--json] [-c FILE]',
    help: 'One kept trace of a running `up` (ID from `micro-dev traces`; a unique prefix of 4+ hex digits is enough)\nas a waterfall: spans by depth with their duration and a bar on the trace\'s time axis, errors and\ntoxic events (latency, down, reset...) under the span they hit. --json: the spans as JSON.',
    run: lazy(() => import('./commands/trace.ts')),
  },
  {
    name: 'publish',
    summary: 'publish a JSON message on a broker topic',
    usage: 'micro-dev publish TOPIC JSON [-c FILE]',
    help: 'Publishes a JSON message on TOPIC through the broker of the running `up`.',
    run: lazy(() => import('./commands/publish.ts')),
  },
  {
    name: 'new',
    summary: 'new service NAME --lang ts|go|python: write and add it',
    usage: 'micro-dev new service NAME --lang ts|go|python [-c FILE]',
    help: 'Writes a service that registers and answers (GET /NAME/say/hello, Greeter.Hello) into services/NAME/\nand adds it to micro.dev.yaml, keeping its comments. Never overwrites. go and python use only their\nstandard library; ts uses the kit (micro-dev-orchestrator/kit).',
    run: lazy(() => import('./commands/new.ts')),
  },
  {
    name: 'validate',
    summary: 'check a micro.dev.yaml, FILE:LINE:COL per problem',
    usage: 'micro-dev validate [-c FILE]',
    help: 'Checks a config and prints FILE:LINE:COL: message for each problem. Exit 0 when valid, 2 otherwise\n(as `up` with an invalid config).',
    run: lazy(() => import('./commands/validate.ts')),
  },
  {
    name: 'registry',
    summary: 'the live state of the registry lease model',
    usage: 'micro-dev registry status [-c FILE] [--json]',
    help: 'The registry lease model\'s live state: semantics, passing/critical, renew rate vs threshold,\nself-preservation, per-instance heartbeat age and lease left.',
    run: lazy(() => import('./commands/registry.ts')),
  },
  {
    name: 'scenario',
    summary: 'list, run or export failure scenarios, with verdicts',
    usage: 'micro-dev scenario list | scenario run NAME... | --all [--service S] [--path P | --rpc JSON] [--json FILE] [--junit FILE] [--seed N] [-c FILE]\n         [--against URL [--compose FILE | --chaos-mesh [--namespace N]]]\n       micro-dev scenario export chaos-mesh NAME... | --all [-o DIR] [--namespace N] [-c FILE]',
    help: "Runs failure scenarios, each on a topology of its own: ./micro.dev.yaml (or -c FILE; without one, the\nbuilt-in greeter) with the scenario's overrides and every port a free one; load through the gateway,\nfaults on a timeline, a verdict.\n  list            the built-in scenarios (scenarios/*.yaml) with their description\n  run NAME...     built-in names or paths to scenario files; --all runs every built-in one\n  --seed N        overrides every scenario's seed (target choices replay exactly with the same seed)\n  --service S     aims the drills at service S instead of greeter-srv (S runs at least 2 replicas)\n  --path P        the load sends GET P through the gateway (e.g. /orders/say/hello?name=John)\n  --rpc JSON      the load sends POST /rpc JSON ({\"service\",\"endpoint\",\"request\"})\n  --json FILE     full report (results, numbers, timelines)   --junit FILE  one test case per expectation\n  --against URL   the load and the expectations against a gateway that already runs (staging). Faults:\n                  through a running `up` of -c FILE whose gateway is URL (its control API, fault plane);\n                  --compose FILE: docker kill/stop/pause/network disconnect on the Compose export;\n                  --chaos-mesh [--namespace N]: Chaos Mesh objects through kubectl (needs a context);\n                  else none: it only observes. What it cannot see or apply is unjudged, never passed.\nExit 0 when every expectation held, 1 when one failed, 2 when a scenario could not run, cannot apply\nor could not be judged whole.\n  export chaos-mesh NAME...  each scenario as a Chaos Mesh Workflow in DIR/NAME.yaml (-o DIR, default\n                  ./chaos-mesh; --namespace N, default default) on the labels of `export kubernetes`;\n                  a fault with no Chaos Mesh equivalent is named and its scenario not written (exit 2).",
    run: lazy(() => import('./commands/scenario.ts')),
  },
  {
    name: 'compare',
    summary: 'the same drills against each registry, measured side by side',
    usage: 'micro-dev compare [--registries consul,eureka,nacos,etcd] [--scenarios DRILL,...] [--seed N] [--json FILE] [--markdown FILE]',
    help: "Runs the same drills against each registry kind (consul, eureka, nacos; etcd when Debian's etcd-server\nis installed) through the scenario runner, each on a greeter topology of its own with free ports, and\nprints one Markdown table: time to detect a dead instance, failed calls while it was still listed, availability\nduring a registry outage and during a registry partition, registration during a partition (allowed /\nrefused), what mass heartbeat loss does (evict / protect), time to converge after the heal. Times are\nshown as real time (wall time / the drill's time_scale) and as measured. A split needs several members\n(Eureka peers, a 3-member etcd); on a one-node registry its cells say so.\n  --registries LIST  which registries (default: every one available)\n  --scenarios LIST   which drills: dead-instance, registry-outage, registry-partition, heartbeat-loss\n                     (default: all)\n  --seed N           the drills' seed (victims replay exactly)\n  --json FILE        the report with every cell's number   --markdown FILE  the table\nExit 0 when every drill ran, 2 when one could not run.",
    run: lazy(() => import('./commands/compare.ts')),
  },
  {
    name: 'chaos',
    summary: 'random faults on a running up until Ctrl-C, all healed',
    usage: 'micro-dev chaos [--duration 1h] [--every 5s] [--faults partition,heartbeat-loss,latency,kill] [--hold MIN-MAX] [--seed N] [-c FILE]',
    help: 'Chaos-monkey mode on a running `up`: every --every, a random fault from --faults on a random ready instance,\nfor a random time in --hold (default every..3x every), each logged when it starts and heals. Ctrl-C (or the\nend of --duration) heals everything it did. --seed N replays the same choices. Exit 1 if a heal failed.',
    run: lazy(() => import('./commands/chaos.ts')),
  },
  {
    name: 'images',
    summary: 'build the images container services need',
    usage: 'micro-dev images prepare [-c FILE]',
    help: 'Builds the images the topology\'s container services need, without any image registry: a base image\nmade from this machine\'s Node (docker import of a root filesystem) and each service\'s Dockerfile;\nwith registry kind etcd also micro-dev/etcd:<version> from this machine\'s etcd (export compose --etcd-image).',
    run: lazy(() => import('./commands/images.ts')),
  },
  {
    name: 'export',
    summary: 'the topology for Docker Compose or Kubernetes',
    usage: 'micro-dev export compose|kubernetes [-c FILE] [-o DIR] [--node-image IMAGE] [--base SERVICE=IMAGE]... [--consul] [--etcd-image IMAGE] [--namespace N]',
    help: "Writes the topology for engines beyond one machine (nothing is built or started):\n  compose     DIR/compose.yaml: an infra container (micro-dev's registry, gateway, proxy, web gateway,\n              broker; or --consul: a Consul container as the registry; registry kind etcd: etcd\n              containers, 1 or nodes: 3), every service with its replicas,\n              MICRO_* wired to service names, health checks, depends_on; gateway/proxy/web published on\n              their ports (MICRO_DEV_GATEWAY_PORT... move them). Then: docker compose -f DIR/compose.yaml up --build\n  kubernetes  DIR/*.yaml + kustomization.yaml: Deployments, Services, a Consul (or, registry kind etcd,\n              an etcd) StatefulSet (3 replicas, headless Service), the gateway, ConfigMaps; --namespace N\n              sets the namespace.\n--etcd-image IMAGE: the etcd members' image (default quay.io/coreos/etcd:v3.4.34; micro-dev/etcd:<version>\n              from `images prepare` where nothing can be pulled).\nBoth stage DIR/app/, the build context of the services' image (the project and the packages it runs\nwith, on --node-image, default micro-dev/node:<major> from `images prepare`; node:24-slim where images\ncan be pulled). --base SERVICE=IMAGE: the image a process service's command runs on (e.g. golang:1.22).\nDIR defaults to deploy/compose or deploy/kubernetes beside FILE.",
    run: lazy(() => import('./commands/export.ts')),
  },
  {
    name: 'ui',
    summary: 'open the dashboard on a running up',
    usage: 'micro-dev ui [-c FILE]',
    help: 'Opens the dashboard on an `up` that is already running (attaches through its control API).',
    run: lazy(() => import('./commands/ui.ts')),
  },
];

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'micro-dev: run a go-micro style system on one machine, and break it on purpose.',
    '',
    'Usage: micro-dev COMMAND [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'micro-dev COMMAND --help shows its options. Docs: README.md',
    '',
  ].join('\n');
}
