// The dictionary a translate filter looks values up in, and its three fetch strategies
// (logstash-filter-translate's fetch_strategy/*): exact (`@dictionary[source]`), exact + regex (the
// first key, in dictionary order, whose regular expression matches anywhere in the source) and
// fuzzy (`source.gsub(Regexp.union(keys), dictionary)`: every occurrence of any key, keys taken
// literally, replaced by its value's text). Found values are deep-cloned so a later filter cannot
// mutate the dictionary. A refresh merges into (or replaces) the entries and rebuilds the matcher.
import { deepClone } from '../../../event/event.ts';
import type { FieldValue } from '../../../event/values.ts';
import { valueToString } from '../../../event/stringify.ts';
import { compileRegexp, ensureRegexpEngine, regexpNeedsEngine } from '../../../regexp/regexp.ts';
import { DictionaryFileError, type DictionaryEntries } from './dictionary-file.ts';

export type MatchMode = 'exact' | 'regex' | 'fuzzy';

/** Returned by fetch() when nothing matched. */
export const NO_MATCH: unique symbol = Symbol('no match');

type Fetch = (source: string) => FieldValue | typeof NO_MATCH;

/** One dictionary key as a Ruby regular expression (the project's regexp helper: Oniguruma semantics). */
function keyPattern(key: string): (text: string) => boolean {
  const re = compileRegexp(key);
  return (text) => re.test(text);
}

/** Loads the regexp engine when a key of a regex-mode dictionary needs it (before the synchronous install). */
export async function prepareKeys(mode: MatchMode, loaded: DictionaryEntries): Promise<void> {
  if (mode === 'regex' && loaded.entries.some(([key]) => regexpNeedsEngine(key))) await ensureRegexpEngine();
}

function escapeLiteral(key: string): string {
  return key.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export class TranslateDictionary {
  private entries = new Map<string, FieldValue>();
  private fetcher: Fetch = () => NO_MATCH;

  constructor(readonly mode: MatchMode) {}

  get size(): number {
    return this.entries.size;
  }

  fetch(source: string): FieldValue | typeof NO_MATCH {
    return this.fetcher(source);
  }

  /** New keys are added, existing ones updated in place (Ruby's Hash#merge!), the rest kept. */
  merge(loaded: DictionaryEntries, file = '<dictionary>'): void {
    this.install(new Map([...this.entries, ...loaded.entries]), loaded, file);
  }

  /** The loaded entries become the whole dictionary. */
  replace(loaded: DictionaryEntries, file = '<dictionary>'): void {
    this.install(new Map(loaded.entries), loaded, file);
  }

  /** Builds the matcher first, so a key that is not a valid regexp leaves the old dictionary in place. */
  private install(entries: Map<string, FieldValue>, loaded: DictionaryEntries, file: string): void {
    if (this.mode !== 'exact' && loaded.nonStringKeys.length > 0) {
      const bad = loaded.nonStringKeys[0]!;
      throw new DictionaryFileError(file, bad.line, `no implicit conversion of ${/^[-+]?[0-9]/.test(bad.text) ? 'Integer' : 'non-String'} into String (key ${bad.text}; quote it)`);
    }
    const fetcher = this.build(entries, file);
    this.entries = entries;
    this.fetcher = fetcher;
  }

  private build(entries: Map<string, FieldValue>, file: string): Fetch {
    switch (this.mode) {
      case 'exact':
        return (source) => {
          // One lookup: a stored value is never undefined (a YAML/JSON/CSV null is null).
          const found = entries.get(source);
          if (found === undefined) return NO_MATCH;
          return typeof found === 'object' && found !== null ? deepClone(found) : found;
        };
      case 'regex': {
        const patterns: [key: string, test: (text: string) => boolean][] = [];
        for (const key of entries.keys()) {
          try {
            patterns.push([key, keyPattern(key)]);
          } catch (e) {
            throw new DictionaryFileError(file, undefined, `${(e as Error).message} (dictionary key ${JSON.stringify(key)})`);
          }
        }
        return (source) => {
          for (const [key, test] of patterns) if (test(source)) return deepClone(entries.get(key)!);
          return NO_MATCH;
        };
      }
      case 'fuzzy': {
        if (entries.size === 0) return () => NO_MATCH;
        const union = new RegExp([...entries.keys()].map(escapeLiteral).join('|'), 'g');
        return (source) => {
          const translated = source.replace(union, (found) => valueToString(entries.get(found) ?? null));
          return translated === source ? NO_MATCH : translated;
        };
      }
    }
  }
}
