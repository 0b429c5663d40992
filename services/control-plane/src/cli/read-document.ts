import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CliError } from './connection';

/**
 * A JSON or YAML file the user names (mappings, an event), parsed. The errors name the file,
 * never its text: it may hold secrets.
 */
export async function readDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`cannot read ${path}`);
  }
  try {
    return parse(text) as unknown;
  } catch {
    throw new CliError(`${path} is neither JSON nor YAML`);
  }
}
