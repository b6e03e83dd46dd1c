// A real node:http server speaking the OpenAI, Azure OpenAI and Anthropic dialects, with scripted faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeReply, successBody } from './bodies.ts';
import { randomId } from './content.ts';
import { dialectOf } from './dialects/index.ts';
import { errorAnswer, faultAnswer, type HttpAnswer, isStatusFault } from './error-bodies.ts';
import { createLimiter } from './limits.ts';
import { formBody, RawBody } from './media.ts';
import { type Random, seededRandom } from './random.ts';
import { apiKeyOf, modelKey, resolveRoute } from './routes.ts';
import { createScript, type Script } from './script.ts';
import { sseErrorFrame, sseFrames } from './sse.ts';
import { type Outcome, pushCapped, redactHeaders, StatsBook } from './stats.ts';
import type { FakeProvider, FakeProviderOptions, FakeRequestRecord, FakeRoute, FakeRule } from './types.ts';

const DEFAULT_LOG_LIMIT = 1000;

function startRules(opts: FakeProviderOptions): FakeRule[] {
  const rules = [...(opts.rules ?? [])];
  if (opts.failRate !== undefined && opts.failRate > 0) {
    rules.push({ probability: opts.failRate, fault: { kind: 'error', status: opts.failStatus ?? 500 } });
  }
  return rules;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request body as an object: JSON, or a multipart form (audio uploads) read by formBody. */
async function parseBody(req: IncomingMessage, bytes: Buffer): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(type)) return formBody(bytes, type);
  const raw = bytes.toString('utf8');
  const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

