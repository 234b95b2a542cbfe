import type { TimerFunctionPlan } from '../app/planFunctions';
import type { FunctionApp } from '../core/FunctionApp';
import type { InvocationRunner } from '../core/InvocationRunner';
import { newInvocationTraceContext } from '../core/traceContext';
import type { TriggerListener } from '../triggerListener';
import { parseSchedule, type TimerSchedule } from './parseSchedule';
import { toTimerInput } from './toTimerInput';

/**
 * Runs one timer function on its schedule, like the host's timer listener: never two runs of
 * the same function at once; an occurrence missed while the previous run was still going
 * runs right after it with isPastDue=true; runOnStartup adds one run at start.
 */
export function startTimerTrigger(app: FunctionApp, plan: TimerFunctionPlan, runner: InvocationRunner): TriggerListener {
  let schedule: TimerSchedule;
  try {
    schedule = parseSchedule(plan.schedule, process.env.WEBSITE_TIME_ZONE);
  } catch (error) {
    throw new Error(`function "${plan.name}": ${error instanceof Error ? error.message : String(error)}`);
  }
  const fn = app.functions.get(plan.name);
  if (!fn) throw new Error(`function "${plan.name}" is not registered`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last = new Date();

  const invoke = async (isPastDue: boolean, next: Date, reason: string) => {
    const now = new Date();
    await runner.run(fn, reason, {
      inputData: [{ name: plan.triggerName, data: toTimerInput({ last, next, isPastDue }, now) }],
      triggerMetadata: {},
      traceContext: newInvocationTraceContext(plan.name),
    });
  };

  const scheduleAfter = (occurrence: Date) => {
    if (stopped) return;
    const due = schedule.nextAfter(occurrence);
    timer = setTimeout(() => void fire(due), Math.max(0, due.getTime() - Date.now()));
  };

  const fire = async (due: Date) => {
    if (stopped) return;
    const next = schedule.nextAfter(due);
    await invoke(false, next, 'Timer fired at ' + due.toISOString());
    last = due;
    // Occurrences that passed while this run was going are made up once, flagged as past due.
    if (!stopped && next.getTime() < Date.now()) {
      const following = schedule.nextAfter(new Date());
      await invoke(true, following, 'Timer missed an occurrence at ' + next.toISOString());
      last = next;
      return scheduleAfter(new Date());
    }
    scheduleAfter(due);
  };

  if (plan.runOnStartup) {
    const now = new Date();
    void invoke(false, schedule.nextAfter(now), 'Timer fired on startup (runOnStartup)').then(() => scheduleAfter(new Date()));
  } else scheduleAfter(new Date());

  return {
    async stopReceiving() {
      stopped = true;
      clearTimeout(timer);
    },
    async close() {},
  };
}
