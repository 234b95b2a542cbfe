import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeploymentPackage, stageDeploymentFolder } from './deploymentPackage';

/**
 * `npm run package`: builds the deployment package as `azd deploy` does and prints where it is,
 * how big, and how many files. `--stage-only` stops before the zip: azd's prepackage hook uses
 * it, and azd zips the folder itself.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'stage-only': { type: 'boolean', default: false } } });
  const projectRoot = process.cwd();
  const log = (line: string) => console.log(`package: ${line}`);
  const started = Date.now();
  if (values['stage-only']) {
    const appDir = await stageDeploymentFolder({ projectRoot, log });
    console.log(`Staged the app folder ${relative(projectRoot, appDir)} for azd to zip.`);
    return;
  }
  const built = await buildDeploymentPackage({ projectRoot, log });
  const megabytes = (built.sizeBytes / 1024 / 1024).toFixed(1);
  console.log(
    `Deployment package: ${relative(projectRoot, built.zipPath)}\n` +
      `  size:  ${megabytes} MB (${built.sizeBytes} bytes)\n` +
      `  files: ${built.files.length}\n` +
      `  built in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
