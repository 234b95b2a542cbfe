/**
 * Checks infra/main.parameters.json against the compiled template: azd passes that file to the
 * deployment, and a parameter the template does not declare (or a required one left out) only
 * fails at `azd provision` time, in Azure. Here it fails in `npm run infra:check`.
 */

export interface TemplateParameters {
  parameters?: Record<string, { defaultValue?: unknown }>;
}

export interface ParametersFile {
  parameters?: Record<string, unknown>;
}

/** Problems found, one sentence each; empty when the file fits the template. */
export function checkParametersFile(template: TemplateParameters, parametersFile: ParametersFile): string[] {
  const declared = template.parameters ?? {};
  const given = parametersFile.parameters ?? {};
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!(name in declared)) problems.push(`parameter "${name}" is given but main.bicep does not declare it`);
  }
  for (const [name, declaration] of Object.entries(declared)) {
    if (!('defaultValue' in declaration) && !(name in given)) {
      problems.push(`parameter "${name}" is required by main.bicep but not given`);
    }
  }
  return problems;
}
