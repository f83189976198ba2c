import { describe, expect, it } from 'vitest';
import { metricsFormat } from './negotiate.ts';

describe('metricsFormat', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['text/*', 'json'],
    ['application/json', 'json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
    ['application/json, text/plain, */*', 'json'],
    ['text/plain;q=0.5, application/json', 'json'],
    ['application/json;q=0.5, text/plain', 'prometheus'],
    ['text/plain, application/json', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['text/plain; version=0.0.4', 'prometheus'],
    ['application/openmetrics-text', 'prometheus'],
    ['application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'prometheus'],
    ['application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'prometheus'],
    ['TEXT/PLAIN', 'prometheus'],
    ['text/plain;q=0, application/json', 'json'],
    ['text/plain;q=0', 'json'],
    ['text/plain;q=banana, application/json;q=0.9', 'prometheus'],
  ] as const)('answers %j with %s', (accept, format) => {
    expect(metricsFormat(accept)).toBe(format);
  });

  it('lets ?format= decide over any Accept', () => {
    expect(metricsFormat('application/json', 'prometheus')).toBe('prometheus');
    expect(metricsFormat('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'json')).toBe('json');
  });

  it('reads a header given more than once as one list', () => {
    expect(metricsFormat(['application/json;q=0.2', 'text/plain'])).toBe('prometheus');
  });
});
