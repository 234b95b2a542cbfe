/**
 * Reading what the Bicep CLI prints. `bicep build` and `bicep lint` write one line per
 * diagnostic to stderr, `<file>(<line>,<column>) : <Level> <code>: <message>`, and exit 0 even
 * when there are warnings, so the check has to read the lines to fail on warnings.
 */

export type DiagnosticLevel = 'Error' | 'Warning' | 'Info';

export interface BicepDiagnostic {
  file: string;
  line: number;
  column: number;
  level: DiagnosticLevel;
  /** A linter rule name (`no-unused-params`) or a compiler code (`BCP036`). */
  code: string;
  message: string;
}

export interface ParsedOutput {
  diagnostics: BicepDiagnostic[];
  /** Non-empty lines that are not diagnostics (crashes, usage errors, restore failures). */
  otherLines: string[];
}

const DIAGNOSTIC_LINE = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:\s]+): (.*)$/;

export function parseBicepOutput(output: string): ParsedOutput {
  const diagnostics: BicepDiagnostic[] = [];
  const otherLines: string[] = [];
  for (const rawLine of output.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    if (line.trim() === '') continue;
    const match = DIAGNOSTIC_LINE.exec(line);
    if (!match) {
      otherLines.push(line);
      continue;
    }
    const [, file, lineNumber, column, level, code, message] = match;
    diagnostics.push({
      file: file ?? '',
      line: Number(lineNumber),
      column: Number(column),
      level: level as DiagnosticLevel,
      code: code ?? '',
      message: message ?? '',
    });
  }
  return { diagnostics, otherLines };
}

/** Errors and warnings both fail the check; informational diagnostics do not. */
export function isFailure(diagnostic: BicepDiagnostic): boolean {
  return diagnostic.level === 'Error' || diagnostic.level === 'Warning';
}

export function countByLevel(diagnostics: BicepDiagnostic[]): Record<DiagnosticLevel, number> {
  const counts: Record<DiagnosticLevel, number> = { Error: 0, Warning: 0, Info: 0 };
  for (const diagnostic of diagnostics) counts[diagnostic.level] += 1;
  return counts;
}

/** One line per diagnostic, with the file relative to `root` so it reads well in CI logs. */
export function formatDiagnostic(diagnostic: BicepDiagnostic, root: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const file = diagnostic.file.startsWith(prefix) ? diagnostic.file.slice(prefix.length) : diagnostic.file;
  return `${file}:${diagnostic.line}:${diagnostic.column} ${diagnostic.level.toLowerCase()} ${diagnostic.code}: ${diagnostic.message}`;
}
