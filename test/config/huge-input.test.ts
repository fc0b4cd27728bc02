// A config with an absurdly long word (generated or corrupted files) is rejected quickly with a short
// message: the suggestion search is skipped when lengths alone rule it out, echoed names are clipped,
// and a syntax error shows the end of the "after" text and a window of the line around the column.
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig, ConfigError } from '../../src/config/pipeline-config.ts';
import { editDistance, suggest } from '../../src/config/suggest.ts';

const HUGE = 'a'.repeat(1_000_000);

async function rejection(text: string): Promise<string> {
  try {
    await loadPipelineConfig({ configString: text });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('configs with a 1 MB word', () => {
  it('a 1 MB plugin name: Logstash\'s message with the name clipped', async () => {
    const msg = await rejection(`input { ${HUGE} {} }`);
    expect(msg).toMatch(/Couldn't find any input plugin named 'a{120}…\(999880 more characters\)'\. Are you sure this is correct\?/);
    expect(msg.length).toBeLessThan(1000);
  });

  it('a 1 MB setting name: one clipped name', async () => {
    const msg = await rejection(`input { stdin { ${HUGE} => 1 } }`);
    expect(msg).toContain(`Unknown setting 'a${'a'.repeat(119)}…(999880 more characters)' for stdin`);
    expect(msg.length).toBeLessThan(1000);
  });

  it('a syntax error after 1 MB: the after text keeps its last 2,000 characters, the line is windowed', async () => {
    const msg = await rejection(`input { ${HUGE} }`);
    expect(msg).toContain('Expected one of [ \\t\\r\\n], "#", "{" at line 1, column 1000010 (byte 1000010) after …(998009 characters left out)…');
    expect(msg.length).toBeLessThan(4000);
  });

  it('short configs keep Logstash\'s full after text', async () => {
    const msg = await rejection('input { stdin { type ');
    expect(msg).toContain('after input { stdin { type ');
  });

  it('suggestions: the length bound never changes the answer', () => {
    const names = ['stdin', 'generator', 'udp', 'elasticsearch', 'file'];
    for (const w of ['stdn', 'elastisearch', 'fil', 'generatorr', 'xyz', 'elasticsearchelasticsearch']) {
      const limit = Math.max(1, Math.floor(w.length / 3));
      const brute = names.filter((n) => editDistance(w, n) <= limit).sort((a, b) => editDistance(w, a) - editDistance(w, b) || names.indexOf(a) - names.indexOf(b))[0];
      expect(suggest(w, names)).toBe(brute);
    }
  });
});