export async function startFakeProvider(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  const host = opts.host ?? '127.0.0.1';
  const logLimit = opts.logLimit ?? DEFAULT_LOG_LIMIT;
  const limiter = createLimiter(
    { rpm: opts.rpm, maxConcurrent: opts.maxConcurrent },
    opts.modelLimits ?? {},
    opts.rateWindowMs ?? 60_000,
  );
  const book = new StatsBook();
  const requests: FakeRequestRecord[] = [];
  let random: Random = seededRandom(opts.seed ?? 1);
  let script: Script = createScript(startRules(opts), opts.latencyMs, random);
  let name = opts.name ?? 'fake';
  const sockets = new Set<Socket>();

  function send(res: ServerResponse, answer: HttpAnswer): void {
    const text = answer.text ?? JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...answer.headers,
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-fake-provider', name);
    res.setHeader('x-request-id', randomId('req_'));
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/health') {
      send(res, { status: 200, headers: {}, body: { status: 'ok', name } });
      return;
    }
    const bytes = await readBody(req);
    const route = resolveRoute(req.method ?? 'GET', url);
    let body: Record<string, unknown>;
    try {
      body = await parseBody(req, bytes);
    } catch {
      send(res, errorAnswer(route?.provider ?? 'openai', 400, { message: 'Invalid JSON body.' }));
      return;
    }
    if (!route) {
      send(res, errorAnswer('openai', 404, { message: `No route ${req.method} ${url.pathname}` }));
      return;
    }
    // The text only for dialects that check a signature: an upload's 24 MiB is not decoded for nothing.
    const dialect = dialectOf(route.provider);
    const verdict = dialect?.verify
      ? await dialect.verify(req, url, bytes.toString('utf8'), opts)
      : undefined;
    if (verdict) {
      send(res, verdict);
      return;
    }
    const key = modelKey(route, body);
    const apiKey = apiKeyOf(req.headers, url);
    const record: FakeRequestRecord = {
      time: Date.now(),
      method: req.method ?? 'POST',
      path: url.pathname + url.search,
      route,
      model: key,
      headers: redactHeaders(req.headers),
      body,
    };
    pushCapped(requests, record, logLimit);
    await answer(route, key, apiKey, body, record, res);
  }

  async function answer(
    route: FakeRoute,
    key: string,
    apiKey: string | undefined,
    body: Record<string, unknown>,
    record: FakeRequestRecord,
    res: ServerResponse,
  ): Promise<void> {
    book.begin(key);
    let done = false;
    let pendingFault: string | undefined;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      if (outcome.kind !== 'fault' || outcome.status !== undefined)
        record.status = outcome.kind === 'ok' ? 200 : outcome.status;
      book.end(key, outcome);
    };
    // The client may give up (timeout, reset) before we answer: the slot is freed then, as a provider would.
    res.on('close', () => finish({ kind: 'fault', fault: pendingFault ?? 'client-closed' }));
    const reply = (a: HttpAnswer, outcome: Outcome) => {
      send(res, a);
      finish(outcome);
    };

    if (opts.apiKeys && (apiKey === undefined || !opts.apiKeys.includes(apiKey))) {
      const a = errorAnswer(route.provider, 401);
      reply(a, { kind: 'error', status: a.status });
      return;
    }
    const verdict = limiter.admit(key, book.inFlight(key) - 1, Date.now());
    if (!verdict.ok) {
      const retryMs = verdict.retryAfterMs ?? 1000;
      const headers = {
        'retry-after': String(Math.ceil(retryMs / 1000)),
        'retry-after-ms': String(Math.ceil(retryMs)),
      };
      const message =
        verdict.reason === 'rpm'
          ? `Rate limit reached for ${key}: requests per minute limit exceeded.`
          : `Rate limit reached for ${key}: too many concurrent requests.`;
      reply(errorAnswer(route.provider, 429, { message }, headers), {
        kind: 'error',
        status: 429,
        rateLimited: true,
      });
      return;
    }

    const decision = script.decide({ route, model: key, apiKey });
    const fault = decision.fault;
    pendingFault = fault?.kind;
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (res.destroyed) return;

    const r = makeReply(route, body, key);
    if (fault && isStatusFault(fault)) {
      const a = faultAnswer(route, fault, body, r);
      reply(a, { kind: 'fault', fault: fault.kind, status: a.status });
      return;
    }
    const success = successBody(route, body, r);
    const full = success instanceof RawBody ? success.bytes.toString('latin1') : JSON.stringify(success);
    switch (fault?.kind) {
      case 'hang':
        return; // finish() runs when the client or close() drops the socket
      case 'reset':
        if (fault.afterBytes !== undefined) {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(full),
          });
          res.write(full.slice(0, fault.afterBytes));
          await sleep(10);
        }
        res.socket?.destroy();
        return;
      case 'raw': {
        const text = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
        const status = fault.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json', ...fault.headers });
        res.end(text);
        finish({ kind: 'fault', fault: 'raw', status });
        return;
      }
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        finish({ kind: 'fault', fault: 'malformed', status: 200 });
        return;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(full.slice(0, Math.floor(full.length / 2)));
        finish({ kind: 'fault', fault: 'truncated', status: 200 });
        return;
      case 'drip': {
        const step = Math.max(1, fault.bytesPerTick ?? 1);
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < full.length; i += step) {
          if (res.destroyed) return;
          res.write(full.slice(i, i + step));
          await sleep(fault.intervalMs ?? 100);
        }
        res.end();
        finish({ kind: 'fault', fault: 'drip', status: 200 });
        return;
      }
    }
    const dialect = dialectOf(route.provider);
    const streamed = await dialect?.stream(route, body, r);
    if (streamed) {
      res.writeHead(200, { 'content-type': streamed.contentType, 'cache-control': 'no-cache' });
      // A mid-stream fault cuts the answer after the first frame and `afterChunks` more.
      const broken = fault?.kind === 'mid-stream' ? fault : undefined;
      for (const [i, frame] of streamed.frames.entries()) {
        if (broken && i === broken.afterChunks + 1) {
          if (broken.mode === 'error' && streamed.errorFrame !== undefined) res.end(streamed.errorFrame);
          else if (broken.mode === 'end') res.end();
          else if (broken.mode !== 'stall') {
            await sleep(10); // let the frames already written reach the client first
            res.socket?.destroy();
          }
          finish({ kind: 'fault', fault: 'mid-stream', status: 200 });
          return; // 'stall': the socket stays open until the client gives up
        }
        res.write(frame);
      }
      res.end();
      finish({ kind: 'ok' });
      return;
    }
    if (body.stream === true && !dialect) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const shape = decision.stream ?? opts.stream;
      const broken = fault?.kind === 'mid-stream' ? fault : undefined;
      let sent = 0;
      for (const frame of sseFrames(route, body, r, shape)) {
        if (frame.content) {
          if (broken && sent === broken.afterChunks) {
            if (broken.mode === 'reset') {
              await sleep(10); // let the chunks already written reach the client first
              res.socket?.destroy();
            } else if (broken.mode === 'error') res.end(sseErrorFrame(route));
            else if (broken.mode === 'end') res.end();
            finish({ kind: 'fault', fault: 'mid-stream', status: 200 });
            return; // 'stall': the socket stays open until the client gives up
          }
          if (sent > 0 && shape?.gapMs) await sleep(shape.gapMs);
          if (res.destroyed) return;
          sent++;
        }
        res.write(frame.text);
      }
      res.end();
      finish({ kind: 'ok' });
      return;
    }
    if (success instanceof RawBody) {
      res.writeHead(200, { 'content-type': success.contentType, 'content-length': success.bytes.length });
      res.end(success.bytes);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(full) });
      res.end(full);
    }
    finish({ kind: 'ok' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, errorAnswer('openai', 500, { message: String(err) }));
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (opts.name === undefined) name = `fake-${port}`;

  return {
    url: `http://${host}:${port}`,
    port,
    name,
    requests,
    script(rules) {
      script = createScript(rules, opts.latencyMs, random);
    },
    reset() {
      random = seededRandom(opts.seed ?? 1);
      script = createScript(startRules(opts), opts.latencyMs, random);
      book.reset();
      limiter.reset();
      requests.length = 0;
    },
    stats: () => book.snapshot(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
