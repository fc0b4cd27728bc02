// What `-t` checks beyond the schemas: plugins whose catalog line says `checks` get their module
// loaded and its check() run on their options (a dictionary that does not parse, a script's tests).
import type { PluginNode, Statement, Value } from '../config/ast.ts';
import type { PipelineConfig } from '../config/pipeline-config.ts';
import { findPlugin } from './registry.ts';
import type { CheckContext, EcsCompatibility, Logger } from './types.ts';

export interface ChecksOutcome {
  errors: string[];
  notes: string[];
}

function nodesOf(statements: Statement[], out: PluginNode[] = []): PluginNode[] {
  const visitValue = (v: Value): void => {
    if (v.type === 'plugin') visit(v);
    else if (v.type === 'array') v.items.forEach(visitValue);
    else if (v.type === 'hash') v.entries.forEach((e) => visitValue(e.value));
  };
  const visit = (node: PluginNode): void => {
    out.push(node);
    node.attributes.forEach((a) => visitValue(a.value));
  };
  for (const s of statements) {
    if (s.type === 'plugin') visit(s);
    else {
      s.clauses.forEach((c) => nodesOf(c.body, out));
      if (s.elseBody) nodesOf(s.elseBody, out);
    }
  }
  return out;
}

function collectingLogger(notes: string[]): Logger {
  const keep = (level: string) => (msg: string) => void notes.push(`[${level.toUpperCase().padEnd(5)}] ${msg}`);
  return { trace: () => undefined, debug: () => undefined, info: keep('info'), warn: keep('warn'), error: keep('error'), isEnabled: (l) => l !== 'trace' && l !== 'debug' };
}

export async function runChecks(config: PipelineConfig, ecsCompatibility: EcsCompatibility): Promise<ChecksOutcome> {
  const outcome: ChecksOutcome = { errors: [], notes: [] };
  // Conditions compile as at start (their regexps included), so -t fails where the run would.
  const { checkConditions } = await import('../pipeline/conditions.ts');
  outcome.errors.push(...(await checkConditions(config)));
  for (const node of nodesOf([...config.inputs, ...config.filters, ...config.outputs])) {
    const impl = findPlugin(node.kind, node.name)?.implementation;
    if (!impl?.checks) continue;
    const plugin = config.plugin(node);
    const module = await impl.load();
    if (!module.check) continue;
    const own = plugin.options['ecs_compatibility'];
    const ctx: CheckContext = {
      log: collectingLogger(outcome.notes),
      ecsCompatibility: own === 'disabled' || own === 'v1' || own === 'v8' ? own : ecsCompatibility,
      id: plugin.id,
      where: `${node.loc.file}:${node.loc.line}:${node.loc.column}`,
    };
    try {
      const result = await module.check(plugin.options, ctx);
      outcome.errors.push(...result.errors);
      outcome.notes.push(...(result.notes ?? []));
    } catch (e) {
      outcome.errors.push(`${plugin.kind} ${plugin.name} at ${ctx.where}: ${(e as Error).message}`);
    }
  }
  return outcome;
}
