// OpenAI-style ids: `file-<hex>` and `batch_<hex>`; both are also valid BullMQ job ids (no ':').
import { randomBytes } from 'node:crypto';

export const newFileId = (): string => `file-${randomBytes(12).toString('hex')}`;
export const newBatchId = (): string => `batch_${randomBytes(12).toString('hex')}`;

/** A request's job id: its batch and its input line, so a re-added flow finds the same jobs. */
export const requestJobId = (batchId: string, line: number): string => `${batchId}-${line}`;

/** The output and error files of a batch have fixed ids, so a finalize that runs twice overwrites, not duplicates. */
export const outputFileId = (batchId: string, kind: 'output' | 'errors'): string =>
  `file-${batchId.replace(/^batch_/, '')}-${kind}`;
