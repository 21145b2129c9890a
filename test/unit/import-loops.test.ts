// The layout has no import loops: config → build → boot → measure → stats/compare/history → report →
// engine → github, each folder importing only downward (scripts/import-loops.mjs, also runnable by hand).
import { describe, expect, it } from 'vitest';
import { importLoops } from '../../scripts/import-loops.mjs';

// boot ↔ build (guest settings and the ELF readers) is being taken apart in its own change (issue 14,
// "one ELF module"); it is the only loop allowed here until then.
const PENDING = ['boot <-> build'];

describe('import loops', () => {
  const { folderLoops, fileLoops } = importLoops('src');

  it('none between folders', () => {
    expect(folderLoops.map((l) => l.folders.join(' <-> ')).filter((l) => !PENDING.includes(l))).toEqual([]);
  });

  it('none between files outside build/', () => {
    expect(fileLoops.filter((loop) => !loop.every((f) => f.startsWith('build/')))).toEqual([]);
  });

  it('finds a loop when there is one', () => {
    // the loop this layout removed: measure/results.ts → stats → compare-results → measure/results.ts
    const loops = importLoops('test/fixtures-data/import-loop');
    expect(loops.folderLoops.map((l) => l.folders)).toEqual([['measure', 'stats']]);
    expect(loops.fileLoops).toEqual([['measure/results.ts', 'stats/compare-results.ts', 'stats/index.ts']]);
  });
});
