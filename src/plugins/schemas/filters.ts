// Filter plugin schemas (option lists of the current Logstash plugins).
import type { PluginSchema } from '../types.ts';

// Every filter now has its own schema beside its implementation (src/plugins/filters/<name>/schema.ts).
export const FILTER_SCHEMAS: PluginSchema[] = [];
