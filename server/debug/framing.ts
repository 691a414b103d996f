// Splits the bytes a DAP client sends into messages, surviving bad frames. @vscode/debugadapter's
// own reader exits the adapter on a body that is not JSON and loses sync for good on a
// Content-Length that is not a number; this one reports the bad frame and picks up again at the
// next `Content-Length:` header. A raw CR LF cannot occur inside JSON text (strings escape it),
// so a header found inside a body means that body was shorter than its Content-Length said.

export type Frame = { message: unknown; problem?: string } | { problem: string };

const HEADER = 'Content-Length:';
/** A header inside a body: `Content-Length: <digits>` followed by CR LF. */
const EMBEDDED_HEADER = /Content-Length:[ \t]*\d+[ \t]*\r\n/;
const MAX_HEADER_BYTES = 8 << 10;

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  /** Body length of the frame being read, or -1 while looking for a header. */
  private want = -1;
  /** Bytes of the current body already searched for an embedded header. */
  private scanned = 0;
  /** After a bad header its body is dropped silently, up to the next header. */
  private skipping = false;

  constructor(private readonly maxBodyBytes = 16 << 20) {}

  push(data: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    const out: Frame[] = [];
    for (;;) {
      const f = this.want < 0 ? this.header() : this.body();
      if (f === null) return out;
      if (f !== undefined) out.push(f);
    }
  }

  /** Reads a header; undefined: progress without a frame; null: needs more bytes. */
  private header(): Frame | undefined | null {
    const at = this.buf.indexOf(HEADER);
    if (at < 0) {
      // keep a tail that may be the start of a split header
      const keep = Math.min(this.buf.length, HEADER.length - 1);
      const dropped = this.buf.subarray(0, this.buf.length - keep);
      this.buf = this.buf.subarray(this.buf.length - keep);
      return this.garbage(dropped) ?? null;
    }
    if (at > 0) {
      const dropped = this.buf.subarray(0, at);
      this.buf = this.buf.subarray(at);
      const g = this.garbage(dropped);
      if (g) return g;
    }
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buf.length <= MAX_HEADER_BYTES) return null;
      this.buf = this.buf.subarray(HEADER.length);
      return { problem: 'a message header longer than 8 KiB' };
    }
    const header = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(end + 4);
    const value = /^Content-Length:[ \t]*(.*?)[ \t]*$/m.exec(header)![1];
    const n = /^\d{1,12}$/.test(value) ? Number(value) : NaN;
    if (!(n <= this.maxBodyBytes)) {
      this.skipping = true;
      return {
        problem: Number.isNaN(n)
          ? `Content-Length ${JSON.stringify(value.slice(0, 20))} is not a byte count`
          : `Content-Length ${n} is over the ${this.maxBodyBytes}-byte limit`,
      };
    }
    this.skipping = false;
    this.want = n;
    this.scanned = 0;
    return undefined;
  }

  private body(): Frame | null {
    const limit = Math.min(this.want, this.buf.length);
    const from = Math.max(0, this.scanned - 24);
    const m = EMBEDDED_HEADER.exec(this.buf.subarray(from, limit).toString('latin1'));
    if (m) {
      const cut = from + m.index;
      const said = this.want;
      const f = this.parse(this.buf.subarray(0, cut));
      this.buf = this.buf.subarray(cut);
      this.want = -1;
      const note = `a message of ${cut} bytes said Content-Length ${said}`;
      return 'message' in f ? { message: f.message, problem: note } : { problem: `${note} and is not JSON` };
    }
    this.scanned = limit;
    if (this.buf.length < this.want) return null;
    const f = this.parse(this.buf.subarray(0, this.want));
    this.buf = this.buf.subarray(this.want);
    this.want = -1;
    return f;
  }

  private parse(body: Buffer): Frame {
    const text = body.toString('utf8');
    try {
      return { message: JSON.parse(text) };
    } catch {
      return {
        problem: `a message that is not JSON (${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? '…' : ''})`,
      };
    }
  }

  /** Bytes outside any frame: reported unless blank or the body of a frame already reported. */
  private garbage(bytes: Buffer): Frame | undefined {
    if (this.skipping || bytes.toString('latin1').trim() === '') return undefined;
    return { problem: `${bytes.length} byte(s) outside any message` };
  }
}
