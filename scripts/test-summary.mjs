// Prints vitest's JSON report as one plain closing line:
//   "tests: N passed, N failed, N skipped; suites: N failed (in a.test.ts, …)"
// A suite whose beforeAll (or a file whose import) fails reports its tests as skipped, not failed:
// failed suites are counted on their own, so such a run never reads as "0 failed". Exit status 1 when
// anything failed, nothing ran, or the report is missing (vitest died before writing it).
import { readFileSync } from 'node:fs';
import path from 'node:path';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`tests: no readable vitest report at ${file} (${error.message}); vitest did not finish`);
  process.exit(1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const shown = (name) =>
  path.relative(process.cwd(), name).startsWith('..') ? name : path.relative(process.cwd(), name);
const failedFiles = (report.testResults ?? []).filter((r) => r.status === 'failed').map((r) => shown(r.name));
const failedSuites = Math.max(report.numFailedTestSuites ?? 0, failedFiles.length);
let line = `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
line += `; suites: ${failedSuites} failed${failedFiles.length > 0 ? ` (in ${failedFiles.join(', ')})` : ''}`;
console.log(line);
const failed = report.numFailedTests > 0 || failedSuites > 0 || report.success === false;
process.exitCode = failed || report.numTotalTests === 0 ? 1 : 0;
