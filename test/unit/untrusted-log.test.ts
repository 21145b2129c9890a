import { describe, expect, it } from 'vitest';
import { neutraliseWorkflowCommands } from '../../src/github/untrusted-log.js';

describe('build and guest lines in the action log', () => {
  it('shows workflow commands instead of letting the runner obey them', () => {
    expect(neutraliseWorkflowCommands('::add-mask::secret')).toBe('| ::add-mask::secret');
    expect(neutraliseWorkflowCommands('   ::error file=a.c,line=1::fake')).toBe('|    ::error file=a.c,line=1::fake');
    expect(neutraliseWorkflowCommands('::stop-commands::tok')).toBe('| ::stop-commands::tok');
    const old = neutraliseWorkflowCommands('make: ##[set-env name=X;]1');
    expect(old).not.toContain('##[');
    expect(old.replaceAll('\u200b', '')).toBe('make: ##[set-env name=X;]1');
  });

  it('leaves ordinary lines as they are', () => {
    for (const line of ['CC build/obj/x.o', 'a::b', 'std::vector<int>', '', '  [info] (unit) initializing embox.net']) {
      expect(neutraliseWorkflowCommands(line)).toBe(line);
    }
  });
});
