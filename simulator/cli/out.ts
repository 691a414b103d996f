// Standard output for the commands: lines gathered as bytes, written respecting back-pressure,
// quiet once the reader has gone (`| head`).

import { LineBuffer } from '../output/line-buffer';

export class Out {
  /** Where the lines are written, as bytes (writers may put bytes in directly). */
  readonly lines = new LineBuffer();
  closed = false;

  constructor() {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }

  line(s: string): void {
    if (this.closed) return;
    this.lines.text(s);
    this.lines.byte(10);
  }

  get pending(): number {
    return this.lines.pending;
  }

  async flush(): Promise<void> {
    for (const chunk of this.lines.take()) {
      if (this.closed) return;
      if (!process.stdout.write(chunk)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
    }
  }
}
