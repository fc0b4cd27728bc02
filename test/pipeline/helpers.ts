// Test helpers: configs from text through the real loader, conditions compiled from them.
import { loadPipelineConfig, type PipelineConfig } from '../../src/config/pipeline-config.ts';
import { compileCondition, prepareConditions, type CompiledCondition } from '../../src/pipeline/conditions.ts';

export async function configOf(text: string): Promise<PipelineConfig> {
  return loadPipelineConfig({ configString: text, env: {} });
}

/** The compiled condition of `if <cond> {}` in a filter section. */
export async function conditionOf(cond: string): Promise<CompiledCondition> {
  const config = await configOf(`input { generator { count => 1 } } filter { if ${cond} { } } output { null {} }`);
  const branch = config.filters[0];
  if (!branch || branch.type !== 'branch') throw new Error('no branch parsed');
  await prepareConditions(config);
  return compileCondition(config.condition(branch.clauses[0]!.condition));
}
