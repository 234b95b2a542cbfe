/**
 * `npm run infra:check`: builds and lints infra/main.bicep with the Bicep CLI and fails on any
 * error or warning, then checks main.parameters.json against the compiled template.
 * Needs no Azure account and no internet: see bicepCli.ts for where the CLI comes from.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BicepCli, findBicepCli } from './bicepCli';
import { countByLevel, formatDiagnostic, isFailure, parseBicepOutput } from './bicepDiagnostics';
import { checkParametersFile, type ParametersFile, type TemplateParameters } from './parametersFile';
import { runCommand } from './runCommand';
import { errorMessage } from '../shared/errors/errorMessage';

const root = resolve(__dirname, '..');
const mainBicep = join(root, 'infra', 'main.bicep');
const parametersPath = join(root, 'infra', 'main.parameters.json');

const log = (line: string): void => console.log(`infra:check: ${line}`);

interface StepResult {
  failures: number;
  stdout: string;
}

/** Runs one Bicep command; returns its output, and a report to print once it is done. */
async function runBicep(cli: BicepCli, args: string[]): Promise<StepResult & { report: string[] }> {
  const started = Date.now();
  const result = await runCommand(cli.executable, args, { cwd: root });
  const parsed = parseBicepOutput(result.stderr);
  const report = [
    ...parsed.diagnostics.map((diagnostic) => `  ${formatDiagnostic(diagnostic, root)}`),
    ...parsed.otherLines.map((line) => `  ${line}`),
  ];
  const counts = countByLevel(parsed.diagnostics);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  report.push(`  ${counts.Error} error(s), ${counts.Warning} warning(s), ${counts.Info} info (${seconds} s)`);
  let failures = parsed.diagnostics.filter(isFailure).length;
  // A non-zero exit without a diagnostic still fails (crash, bad arguments, restore failure).
  if (result.code !== 0 && failures === 0) {
    report.push(`  bicep exited with ${result.code ?? result.startError ?? 'a signal'}`);
    failures = 1;
  }
  return { failures, stdout: result.stdout, report };
}

async function main(): Promise<number> {
  const started = Date.now();
  log('looking for the Bicep CLI...');
  const cli = await findBicepCli(join(root, '.tools'), log);
  log(`using ${cli.source}: ${cli.version}`);

  // Both at once (each is a single-threaded compile); their reports print in order.
  log('building and linting infra/main.bicep...');
  const [build, lint] = await Promise.all([
    runBicep(cli, ['build', mainBicep, '--stdout']),
    runBicep(cli, ['lint', mainBicep]),
  ]);
  log('bicep build:');
  build.report.forEach((line) => console.log(line));
  log('bicep lint:');
  lint.report.forEach((line) => console.log(line));

  let parameterProblems = 0;
  if (build.failures === 0) {
    log('checking infra/main.parameters.json against the template...');
    const template = JSON.parse(build.stdout) as TemplateParameters;
    const parameters = JSON.parse(await readFile(parametersPath, 'utf8')) as ParametersFile;
    const problems = checkParametersFile(template, parameters);
    for (const problem of problems) console.log(`  ${problem}`);
    parameterProblems = problems.length;
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failures = build.failures + lint.failures + parameterProblems;
  if (failures > 0) {
    log(`FAILED: ${failures} problem(s) (${seconds} s). Warnings count as failures: fix the Bicep.`);
    return 1;
  }
  log(`passed: 0 errors, 0 warnings (${seconds} s)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  },
);
