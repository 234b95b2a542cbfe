/** Limits of a subscription body, Event Grid's where it has them. */
export const SUBSCRIPTION_LIMITS = {
  /** Event Grid: 25 advanced filters per subscription. */
  advancedFilters: 25,
  /** Event Grid: 25 filter values across all advanced filters of a subscription. */
  advancedFilterValues: 25,
  /** Event Grid: 512 characters per string filter value. */
  filterStringLength: 512,
  includedEventTypes: 100,
  customHeaders: 10,
  headerValueLength: 4096,
  endpointUrlLength: 2048,
  maxDeliveryAttempts: { min: 1, max: 30, default: 30 },
  eventTimeToLiveInMinutes: { min: 1, max: 1440, default: 1440 },
  scheduleSteps: { min: 1, max: 20 },
} as const;
