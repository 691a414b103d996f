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

/**
 * A value as an error message may quote it: JSON, cut to `max` characters, control and other
 * unprintable characters escaped — never the whole of a long input or raw binary bytes.
 */
export function excerpt(v: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return shortText(text, max);
}

/** Text as an error may quote it, unquoted: printable and cut to `max` characters. */
export function shortText(text: string, max = 60): string {
  const p = printable(text.length > max * 2 ? text.slice(0, max * 2) : text);
  return p.length > max ? `${p.slice(0, max)}…` : p;
}

/** Unprintable characters (controls, lone surrogates, replacement characters) as \u escapes. */
export function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\uFFFD]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
