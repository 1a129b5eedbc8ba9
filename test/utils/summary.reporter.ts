import type { RunnerTestFile, RunnerTask } from 'vitest';
import type { Reporter } from 'vitest/node';

/**
 * Prints the plain closing line CI reads (`N passed, N failed, N skipped`) after Vitest's own summary,
 * which is written from `onFinished` too; this reporter is listed after the default one.
 * Unhandled errors and files that failed to load count as failures, so a crash cannot pass as green.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: errors.length, skipped: 0 };
    const visit = (task: RunnerTask): void => {
      if (task.type === 'suite') {
        // A suite whose hook failed (beforeAll, afterAll) fails with its tests skipped: count the suite,
        // or the closing line would read "0 failed" while Vitest exits 1.
        if (task.result?.state === 'fail' && (task.tasks.length === 0 || (task.result.errors?.length ?? 0) > 0)) counts.failed++;
        task.tasks.forEach(visit);
        return;
      }
      const state = task.result?.state;
      if (state === 'pass') counts.passed++;
      else if (state === 'fail') counts.failed++;
      else counts.skipped++;
    };
    files.forEach(visit);
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
