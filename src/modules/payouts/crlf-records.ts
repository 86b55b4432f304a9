import { Transform, TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/**
 * PostgreSQL's COPY … WITH (FORMAT csv) ends records with LF; the exports are RFC 4180 and end
 * them with CRLF. A LF inside a quoted field is data and stays as it is: the transform follows
 * the quotes (COPY quotes every field holding a quote and doubles the quotes in it, so each
 * quote toggles the state and a doubled one toggles it twice). Works on bytes: a UTF-8
 * sequence split across chunks is never looked at (its bytes are all ≥ 0x80).
 */
export class CrlfRecords extends Transform {
  private quoted = false;
  private records = 0;

  constructor(private readonly onRecords?: (records: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    const parts: Buffer[] = [];
    let quoted = this.quoted;
    let start = 0;
    let records = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) {
        quoted = !quoted;
      } else if (byte === LF && !quoted) {
        parts.push(chunk.subarray(start, i), CRLF);
        start = i + 1;
        records++;
      }
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
    this.quoted = quoted;
    this.records += records;
    if (records > 0) this.onRecords?.(this.records);
    callback(null, Buffer.concat(parts));
  }
}
