import type { SynthProfile } from '../types.ts';
import { ciscoV9Profile } from './cisco-v9.ts';
import { netscalerProfile } from './netscaler.ts';
import { softflowdProfile } from './softflowd.ts';
import { v5Profile } from './v5.ts';
import { sflowProfile } from './sflow.ts';

export const PROFILES: readonly SynthProfile[] = [netscalerProfile, softflowdProfile, ciscoV9Profile, v5Profile, sflowProfile];

export function findProfile(name: string): SynthProfile | undefined {
  return PROFILES.find((p) => p.name === name);
}
