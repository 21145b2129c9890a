// Log groups per stage. The engine builds then boots inside one call, so the boot group opens when
// the first boot reports: everything logged before it belongs to the build.
import * as core from '@actions/core';
import type { BootProgress } from '../measure/run.js';
import { progressLine } from '../report/terminal.js';
import { neutraliseWorkflowCommands } from './untrusted-log.js';

export class StageLog {
  private open = false;
  private booting = false;

  stage(title: string): void {
    this.close();
    core.startGroup(title);
    this.open = true;
  }

  close(): void {
    if (this.open) core.endGroup();
    this.open = false;
  }

  /**
   * Engine callbacks: build lines, then one progress line per boot under a "boot" group. Build
   * lines are the PR's own output, so they cannot issue workflow commands.
   */
  engineCallbacks(bootTitle: string): { log: (line: string) => void; onBoot: (p: BootProgress) => void } {
    return {
      log: (line) => core.info(neutraliseWorkflowCommands(line)),
      onBoot: (p) => {
        if (!this.booting) {
          this.booting = true;
          this.stage(bootTitle);
        }
        core.info(progressLine(p));
      },
    };
  }
}
