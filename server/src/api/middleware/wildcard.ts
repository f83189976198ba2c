/**
 * `*` patterns as Tork's skip lists use them: `*` stands for any run of characters (slashes too), the
 * rest is literal, and a pattern matches the whole subject. `GET /jobs/*` matches `GET /jobs/abc/log`.
 */
function toRegExp(pattern: string): RegExp {
  const literal = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`, 's');
}

export function wildcardMatcher(patterns: readonly string[]): (subject: string) => boolean {
  const expressions = patterns.map(toRegExp);
  return (subject) => expressions.some((expression) => expression.test(subject));
}
