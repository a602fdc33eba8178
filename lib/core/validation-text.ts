/**
 * Wording shared by the segment and journey validators, so both name problems the same way:
 * what was found, and what to use instead.
 */

/** `a whole number`, `an array`...: zod's expected type in words. */
export function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number', array: 'an array', object: 'an object', string: 'a string', number: 'a number', boolean: 'a boolean', record: 'an object',
  };
  return names[expected] ?? expected;
}

/**
 * `unknown key "x"; did you mean "X"?` (a case slip) or `...; use one of "a", "b"`, for each key of
 * `record` that is not in `known`.
 *
 * @example
 * unknownKeyHints({ Next: 'b' }, ['id', 'next']); // [['Next', 'unknown key "Next"; did you mean "next"?']]
 */
export function unknownKeyHints(record: Record<string, unknown>, known: readonly string[]): [key: string, hint: string][] {
  return Object.keys(record)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      return [key, `unknown key "${key}"; ${near ? `did you mean "${near}"?` : `use one of ${quoteAll(known)}`}`];
    });
}

/** The value at a zod issue's path, to show what was given. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, part) => (isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[part] : undefined), input);
}

/** `"a", "b", "c"` (at most 12, then `...`). */
export function quoteAll(values: readonly string[]): string {
  const shown = values.slice(0, 12).map((v) => `"${v}"`).join(', ');
  return values.length > 12 ? `${shown}, ...` : shown || '(none)';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as JSON, shortened: what the problem message says was found. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
