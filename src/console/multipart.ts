/**
 * A small multipart/form-data reader for the console's uploads (one workbook and a few text
 * fields, the whole body already read under a size limit). Anything malformed throws.
 */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n');
const MAX_PARTS = 20;

function param(header: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}="([^"]*)"`, 'i').exec(header) ?? new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  return m ? m[1] : null;
}

export function parseMultipart(body: Buffer, contentType: string): { fields: URLSearchParams; files: UploadedFile[] } {
  const b = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  if (!b) throw new MultipartError('no boundary');
  const delimiter = Buffer.from(`--${b[1] ?? b[2]}`);
  const fields = new URLSearchParams();
  const files: UploadedFile[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('no part');
  for (let parts = 0; ; parts++) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the closing delimiter
    if (parts >= MAX_PARTS) throw new MultipartError('too many parts');
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw new MultipartError('bad delimiter line');
    const headEnd = body.indexOf('\r\n\r\n', pos + 2);
    if (headEnd < 0) throw new MultipartError('no part headers');
    const headers = body.subarray(pos + 2, headEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headEnd + 4);
    if (next < 0) throw new MultipartError('unterminated part');
    const data = body.subarray(headEnd + 4, next);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = param(disposition, 'name');
    if (!name) throw new MultipartError('part without a name');
    const filename = param(disposition, 'filename');
    if (filename !== null) {
      const type = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '') ?? 'application/octet-stream';
      files.push({ field: name, filename, contentType: type, data: Buffer.from(data) });
    } else fields.append(name, data.toString('utf8'));
    pos = next + CRLF.length;
  }
  return { fields, files };
}
