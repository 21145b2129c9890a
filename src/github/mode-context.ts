// What every mode of the action gets (run, inputs, client, cancellation, log groups), and the
// pull request a PR mode runs for.
import type { Octokit } from './comment.js';
import type { PullRequestInfo, RunContext } from './context.js';
import type { ActionInputs } from './inputs.js';
import type { StageLog } from './stages.js';

export interface ModeContext {
  run: RunContext;
  inputs: ActionInputs;
  octokit: Octokit | null;
  signal: AbortSignal;
  stages: StageLog;
}

/** The PR this run is for; refuses the event that holds a write token while running PR code. */
export function requirePullRequest(run: RunContext, mode: string): PullRequestInfo {
  if (run.eventName === 'pull_request_target') {
    throw new Error(
      `mode ${mode} refuses to run on pull_request_target: that event gives the job a token that can write to ` +
        "the repository, and building and booting the pull request's code in it would hand that token to the PR. " +
        'Run mode pr on the pull_request event; for fork PRs, post the comment with mode report from a separate ' +
        'workflow_run workflow (see docs/action.md of bootgate, "Pull requests from forks").',
    );
  }
  if (!run.pullRequest) {
    throw new Error(
      `mode ${mode} needs a pull_request event; this run's event is "${run.eventName || 'unknown'}". ` +
        'Use mode nightly for push, schedule or workflow_dispatch runs.',
    );
  }
  return run.pullRequest;
}
