// The CLI's exit codes and how a gate's comparison maps to one.
import type { Comparison } from '../compare/index.js';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, regression: 1, usage: 2, bootsFailed: 3, error: 4, interrupted: 130 } as const;

/** 1 on a regression (or inconclusive when asked); an inconclusive verdict otherwise warns. */
function verdictExit(c: Comparison, failOnInconclusive: boolean): number {
  if (c.state === 'regression') return EXIT.regression;
  if (c.state === 'inconclusive') {
    process.stderr.write(
      'bootgate: warning: the verdict is inconclusive: the data cannot decide (see the report for how many more boots would)\n',
    );
    if (failOnInconclusive) return EXIT.regression;
  }
  return EXIT.ok;
}

/**
 * gate and compare: subjects that could not be built decide first. Built on neither side with a settings
 * problem (e.g. the kernel path names no file the build makes) is bad input (2); for another reason
 * an error (4), unless another subject regressed (1): the gate could not do its job for them. Head
 * not built where base was is a regression (1); base not built where head was is not. The other
 * subjects decide as in compare.
 */
export function gateExit(c: Comparison, failOnInconclusive: boolean): number {
  const neither = c.subjects.filter((s) => s.base.notBuilt && s.head.notBuilt);
  if (neither.length > 0) {
    const what = neither.map((s) => `${s.name} (${s.head.notBuilt!.stage}: ${s.head.notBuilt!.reason})`).join('; ');
    process.stderr.write(`bootgate: not built on base nor on head, so not gated: ${what}\n`);
    if (neither.some((s) => s.base.notBuilt!.stage === 'config' && s.head.notBuilt!.stage === 'config'))
      return EXIT.usage;
    // a regression of another subject is still this PR's verdict
    return c.state === 'regression' ? EXIT.regression : EXIT.error;
  }
  return verdictExit(c, failOnInconclusive);
}
