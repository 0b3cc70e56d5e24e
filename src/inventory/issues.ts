import { closest, distance } from 'fastest-levenshtein';
import type { core } from 'zod';

/** Turns one zod issue into the words an operator reads; `value` is what the file holds there. */
export function describeIssue(issue: core.$ZodIssue, value: unknown, allowedKeys: readonly string[]): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      if (!issue.message.startsWith('Invalid input')) return `${issue.message}, not ${describeValue(value)}`;
      return `must be ${article(issue.expected)}, not ${describeValue(value)}`;
    case 'invalid_value':
      return `${describeValue(value)} is not allowed; expected one of ${issue.values.map(String).join(', ')}${suggest(value, issue.values.map(String))}`;
    case 'unrecognized_keys':
      return issue.keys.map((k) => `unknown key '${k}'${suggest(k, allowedKeys)}; allowed: ${allowedKeys.join(', ')}`).join('; ');
    case 'too_small':
      if (issue.origin === 'array') return issue.message.startsWith('Too small') ? `needs at least ${issue.minimum} item(s)` : issue.message;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `${describeValue(value)} is not a valid ${issue.format}` : `${describeValue(value)} ${issue.message}`;
    case 'custom':
      return value === undefined ? issue.message : `${describeValue(value)} ${issue.message}`;
    default:
      return issue.message;
  }
}

function suggest(value: unknown, options: readonly string[]): string {
  if (typeof value !== 'string' || options.length === 0) return '';
  const best = closest(value.toLowerCase(), options as string[]);
  // Only suggest a name that is plausibly a typo of the input.
  const limit = Math.max(best.length >= 4 ? 2 : 1, Math.floor(best.length / 3));
  return distance(value.toLowerCase(), best) <= limit ? ` (did you mean '${best}'?)` : '';
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  return String(value);
}
