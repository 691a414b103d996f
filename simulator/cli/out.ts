// Standard output for the commands: buffered, respecting back-pressure, quiet once the reader
// has gone (`| head`).

/** Buffered stdout that respects back-pressure and goes quiet when the reader leaves (| head). */
export class Out {
  private buf: string[] = [];
  private size = 0;
  closed = false;

  constructor() {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }

  line(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.size += s.length;
  }

  get pending(): number {
    return this.size;
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0 || this.closed) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!process.stdout.write(chunk)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  }
}
