import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { RemoteOrchestrator } from '../../control/control-client.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** `micro-dev ui`: the dashboard attached to an `up` that is already running; q detaches. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('ui', args, {});
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new MicroDevError('BAD_ARGUMENTS', 'ui needs a terminal (stdin and stdout); use micro-dev status for plain output');
  }
  const info = await requireRunning(configPath(values.config));
  const remote = await RemoteOrchestrator.connect(info);
  const { runDashboard } = await import('../../tui/run-dashboard.ts');
  await runDashboard(remote, { quitCommand: 'detach' });
  remote.close();
  return 0;
}
