import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../shared/errors/errorMessage';
import { UsageError } from './exitCodes';

/** A file's text, or standard input's for `-`. */
export async function readText(path: string): Promise<string> {
  if (path !== '-') {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${errorMessage(error)}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function where(path: string): string {
  return path === '-' ? 'standard input' : path;
}

/** JSON text, or a usage error naming where it came from. Pure. */
export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${where(path)} is not JSON: ${errorMessage(error)}`);
  }
}

/** JSON or YAML text (YAML 1.2 reads JSON too), or a usage error naming where it came from. Pure. */
export function parseJsonOrYaml(text: string, path: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new UsageError(`${where(path)} is neither JSON nor YAML: ${errorMessage(error)}`);
  }
}
