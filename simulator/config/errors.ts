/** A problem with what a user gave us (flags, a QEMU fragment, a fio file, a launch config). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
