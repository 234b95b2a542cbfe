import { withSpan } from '../../../shared/telemetry';
import { redactUrl } from '../../../shared/telemetry/redactUrl';
import {
  currentTraceparent,
  injectTraceHeaders,
  parentFromApplicationProperties,
  traceContextToApplicationProperties,
} from '../../../shared/telemetry/traceContext';
import { parseTraceparent } from '../../../shared/telemetry/traceparent';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context helpers (pure parts, and the no-op mode without a connection string)', () => {
  it('reads the parent from our traceparent first, then the Service Bus Diagnostic-Id, ignoring junk', () => {
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    expect(parentFromApplicationProperties({ traceparent: VALID, 'Diagnostic-Id': other })).toBe(VALID);
    expect(parentFromApplicationProperties({ 'Diagnostic-Id': other })).toBe(other);
    expect(parentFromApplicationProperties({ traceparent: 'garbage', 'Diagnostic-Id': other })).toBe(other);
    expect(
      parentFromApplicationProperties({
        traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      }),
    ).toBeUndefined();
    expect(parentFromApplicationProperties({ traceparent: 42 })).toBeUndefined();
    expect(parentFromApplicationProperties(undefined)).toBeUndefined();
  });

  it('parses W3C traceparent as a remote sampled/unsampled span context', () => {
    expect(parseTraceparent(VALID)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceparent(`${VALID}-extra`)).toBeUndefined(); // version 00 has exactly four fields
    expect(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
  });

  it('redacts query values, user info and fragments from URLs', () => {
    expect(redactUrl('https://user:pw@hooks.example.com/in?code=abc&x=1#frag')).toBe(
      'https://hooks.example.com/in?code=REDACTED&x=REDACTED',
    );
    expect(redactUrl('https://hooks.example.com/in')).toBe('https://hooks.example.com/in');
    expect(redactUrl('not a url')).toBe('[invalid url]');
  });

  it('does nothing without telemetry: no trace context, headers untouched, the function still runs', async () => {
    const result = await withSpan('route', { kind: 'consumer', parent: VALID }, () => {
      expect(currentTraceparent()).toBeUndefined();
      expect(traceContextToApplicationProperties()).toEqual({});
      expect(injectTraceHeaders({ accept: 'application/json' })).toEqual({ accept: 'application/json' });
      return 'ran';
    });
    expect(result).toBe('ran');
    await expect(
      withSpan('fails', { kind: 'internal' }, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
  });
});
