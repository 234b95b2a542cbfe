import { Cron } from 'croner';
import { parseTimeSpan } from '../app/parseTimeSpan';

/** A timer schedule: gives the first occurrence strictly after a moment. */
export interface TimerSchedule {
  nextAfter(moment: Date): Date;
}

/**
 * Parses a timer trigger schedule as the host accepts it: a six-field NCRONTAB expression
 * ("{second} {minute} {hour} {day} {month} {day-of-week}", evaluated in UTC as on Azure unless
 * WEBSITE_TIME_ZONE is set) or a TimeSpan interval ("00:00:30").
 */
export function parseSchedule(schedule: string, timeZone: string | undefined): TimerSchedule {
  const trimmed = schedule.trim();
  const intervalMs = /^\d/.test(trimmed) && trimmed.includes(':') ? parseTimeSpan(trimmed) : undefined;
  if (intervalMs !== undefined) {
    if (intervalMs <= 0) throw new Error(`the interval "${schedule}" must be positive`);
    return { nextAfter: (moment) => new Date(moment.getTime() + intervalMs) };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `"${schedule}" is not a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})`,
    );
  }
  // legacyMode (day-of-month OR day-of-week) is what NCRONTAB does too.
  const cron = new Cron(trimmed, { timezone: timeZone ?? 'Etc/UTC', legacyMode: true, paused: true });
  return {
    nextAfter(moment) {
      const next = cron.nextRun(moment);
      if (!next) {
        throw new Error(`the schedule "${schedule}" has no occurrence after ${moment.toISOString()}`);
      }
      return next;
    },
  };
}
