// Sums the results of every suite CI ran: vitest's JSON report, then pytest's JUnit XML
// (test/python, then the real Triton's). Prints the counts; the caller prints the final line.
// Usage: node .ci/summarize.mjs  → stdout "PASSED FAILED SKIPPED", exit 0.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync('out/vitest-results.json', 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load has no failed test to count: count the suite.
  if (report.numFailedTestSuites && failed === 0) failed = report.numFailedTestSuites;
} catch (error) {
  failed += 1;
  console.error(`ci: no vitest JSON results: ${error.message}`);
}
for (const file of ['out/pytest-results.xml', 'out/triton-results.xml']) {
  try {
    const xml = readFileSync(file, 'utf8');
    const suites = [...xml.matchAll(/<testsuite\b([^>]*)>/g)];
    if (suites.length === 0) throw new Error(`no <testsuite> in ${file}`);
    for (const [, attributes] of suites) {
      const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(attributes)?.[1] ?? 0);
      const bad = count('failures') + count('errors');
      passed += count('tests') - bad - count('skipped');
      failed += bad;
      skipped += count('skipped');
    }
  } catch (error) {
    failed += 1;
    console.error(`ci: no pytest results in ${file}: ${error.message}`);
  }
}
console.log(`${passed} ${failed} ${skipped}`);
