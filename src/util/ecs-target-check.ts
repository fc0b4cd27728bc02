// Logstash's ECSCompatibilitySupport::TargetCheck: a plugin that writes parsed fields at the event's
// top level logs one INFO at start when ECS compatibility is on and `target` is unset.
import type { EcsCompatibility, Logger } from '../plugins/types.ts';

const MESSAGE =
  'ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at ' +
  'the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended ' +
  'to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or ' +
  'non-conflicting, feel free to ignore this message)';

export function checkEcsTarget(ecs: EcsCompatibility, target: string | undefined, log: Logger): void {
  if (ecs !== 'disabled' && (target === undefined || target === '')) log.info(MESSAGE);
}
