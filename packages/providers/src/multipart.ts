// multipart/form-data for audio uploads, encoded in one pass: undici's encoder (`new Response(form)`) streams a
// 24 MiB file through web streams in small chunks and copies it again to collect them.
import { randomBytes } from 'node:crypto';

/** Field and file names as the HTML standard escapes them in a part's header (what undici sends). */
const escapeName = (name: string): string =>
  name.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');

/** A text value's line breaks become CRLF, as in browsers' and undici's encoding. */
const normalizeLines = (value: string): string => value.replace(/\r\n|\r|\n/g, '\r\n');

/** The form's bytes and content type (with its boundary). */
export async function encodeMultipart(form: FormData): Promise<{ payload: Buffer; contentType: string }> {
  const boundary = `----switchyard-${randomBytes(16).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of form) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"`;
    if (typeof value === 'string') {
      parts.push(Buffer.from(`${head}\r\n\r\n${normalizeLines(value)}\r\n`));
      continue;
    }
    head += `; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}`;
    parts.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(await value.arrayBuffer()), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
