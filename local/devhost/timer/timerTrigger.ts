import type { TimerFunctionPlan } from '../app/planFunctions';
import type { FunctionApp } from '../core/FunctionApp';
import type { InvocationRunner } from '../core/InvocationRunner';
import { newInvocationTraceContext } from '../core/traceContext';
import { writeLog } from '../log/hostLogger';
import type { TriggerListener } from '../triggerListener';
import { parseSchedule, type TimerSchedule } from './parseSchedule';
import { toTimerInput } from './toTimerInput';
import { errorMessage } from '../../../shared/errors/errorMessage';

/** The longest delay setTimeout accepts (~24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Runs one timer function on its schedule, like the host's timer listener: never two runs of
 * the same function at once; an occurrence missed while the previous run was still going
 * runs right after it with isPastDue=true; runOnStartup adds one run at start.
 */
export function startTimerTrigger(
  app: FunctionApp,
  plan: TimerFunctionPlan,
  runner: InvocationRunner,
): TriggerListener {
  let schedule: TimerSchedule;
  try {
    schedule = parseSchedule(plan.schedule, process.env.WEBSITE_TIME_ZONE);
  } catch (error) {
    throw new Error(`function "${plan.name}": ${errorMessage(error)}`);
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
    armFor(schedule.nextAfter(occurrence));
  };

  // setTimeout holds at most ~24.8 days; longer waits (a yearly schedule) are taken in steps.
  const armFor = (due: Date) => {
    const wait = due.getTime() - Date.now();
    if (wait > MAX_TIMEOUT_MS) timer = setTimeout(() => armFor(due), MAX_TIMEOUT_MS);
    else timer = setTimeout(() => void fire(due).catch(reportFailure), Math.max(0, wait));
  };

  const reportFailure = (error: unknown) => {
    writeLog('error', `The timer of ${plan.name} stopped: ${errorMessage(error)}`, {
      functionName: plan.name,
    });
  };

  // As in the host, the handler sees the status recorded before this run: `last` is the previous
  // occurrence and `next` the one firing now.
  const fire = async (due: Date) => {
    if (stopped) return;
    await invoke(false, due, 'Timer fired at ' + due.toISOString());
    last = due;
    // An occurrence that passed while this run was going is made up once, flagged as past due.
    const missed = schedule.nextAfter(due);
    if (!stopped && missed.getTime() < Date.now()) {
      await invoke(true, missed, 'Timer missed an occurrence at ' + missed.toISOString());
      last = missed;
      return scheduleAfter(new Date());
    }
    scheduleAfter(due);
  };

  if (plan.runOnStartup) {
    const now = new Date();
    void invoke(false, schedule.nextAfter(now), 'Timer fired on startup (runOnStartup)')
      .then(() => scheduleAfter(new Date()))
      .catch(reportFailure);
  } else scheduleAfter(new Date());

  return {
    stopReceiving() {
      stopped = true;
      clearTimeout(timer);
      return Promise.resolve();
    },
    async close() {},
  };
}
