// Where an event's bytes go, decided as logstash-output-file's register/event_path do it:
// the configured path is expanded (Ruby's File.expand_path); its first directory must be static;
// the "file root" is the part before the first segment holding a `%{...}` (or, for a path without
// any, its directory); an interpolated path that does not stay strictly below that root — `..`
// climbing out, or an empty field leaving the root itself — is replaced by <root>/<filename_failure>.
import os from 'node:os';
import path from 'node:path';

/** logstash-output-file's FIELD_REF: any `%{...}` (field references and `%{+date}` formats alike). */
const FIELD_REF = /%\{[^}]+\}/;

/** Ruby's File.expand_path for the forms a config uses: `~`, `~/…`, relative and `..` segments. */
export function expandPath(p: string): string {
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  return path.resolve(p);
}

export class FileRoot {
  /** The configured path, expanded: the template each event is interpolated into. */
  readonly template: string;
  /** Whether the path interpolates anything; only such paths are checked against the root. */
  readonly dynamic: boolean;
  readonly root: string;
  readonly failurePath: string;

  constructor(configured: string, filenameFailure: string) {
    this.template = expandPath(configured);
    const first = this.template.split(path.sep).find((part) => part !== '');
    if (first !== undefined && FIELD_REF.test(first)) {
      // Logstash raises LogStash::ConfigurationError with this text from register.
      throw new Error(`The starting part of the path should not be dynamic. (path: ${configured})`);
    }
    this.dynamic = FIELD_REF.test(configured);
    if (this.dynamic) {
      const parts = this.template.split(path.sep);
      const staticParts: string[] = [];
      for (const part of parts) {
        if (FIELD_REF.test(part)) break;
        staticParts.push(part);
      }
      this.root = staticParts.join(path.sep);
    } else {
      this.root = path.dirname(this.template);
    }
    this.failurePath = path.join(this.root, filenameFailure);
  }

  /** The file an interpolated path names, or undefined when it is not strictly inside the root. */
  inside(interpolated: string): string | undefined {
    if (!this.dynamic) return this.template;
    const target = path.resolve(interpolated);
    return target.startsWith(this.root + path.sep) ? target : undefined;
  }
}
