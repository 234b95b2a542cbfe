import type { InvocationContext } from '@azure/functions';
import type { OutageOutcome, RideOutOptions } from '../pipeline/outage';
import { annotateActiveSpan, log, type PipelineProperties } from '../telemetry';

/** Logs each outage failure of a step: the retry within the invocation, or the postponement. */
export function outageLogger(
  context: InvocationContext,
  properties: PipelineProperties,
): NonNullable<RideOutOptions['onOutage']> {
  return (dependency, error, retryInMs) => {
    const cause = error instanceof Error ? error.message : String(error);
    log(
      'warn',
      `${dependency} unavailable (${cause}); ${retryInMs === undefined ? 'postponing the message' : `trying again in ${retryInMs} ms`}`,
      properties,
      context,
    );
  };
}

/** What a step postponed for an outage tells the log: when it runs again. */
export function reportPostponed(
  context: InvocationContext,
  properties: PipelineProperties,
  outcome: Extract<OutageOutcome<unknown>, { kind: 'postponed' }>,
): void {
  annotateActiveSpan({ outcome: 'postponed', outagePostponement: outcome.postponement });
  log(
    'warn',
    `${outcome.dependency} unavailable: message postponed (${outcome.postponement}) until ${outcome.at.toISOString()}`,
    properties,
    context,
  );
}
