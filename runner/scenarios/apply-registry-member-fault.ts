import type { OrchestratorApi } from '../engine/api.ts';
import { RegistryMemberFaults, type StepSpec } from './scenario-schema.ts';

type RegistryMemberStep = Extract<StepSpec, { fault: keyof typeof RegistryMemberFaults }>;

/**
 * A registry member fault (registry-partition / -member-kill / -member-slow) as the engine's own
 * registry-fault command, sent the same way to a scenario's own topology (applyFault) and to a running `up`
 * (attachUpStage, through its control API). Resolves with the members the engine resolved (leader,
 * follower) and the heal: the same command off.
 */
export async function applyRegistryMemberFault(
  api: Pick<OrchestratorApi, 'command'>,
  step: RegistryMemberStep,
): Promise<{ members: string[]; heal: () => Promise<void> }> {
  const base = { type: 'registry-fault', fault: RegistryMemberFaults[step.fault], id: `scenario:${step.id}` } as const;
  const result = await api.command({
    ...base,
    on: true,
    members: step.fault === 'registry-partition' ? step.isolate : step.members,
    ...(step.fault === 'registry-partition' ? { from: step.from } : {}),
    ...(step.fault === 'registry-member-slow' ? { latencyMs: step.latency } : {}),
  });
  if (!result.ok) throw new Error(`step ${step.id}: ${result.message}`);
  return {
    members: result.members ?? [],
    heal: async () => {
      const healed = await api.command({ ...base, on: false });
      if (!healed.ok) throw new Error(`step ${step.id}: heal: ${healed.message}`);
    },
  };
}
