import { trimText } from './text-rules';

/**
 * Which fields of an input class the edge trims before validating them (the names and free text, marked by their
 * decorators), and the trimming itself: the one place where input text is changed. The ValidateOnlyPipe and the
 * CLI use it, so the value validated is the value the resolver or command gets and the service stores.
 */
const marked = new WeakMap<object, Set<string>>();

/** Called by the decorators of trimmed kinds of text, with the class's prototype. */
export function markTrimmed(prototype: object, property: string): void {
  let fields = marked.get(prototype);
  if (fields === undefined) marked.set(prototype, (fields = new Set()));
  fields.add(property);
}

/** The trimmed fields of a class, its parent classes' included. */
export function trimmedFieldsOf(inputClass: { prototype: object }): readonly string[] {
  const fields = new Set<string>();
  for (let p: object | null = inputClass.prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const field of marked.get(p) ?? []) fields.add(field);
  }
  return [...fields];
}

/**
 * A shallow copy of `fields` with those text fields trimmed, or `fields` itself when none changes. Shallow, so that
 * every other value keeps its prototype (a DateTime's Instant). Only an argument's own fields: a trimmed field of a
 * nested input class is not reached here, and its rule then refuses untrimmed text rather than storing it.
 */
export function trimFields<T extends object>(fields: T, names: readonly string[]): T {
  let copy: Record<string, unknown> | null = null;
  for (const name of names) {
    const value = (fields as Record<string, unknown>)[name];
    if (typeof value !== 'string') continue;
    const trimmed = trimText(value);
    if (trimmed === value) continue;
    copy ??= { ...(fields as Record<string, unknown>) };
    copy[name] = trimmed;
  }
  return (copy ?? fields) as T;
}

/** An input class's value as the edge hands it on: for callers other than the pipe (the CLI). */
export function trimInput<T extends object>(inputClass: { prototype: object }, fields: T): T {
  return trimFields(fields, trimmedFieldsOf(inputClass));
}
