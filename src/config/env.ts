// `${VAR}` / `${VAR:default}` substitution with Logstash's rules: secret store (flowstash has none),
// then the environment, then the default, else an error in Logstash's words.
import { ConfigError } from './errors.ts';

const PATTERN = /\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}/g;
const WHOLE = /^\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}$/;

export type Environment = Record<string, string | undefined>;

function lookup(name: string, fallback: string | undefined, env: Environment, placeholder: string): string {
  const value = env[name];
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(
    `Cannot evaluate \`${placeholder}\`. Replacement variable \`${name}\` is not defined in a Logstash secret store or as an Environment entry and there is no default value given.`,
  );
}

/** Ruby pass (plugin arguments): every `${…}` inside the string is replaced. */
export function substituteAll(text: string, env: Environment): string {
  if (!text.includes('${')) return text;
  return text.replace(PATTERN, (whole, name: string, fallback: string | undefined) => lookup(name, fallback, env, whole));
}

/** Java pass (conditional constants): only a string that is entirely one `${…}` is replaced. */
export function substituteWhole(text: string, env: Environment): string {
  const m = WHOLE.exec(text);
  return m ? lookup(m[1]!, m[2], env, text) : text;
}
