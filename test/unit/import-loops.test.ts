// The layout has no import loops: config → build → boot → measure → stats/compare/history → report →
// engine → github, each folder importing only downward (scripts/import-loops.mjs, also runnable by hand).
import { describe, expect, it } from 'vitest';
import { importLoops } from '../../scripts/import-loops.mjs';

describe('import loops', () => {
  const { folderLoops, fileLoops } = importLoops('src');

  it('none between folders', () => {
    expect(folderLoops.map((l) => l.folders.join(' <-> '))).toEqual([]);
  });

  it('none between files', () => {
    expect(fileLoops).toEqual([]);
  });

  it('finds a loop when there is one', () => {
    // the loop this layout removed: measure/results.ts → stats → compare-results → measure/results.ts
    const loops = importLoops('test/fixtures-data/import-loop');
    expect(loops.folderLoops.map((l) => l.folders)).toEqual([['measure', 'stats']]);
    expect(loops.fileLoops).toEqual([['measure/results.ts', 'stats/compare-results.ts', 'stats/index.ts']]);
  });
});
