import {
  aadAuthentication,
  azureMonitorOptions,
  samplingFromSetting,
  statsbeatEnvironment,
} from '../../../shared/telemetry/options';

describe('how applicationinsights is configured', () => {
  it('keeps every item, stores nothing offline, runs no live metrics and names the role switchyard', () => {
    const options = azureMonitorOptions('InstrumentationKey=00000000-0000-0000-0000-000000000001');
    expect(options).toMatchObject({
      azureMonitorExporterOptions: {
        disableOfflineStorage: true,
        connectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000001',
      },
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: false,
    });
    expect(options.azureMonitorExporterOptions?.credential).toBeUndefined();
    expect(options.resource?.attributes['service.name']).toBe('switchyard');
  });

  it('caps traces per second per instance when SWITCHYARD_TELEMETRY_TRACES_PER_SECOND says so', () => {
    expect(samplingFromSetting(undefined)).toEqual({ samplingRatio: 1, tracesPerSecond: 0 });
    expect(samplingFromSetting('')).toEqual({ samplingRatio: 1, tracesPerSecond: 0 });
    expect(samplingFromSetting('0')).toEqual({ samplingRatio: 1, tracesPerSecond: 0 });
    expect(samplingFromSetting(' 2.5 ')).toEqual({ samplingRatio: 1, tracesPerSecond: 2.5 });
    const options = azureMonitorOptions(
      'InstrumentationKey=00000000-0000-0000-0000-000000000001',
      undefined,
      samplingFromSetting('5'),
    );
    expect(options).toMatchObject({
      samplingRatio: 1,
      tracesPerSecond: 5,
      enableTraceBasedSamplingForLogs: true,
    });
  });

  it('keeps every trace, and says so, when the sampling setting is not a number from 0 to 1000', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const bad of ['fast', '-1', '1001', 'NaN']) {
        expect(samplingFromSetting(bad)).toEqual({ samplingRatio: 1, tracesPerSecond: 0 });
      }
      expect(error).toHaveBeenCalledTimes(4);
      expect(error.mock.calls[0]?.[0]).toMatch(/SWITCHYARD_TELEMETRY_TRACES_PER_SECOND/);
    } finally {
      error.mockRestore();
    }
  });

  it('sends with managed identity when APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks for Entra ID', () => {
    expect(aadAuthentication('ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD')).toEqual({
      clientId: '11111111-2222-3333-4444-555555555555',
    });
    expect(aadAuthentication('Authorization=AAD')).toEqual({});
    expect(aadAuthentication('Authorization=Key')).toBeUndefined();
    expect(aadAuthentication('')).toBeUndefined();
    expect(aadAuthentication(undefined)).toBeUndefined();
  });

  it('turns statsbeat off outside Azure unless told otherwise, and leaves Azure alone', () => {
    expect(statsbeatEnvironment({})).toEqual({
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    });
    expect(statsbeatEnvironment({ WEBSITE_INSTANCE_ID: 'abc' })).toEqual({});
  });
});
