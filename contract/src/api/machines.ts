import { awsMachineSchema, twerkMachineSchema } from '../asl/index.ts';
import { jobSummarySchema } from '../wire/index.ts';
import { z } from '../zod.ts';
import { c, errors, meta } from './common.ts';

export const machineRoutes = c.router({
  submit: {
    method: 'POST',
    path: '/machines',
    query: z.object({ input: z.string().max(262_144).optional().describe('The execution input, as JSON (default {}): $ at the start, and $$.Execution.Input.') }),
    body: z.union([twerkMachineSchema, awsMachineSchema]),
    responses: { 200: jobSummarySchema, ...errors(400, 401, 403, 413, 415) },
    summary: 'Run a state machine',
    description: "Accepts Amazon States Language in Twerk's camelCase dialect or standard AWS PascalCase, as JSON or YAML, validated (targets, reachability, terminals, Retry/Catch). The execution is visible as a job: the answer is its summary. POST /jobs accepts machines too.",
    metadata: meta({ tag: 'machines', documentBody: true }),
  },
});
