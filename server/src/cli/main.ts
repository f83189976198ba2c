#!/usr/bin/env node
/** The `twerk` command line. */
import { generateOpenApi, API_VERSION } from '@twerk/contract';
import { documentFiles, validateFiles } from './validate.ts';

const USAGE = `usage:
  twerk validate <file or folder>...   check job and state-machine documents (YAML or JSON)
  twerk openapi                        print the OpenAPI 3.1 document of the REST API
  twerk version                        print the version`;

function main(args: readonly string[]): number {
  const [command, ...rest] = args;
  switch (command) {
    case 'validate': {
      if (rest.length === 0) {
        console.error(USAGE);
        return 2;
      }
      let files: string[];
      try {
        files = documentFiles(rest);
      } catch (caught) {
        console.error(`twerk validate: ${(caught as Error).message}`);
        return 2;
      }
      const report = validateFiles(files);
      for (const line of report.lines) console.log(line);
      return report.invalid === 0 ? 0 : 1;
    }
    case 'openapi':
      console.log(JSON.stringify(generateOpenApi(), null, 2));
      return 0;
    case 'version':
      console.log(API_VERSION);
      return 0;
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

process.exitCode = main(process.argv.slice(2));
