/**
 * Per-hop cost of a link without toxics: keep-alive HTTP/1.1 GETs from this process to a server child,
 * alternating direct and through links hosted in other children, so every path sees the same machine load.
 * The anchor is the bare connection (plain node:http client and server, none of our code on the path).
 *
 *   client --keep-alive--> server                           (baseline: no link)
 *   client --keep-alive--> link (child) --> server           (one hop, no toxics: the fast path)
 *   client --keep-alive--> inbound link (child) --> server   (the same, its HTTP exchanges counted by the
 *                                                            engine's TrafficMeter: every instance's inbound link)
 *   client --keep-alive--> link + latency{0} both ways --> server (one hop through the toxic chain)
 *
 * Each run: warm-up, then `requests` interleaved rounds (one request per path, the order rotating); p50/p99
 * per path, and the added cost as p50(path) - p50(direct) of the same run. Result: medians over runs.
 */
import http from 'node:http';
import { median, percentile, round3, startFixture } from './bench-kit.ts';

function get(port: number, agent: http.Agent): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - start));
      })
      .on('error', reject);
  });
}

export async function linkOverhead(options: { runs: number; requests: number }) {
  const server = await startFixture('http');
  const link = await startFixture('link', `127.0.0.1:${server.port}`);
  const inbound = await startFixture('inbound', `127.0.0.1:${server.port}`);
  const chain = await startFixture('chain', `127.0.0.1:${server.port}`);
  const paths = [server, link, inbound, chain].map((c) => ({ port: c.port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), ms: [] as number[] }));
  const runs: Record<string, number>[] = [];
  try {
    for (let r = 0; r < options.runs; r++) {
      for (const p of paths) p.ms = [];
      for (let i = 0; i < 200; i++) for (const p of paths) await get(p.port, p.agent);
      for (let i = 0; i < options.requests; i++) {
        // Rotate the order so no path always runs right after another.
        for (let k = 0; k < paths.length; k++) {
          const p = paths[(i + k) % paths.length]!;
          p.ms.push(await get(p.port, p.agent));
        }
      }
      const [direct, fast, observed, chained] = paths.map((p) => ({ p50: percentile(p.ms, 50), p99: percentile(p.ms, 99) }));
      runs.push({
        directP50: round3(direct!.p50),
        linkP50: round3(fast!.p50),
        inboundP50: round3(observed!.p50),
        chainP50: round3(chained!.p50),
        directP99: round3(direct!.p99),
        linkP99: round3(fast!.p99),
        inboundP99: round3(observed!.p99),
        chainP99: round3(chained!.p99),
        addedP50: round3(fast!.p50 - direct!.p50),
        inboundAddedP50: round3(observed!.p50 - direct!.p50),
        chainAddedP50: round3(chained!.p50 - direct!.p50),
      });
    }
  } finally {
    for (const p of paths) p.agent.destroy();
    chain.stop();
    inbound.stop();
    link.stop();
    server.stop();
  }
  const med = (k: string) => round3(median(runs.map((x) => x[k]!)));
  return {
    name: 'link-overhead-http-keepalive',
    unit: 'ms',
    // Issue 13, point 5: a link with no toxic costs < 0.1 ms at p50 (the inbound link, meter on, included).
    target: 'addedP50 and inboundAddedP50 < 0.1 ms per hop',
    runs: options.runs,
    requestsPerRun: options.requests,
    medianDirectP50: med('directP50'),
    medianLinkP50: med('linkP50'),
    medianInboundP50: med('inboundP50'),
    medianChainP50: med('chainP50'),
    medianAddedP50: med('addedP50'),
    medianInboundAddedP50: med('inboundAddedP50'),
    medianChainAddedP50: med('chainAddedP50'),
    medianDirectP99: med('directP99'),
    medianLinkP99: med('linkP99'),
    medianInboundP99: med('inboundP99'),
    medianChainP99: med('chainP99'),
    perRun: runs,
  };
}
