import { describe, expect, it } from 'vitest';
import { parseGpus } from './gpus.ts';

describe('gpus in the --gpus syntax', () => {
  it.each([
    ['all', { Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']] }],
    ['2', { Driver: '', Count: 2, DeviceIDs: [], Capabilities: [['gpu']] }],
    ['count=1,driver=nvidia', { Driver: 'nvidia', Count: 1, DeviceIDs: [], Capabilities: [['gpu']] }],
    ['"device=0,2"', { Driver: '', Count: 0, DeviceIDs: ['0', '2'], Capabilities: [['gpu']] }],
    ['device=GPU-3a23c669,capabilities=compute,utility', { Driver: '', Count: 0, DeviceIDs: ['GPU-3a23c669'], Capabilities: [['compute', 'utility']] }],
  ])('%s', (text, expected) => {
    expect(parseGpus(text)).toEqual(expected);
  });

  it.each([
    ['', 'gpus: is empty'],
    ['count=many', 'gpus: count "many" is not a number or all'],
    ['colour=red', 'gpus: unknown option "colour" (count, device, driver or capabilities)'],
    ['count=1,device=0', 'gpus: give count or device, not both'],
    ['nvidia', 'gpus: "nvidia" is not key=value (count, device, driver or capabilities)'],
  ])('refuses %j', (text, message) => {
    expect(parseGpus(text)).toEqual(new Error(message));
  });
});
