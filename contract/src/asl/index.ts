/**
 * Amazon States Language: Twerk's camelCase dialect and standard AWS ASL, both normalized to one
 * `Machine` model and validated with every problem reported in the user's own spelling.
 */
export { awsMachineSchema, awsBranchSchema, awsItemProcessorSchema, awsChoiceRuleSchema, AWS_COMPARISONS, AWS_STATE_TYPES, TWERK_TASK_RESOURCE, type AwsMachine } from './aws-dialect.ts';
export { twerkMachineSchema, twerkStateSchema, TWERK_STATE_TYPES, type TwerkMachine, type TwerkState } from './twerk-dialect.ts';
export {
  ALL_ERRORS,
  normalizeErrorName,
  PREDEFINED_ERRORS,
  RETRY_DEFAULTS,
  STATE_TYPES,
  type Catcher,
  type ChoiceCondition,
  type ChoiceRule,
  type ChoiceState,
  type FailState,
  type Machine,
  type MachineDialect,
  type MachineState,
  type MapState,
  type ParallelState,
  type PassState,
  type Retrier,
  type StateType,
  type SucceedState,
  type TaskState,
  type WaitState,
} from './model.ts';
export { isMachineDocument, machineDialectOf, parseMachine } from './parse.ts';
export { MAX_STATE_NAME_LENGTH } from './rules.ts';
export { validateMachine } from './validate.ts';
export { MAX_TRANSITIONS, runMachine, type ExecutionOutcome, type RunOptions, type TaskRequest, type TaskResult } from './run/interpreter.ts';
export { StatesError } from './run/states-error.ts';
