import { app, type InvocationContext, type Timer } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { reconcileDependencies } from '../shared/app/dependencies';
import { reconcileSchedule } from '../shared/config/settings';
import { reconcile as reconcileOnce } from '../shared/pipeline/reconcile';
import { log } from '../shared/telemetry';

export async function reconcile(_timer: Timer, context: InvocationContext): Promise<void> {
  const shared = appContext();
  const report = await reconcileOnce(reconcileDependencies(shared), {
    graceMs: shared.settings.reconcileGraceSeconds * 1000,
  });
  const moved =
    report.ingress.handled +
    report.deliveries.handled +
    report.deadletters.handled +
    report.overdueRetries.reenqueued +
    report.overdueRetries.deadLettered;
  const troubled =
    report.ingress.failed +
    report.deliveries.failed +
    report.deadletters.failed +
    report.overdueRetries.failed +
    report.ingress.left +
    report.deliveries.left +
    report.deadletters.left;
  if (moved > 0 || troubled > 0) {
    log(troubled > 0 ? 'warn' : 'info', `reconciled: ${JSON.stringify(report)}`, {}, context);
  }
}

app.timer('reconcile', {
  schedule: reconcileSchedule(),
  handler: reconcile,
});
