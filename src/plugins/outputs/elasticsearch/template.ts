// The index template an elasticsearch output installs (template_manager.rb): the user's `template`
// file read as JSON, or a default one; with ILM in use the index pattern becomes `<alias>-*` and
// the lifecycle settings are written into the template's settings (legacy or composable layout).
import { readFile } from 'node:fs/promises';
import type { EcsCompatibility } from '../../types.ts';
import type { IlmPlan, TemplatePlan } from './resolve.ts';
import { EsConfigurationError } from './resolve.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readTemplateFile(file: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EsConfigurationError(`Template file '${file}' could not be found`);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (e) {
    throw new EsConfigurationError(`Template file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new EsConfigurationError(`Template file '${file}' must hold a JSON object`);
  return parsed;
}

/**
 * flowstash's default template when no `template` is given: Logstash installs its bundled one
 * (not reproduced here); this one has the same index pattern, a date @timestamp, keyword @version
 * and strings as text with a keyword sub-field.
 */
export function defaultTemplate(ecs: EcsCompatibility, composable: boolean, indexPattern: string): JsonObject {
  const settings: JsonObject = { index: { refresh_interval: '5s', number_of_shards: 1 } };
  const mappings: JsonObject = {
    dynamic_templates: [
      { message_field: { path_match: 'message', match_mapping_type: 'string', mapping: { type: 'text', norms: false } } },
      {
        string_fields: {
          match: '*',
          match_mapping_type: 'string',
          mapping: { type: 'text', norms: false, fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        },
      },
    ],
    properties: { '@timestamp': { type: 'date' }, '@version': { type: 'keyword' } },
  };
  const version = ecs === 'disabled' ? 80001 : 80002;
  return composable
    ? { index_patterns: indexPattern, version, priority: 200, template: { settings, mappings } }
    : { index_patterns: indexPattern, version, settings, mappings };
}

/** add_ilm_settings_to_template: the rollover alias pattern and the lifecycle settings. */
export function addIlmSettings(template: JsonObject, ilm: IlmPlan, majorVersion: number, composable: boolean): void {
  if (majorVersion < 8 && 'template' in template) delete template['template'];
  template['index_patterns'] = `${ilm.rolloverAlias}-*`;
  let settings: JsonObject;
  const composableLayout = 'template' in template ? true : 'settings' in template ? false : composable;
  if (composableLayout) {
    const t = isObject(template['template']) ? template['template'] : (template['template'] = {});
    settings = isObject(t['settings']) ? t['settings'] : (t['settings'] = {});
  } else {
    settings = isObject(template['settings']) ? template['settings'] : (template['settings'] = {});
  }
  settings['index.lifecycle.name'] = ilm.policy;
  settings['index.lifecycle.rollover_alias'] = ilm.rolloverAlias;
}

/** The template body to PUT for a plan. */
export async function templateBody(plan: TemplatePlan, ecs: EcsCompatibility, majorVersion: number, ilm: IlmPlan | undefined): Promise<JsonObject> {
  const composable = plan.endpoint === '_index_template';
  const template = plan.file !== undefined ? await readTemplateFile(plan.file) : defaultTemplate(ecs, composable, `${plan.name}-*`);
  if (ilm) addIlmSettings(template, ilm, majorVersion, composable);
  return template;
}

/** The policy Logstash installs as `logstash-policy` when ILM is used with the default policy name. */
export const DEFAULT_ILM_POLICY: JsonObject = {
  policy: { phases: { hot: { actions: { rollover: { max_primary_shard_size: '50gb', max_age: '30d' } } } } },
};
