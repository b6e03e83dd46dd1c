// The failure format of the contract: a job's failedReason is `<ErrorType>: <message>`.
import { type ErrorType, isErrorType } from '../errors/taxonomy.ts';

export function failedReason(type: ErrorType, message: string): string {
  return `${type}: ${message}`;
}

/** Parse a failedReason back into its type (client side). Unknown prefixes map to APIConnectionError. */
export function parseFailedReason(reason: string): { type: ErrorType; message: string } {
  const idx = reason.indexOf(':');
  const head = idx > 0 ? reason.slice(0, idx) : '';
  if (isErrorType(head)) return { type: head, message: reason.slice(idx + 1).trim() };
  return { type: 'APIConnectionError', message: reason };
}
