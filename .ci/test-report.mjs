// Reads vitest's JSON report: prints the slowest test files and fails when any test was
// skipped, pending or todo (a silent skip hides a broken promise).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const files = report.testResults.map((file) => ({
  name: relative(process.cwd(), file.name),
  ms: file.endTime - file.startTime,
  tests: file.assertionResults.length,
}));
files.sort((a, b) => b.ms - a.ms);
console.log('slowest test files:');
for (const file of files.slice(0, 15)) {
  console.log(`  ${(file.ms / 1000).toFixed(1).padStart(6)} s  ${file.name} (${file.tests} tests)`);
}
console.log(
  `${report.numTotalTests} tests in ${files.length} files: ${report.numPassedTests} passed, ` +
    `${report.numFailedTests} failed, ${report.numPendingTests} skipped, ${report.numTodoTests} todo`,
);
const skipped = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => !['passed', 'failed'].includes(test.status))
    .map((test) => `${relative(process.cwd(), file.name)}: ${test.fullName} (${test.status})`),
);
if (skipped.length > 0 || report.numFailedTests > 0 || !report.success) {
  for (const line of skipped) console.error(`  not run: ${line}`);
  console.error('FAIL: every test must run and pass');
  process.exit(1);
}
