import type { ServiceConfig } from '../config/topology.ts';

/**
 * Groups services into start waves: every service in wave N depends only on services in waves < N.
 * The config validators already reject cycles; a cycle here is an internal error.
 */
export function dependencyWaves(services: readonly ServiceConfig[]): ServiceConfig[][] {
  const waves: ServiceConfig[][] = [];
  const placed = new Set<string>();
  let remaining = [...services];
  while (remaining.length > 0) {
    const wave = remaining.filter((s) => s.dependsOn.every((d) => placed.has(d)));
    if (wave.length === 0) {
      throw new Error(`dependency cycle among: ${remaining.map((s) => s.name).join(', ')}`);
    }
    for (const s of wave) placed.add(s.name);
    waves.push(wave);
    remaining = remaining.filter((s) => !placed.has(s.name));
  }
  return waves;
}

/** Services that depend (directly or not) on `name`, in start order. */
export function dependentsOf(services: readonly ServiceConfig[], name: string): ServiceConfig[] {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next = services.filter((s) => s.dependsOn.some((d) => frontier.includes(d)) && !out.has(s.name));
    next.forEach((s) => out.add(s.name));
    frontier = next.map((s) => s.name);
  }
  return dependencyWaves(services).flat().filter((s) => out.has(s.name));
}
