export { awsMachineSchema, AWS_COMPARISONS, TWERK_TASK_RESOURCE, type AwsMachine } from './aws-dialect.ts';
export { twerkMachineSchema, type TwerkMachine } from './twerk-dialect.ts';
export { ALL_ERRORS, normalizeErrorName, type Catcher, type ChoiceCondition, type ChoiceRule, type Machine, type MachineDialect, type MachineState, type Retrier } from './model.ts';
export { isMachineDocument, machineDialectOf, parseMachine } from './parse.ts';
export { validateMachine } from './validate.ts';
