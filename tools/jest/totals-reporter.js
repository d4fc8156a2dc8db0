// Writes each jest run's totals to tmp/test-totals/<project>.json so that .ci/run can print
// one plain "N passed, M failed" line for the whole workspace.
const fs = require('node:fs');
const path = require('node:path');

class TotalsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '..', 'tmp', 'test-totals');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(path.join(__dirname, '..', '..'), this.rootDir).replace(/[\\/]/g, '_') || 'root';
    const suitesFailedToRun = results.testResults.filter((r) => r.testExecError).length;
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        project: name,
        passed: results.numPassedTests,
        failed: results.numFailedTests + suitesFailedToRun,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = TotalsReporter;
