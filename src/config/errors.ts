import type { SourceLocation } from './ast.ts';

/** A configuration problem; `message` is the complete user-facing text (possibly several lines). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly loc?: SourceLocation,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** User text echoed in a message (a plugin or setting name), shortened when it is absurdly long. */
export function clipName(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}
