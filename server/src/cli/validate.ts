/**
 * `twerk validate`: reads job and state-machine documents from files or folders through the same
 * boundary as the HTTP API and reports each one, valid or with every problem and its path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseDocument, type ParsedDocument } from '@twerk/contract';

const CONTENT_TYPES: Readonly<Record<string, string>> = { '.json': 'application/json', '.yaml': 'text/yaml', '.yml': 'text/yaml' };

/** The document files named by `paths`: files as given, folders searched recursively, in name order. */
export function documentFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .sort()
      .flatMap((entry) => {
        const child = join(path, entry);
        return statSync(child).isDirectory() ? documentFiles([child]) : extname(entry) in CONTENT_TYPES ? [child] : [];
      });
  });
}

function describe(document: ParsedDocument): string {
  if (document.family === 'machine') {
    return `state machine (${document.machine.dialect} dialect), ${Object.keys(document.machine.states).length} states from ${document.machine.startAt}`;
  }
  return `job "${document.job.name}", ${document.job.tasks.length} task${document.job.tasks.length === 1 ? '' : 's'}`;
}

export interface ValidationReport {
  readonly lines: readonly string[];
  readonly invalid: number;
}

export function validateFiles(files: readonly string[]): ValidationReport {
  const lines: string[] = [];
  let invalid = 0;
  for (const file of files) {
    let body: Uint8Array;
    try {
      body = readFileSync(file);
    } catch (caught) {
      invalid += 1;
      lines.push(`✗ ${file}: cannot read: ${(caught as Error).message}`);
      continue;
    }
    const result = parseDocument(body, CONTENT_TYPES[extname(file)] ?? 'text/yaml');
    if (result.ok) {
      lines.push(`✓ ${file}: ${describe(result.value)}`);
    } else {
      invalid += 1;
      lines.push(`✗ ${file}: ${result.error.errors.length} problem${result.error.errors.length === 1 ? '' : 's'}`);
      for (const error of result.error.errors) lines.push(`    ${error.path === '' ? '(document)' : error.path}: ${error.message}`);
    }
  }
  lines.push(`${files.length - invalid} valid, ${invalid} invalid`);
  return { lines, invalid };
}
