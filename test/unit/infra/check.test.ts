import { nugetRuntimeId, restoreProject } from '../../../infra/bicepCli';
import { countByLevel, formatDiagnostic, isFailure, parseBicepOutput } from '../../../infra/bicepDiagnostics';
import { checkParametersFile } from '../../../infra/parametersFile';

// Lines as Bicep CLI 0.49.2 prints them on stderr (build and lint exit 0 with warnings).
const output = [
  '/repo/infra/app/alerts.bicep(236,7) : Warning no-unused-params: Parameter "unusedThing" is declared but never used. [https://aka.ms/bicep/linter-diagnostics#no-unused-params]',
  '/repo/infra/main.bicep(12,3) : Error BCP037: The property "foo" is not allowed on objects of type "X".',
  '/repo/infra/main.bicep(1,1) : Info some-rule: informational only.',
  'Unhandled exception. System.IO.IOException: disk full',
  '',
].join('\n');

describe('infra:check reading Bicep output', () => {
  const parsed = parseBicepOutput(output);

  it('parses diagnostics with file, position, level and code', () => {
    expect(parsed.diagnostics.map((d) => [d.file, d.line, d.column, d.level, d.code])).toEqual([
      ['/repo/infra/app/alerts.bicep', 236, 7, 'Warning', 'no-unused-params'],
      ['/repo/infra/main.bicep', 12, 3, 'Error', 'BCP037'],
      ['/repo/infra/main.bicep', 1, 1, 'Info', 'some-rule'],
    ]);
    expect(parsed.otherLines).toEqual(['Unhandled exception. System.IO.IOException: disk full']);
  });

  it('fails on errors and warnings, not on info', () => {
    expect(parsed.diagnostics.map(isFailure)).toEqual([true, true, false]);
    expect(countByLevel(parsed.diagnostics)).toEqual({ Error: 1, Warning: 1, Info: 1 });
  });

  it('prints paths relative to the repository', () => {
    const [warning] = parsed.diagnostics;
    expect(warning && formatDiagnostic(warning, '/repo')).toMatch(
      /^infra\/app\/alerts\.bicep:236:7 warning no-unused-params: Parameter "unusedThing"/,
    );
  });
});

describe('infra:check checking main.parameters.json', () => {
  const template = {
    parameters: { environmentName: {}, location: {}, principalId: { defaultValue: '' } },
  };

  it('accepts a file that gives every required parameter and nothing unknown', () => {
    const file = {
      parameters: { environmentName: { value: '${AZURE_ENV_NAME}' }, location: { value: 'x' } },
    };
    expect(checkParametersFile(template, file)).toEqual([]);
  });

  it('names unknown and missing parameters', () => {
    const file = { parameters: { environmentName: { value: 'e' }, principalID: { value: 'typo' } } };
    expect(checkParametersFile(template, file)).toEqual([
      'parameter "principalID" is given but main.bicep does not declare it',
      'parameter "location" is required by main.bicep but not given',
    ]);
  });
});

describe('infra:check restoring Bicep from NuGet', () => {
  it('maps platforms to the runtime ids of the Azure.Bicep.CommandLine packages', () => {
    expect(nugetRuntimeId('linux', 'x64')).toBe('linux-x64');
    expect(nugetRuntimeId('darwin', 'arm64')).toBe('osx-arm64');
    expect(nugetRuntimeId('win32', 'x64')).toBe('win-x64');
    expect(nugetRuntimeId('aix', 'ppc64')).toBeUndefined();
  });

  it('writes a project that downloads exactly the pinned package', () => {
    const project = restoreProject('Azure.Bicep.CommandLine.linux-x64', '0.49.2', 'net10.0');
    expect(project).toContain('<TargetFramework>net10.0</TargetFramework>');
    expect(project).toContain(
      '<PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[0.49.2]" />',
    );
  });
});
