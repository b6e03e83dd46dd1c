// The Files and Batch APIs are two routers of one kind: the gateway hands each the same request facts and
// serves whichever handler answers, so both are typed here once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchService, Caller } from '@switchyard/batch';
import type { WrongMethod } from './routes.ts';

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The handler for a path (already stripped of `/v1`), a WrongMethod, or undefined when the path is not its. */
export type ApiRouter = (
  batches: BatchService,
  caller: Caller,
  method: string,
  path: string,
  query: URLSearchParams,
) => ApiHandler | WrongMethod | undefined;
