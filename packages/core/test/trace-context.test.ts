import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { carrierOf, contextOf, formatTraceparent, parseTraceparent, readTraceCarrier } from '../src/index.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('trace context in job data', () => {
  it('reads a W3C traceparent and writes it back the same', () => {
    const parsed = parseTraceparent(`00-${TRACE}-${SPAN}-01`);
    expect(parsed).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(formatTraceparent(parsed!)).toBe(`00-${TRACE}-${SPAN}-01`);
  });

  it('ignores anything that is not a well-formed version-00 traceparent with non-zero ids', () => {
    for (const bad of [
      undefined,
      42,
      '',
      `01-${TRACE}-${SPAN}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
    ])
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
  });

  it('keeps a bounded tracestate only beside a valid traceparent', () => {
    const traceparent = `00-${TRACE}-${SPAN}-00`;
    expect(readTraceCarrier({ traceparent, tracestate: 'vendor=1' })).toEqual({
      traceparent,
      tracestate: 'vendor=1',
    });
    expect(readTraceCarrier({ traceparent, tracestate: 'x'.repeat(600) })).toEqual({ traceparent });
    expect(readTraceCarrier({ traceparent: 'garbage', tracestate: 'vendor=1' })).toBeUndefined();
    expect(readTraceCarrier('00-…')).toBeUndefined();
  });

  it('turns a carrier into a remote parent context and a span context back into a carrier', () => {
    const ctx = contextOf({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=1' });
    const parent = trace.getSpanContext(ctx)!;
    expect(parent).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(carrierOf(parent)).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=1' });
    expect(trace.getSpanContext(contextOf({ traceparent: 'nope' }))).toBeUndefined();
    expect(
      carrierOf(
        trace
          .wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })
          .spanContext(),
      ),
    ).toBeUndefined();
  });
});
