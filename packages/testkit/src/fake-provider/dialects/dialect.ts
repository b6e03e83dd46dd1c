// The shape of one more provider dialect in the fake: how it routes, reads a conversation, answers and fails.
import type { IncomingMessage } from 'node:http';
import type { Reply } from '../bodies.ts';
import type { HttpAnswer } from '../error-bodies.ts';
import type { FakeProviderKind, FakeProviderOptions, FakeRoute } from '../types.ts';

export type Obj = Record<string, unknown>;

/** What a request says, in dialect-neutral terms. */
export interface Turn {
  /** Text of the last user message. */
  lastUser: string;
  /** Set when the conversation ends with a tool result: the fake then answers with text about it. */
  toolResult?: string;
  /** All prompt text, for token counts. */
  prompt: string;
  /** Names of the tools offered; the fake calls the first one when the turn is a user message. */
  tools: string[];
}

export interface ErrorSpec {
  message?: string;
  type?: string;
  code?: string | null;
}

export interface StreamAnswer {
  contentType: string;
  frames: (string | Uint8Array)[];
  /** The dialect's in-stream error event (a mid-stream `error` fault); without one the socket is reset. */
  errorFrame?: string | Uint8Array;
}

export interface Dialect {
  provider: FakeProviderKind;
  route(method: string, url: URL): FakeRoute | undefined;
  /** A refusal when the request's signature does not check out (Bedrock SigV4); undefined lets it through. */
  verify?(
    req: IncomingMessage,
    url: URL,
    raw: string,
    opts: FakeProviderOptions,
  ): Promise<HttpAnswer | undefined>;
  turn(route: FakeRoute, body: Obj): Turn;
  success(route: FakeRoute, body: Obj, r: Reply): unknown;
  /** The streamed answer when the route or body asks for one. */
  stream(route: FakeRoute, body: Obj, r: Reply): StreamAnswer | undefined | Promise<StreamAnswer | undefined>;
  error(status: number, spec?: ErrorSpec): HttpAnswer;
  contextWindow(route: FakeRoute): HttpAnswer;
  contentPolicy(route: FakeRoute, body: Obj, r: Reply): HttpAnswer;
}

export function partText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof (p as Obj).text === 'string' ? String((p as Obj).text) : ''))
      .join('');
  }
  return '';
}

/** Words with their trailing space, so streamed deltas concatenate back to the full text. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [''];
}

export function sse(obj: unknown, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(obj)}\n\n`;
}

/** A crude relevance score for rerank: share of query words found in the document. */
export function overlapScore(query: string, doc: string): number {
  const words = query.toLowerCase().match(/\w+/g) ?? [];
  if (words.length === 0) return 0;
  const text = doc.toLowerCase();
  const hits = words.filter((w) => text.includes(w)).length;
  return Number((hits / words.length).toFixed(4));
}
