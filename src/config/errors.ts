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
