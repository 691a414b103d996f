// Content-Length framing as DAP and LSP servers send it, for test clients that read the wire
// themselves. A frame the server gets wrong is an error: servers must frame correctly.

export function frame(msg: unknown): string {
  const json = JSON.stringify(msg);
  return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

export class FrameSplitter {
  private buf = Buffer.alloc(0);

  /** The messages completed by `data`. */
  push(data: Buffer): unknown[] {
    this.buf = Buffer.concat([this.buf, data]);
    const out: unknown[] = [];
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return out;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString());
      if (!m) throw new Error(`a frame without Content-Length: ${this.buf.subarray(0, end).toString().slice(0, 200)}`);
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return out;
      out.push(JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString()));
      this.buf = this.buf.subarray(end + 4 + len);
    }
  }
}
