// The GitHub Action: reads the inputs and the run's context, then runs one mode. Every failure ends
// in core.setFailed with a message that names what was wrong; nothing is thrown past here.
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { abortOnSignals } from '../boot/children.js';
import type { Octokit } from './comment.js';
import { readRunContext } from './context.js';
import { parseInputs } from './inputs.js';
import { runNightlyMode } from './nightly.js';
import { runMergeMode } from './merge-mode.js';
import type { ModeContext } from './mode-context.js';
import { runPrMode } from './pr.js';
import { runReportMode } from './report-mode.js';
import { StageLog } from './stages.js';

export async function runAction(): Promise<void> {
  const controller = new AbortController();
  // The runner cancels a job with SIGINT, then SIGTERM: running boots stop and QEMU is reaped.
  const release = abortOnSignals(controller);
  const stages = new StageLog();
  try {
    const inputs = parseInputs((name) => core.getInput(name));
    const run = readRunContext();
    const octokit: Octokit | null = inputs.token ? getOctokit(inputs.token) : null;
    const ctx: ModeContext = { run, inputs, octokit, signal: controller.signal, stages };
    switch (inputs.mode) {
      case 'pr':
        await runPrMode(ctx);
        break;
      case 'merge':
        await runMergeMode(ctx);
        break;
      case 'report':
        await runReportMode(ctx);
        break;
      case 'nightly':
        await runNightlyMode(ctx);
        break;
    }
  } catch (error) {
    stages.close();
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(`bootgate: ${message}`);
    if (core.isDebug() && error instanceof Error && error.stack) core.debug(error.stack);
  } finally {
    release();
  }
}
