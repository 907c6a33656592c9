/**
 * Lists of the valid keys of an options interface, for {@link checkOptionKeys}. A list is declared next to its
 * interface with `optionKeys<XOptions>()([...])`, and the compiler checks it both ways: every listed key is a key
 * of the interface, and every key of the interface is listed, so the two cannot drift apart.
 *
 * @module option_keys
 * @internal
 */
import type { checkOptionKeys } from './errors';

/** The keys of `T` that the list `K` lacks (never when it is complete). */
export type MissingOptionKeys<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;

/**
 * `optionKeys<XOptions>()(['a', 'b'])` returns the list unchanged; it fails to compile if a listed key is not a
 * key of `XOptions`, or if a key of `XOptions` is not listed (the error names the missing keys).
 * Used with {@link checkOptionKeys}.
 * @internal
 */
export function optionKeys<T>(): <const K extends readonly (keyof T & string)[]>(
  keys: K & ([MissingOptionKeys<T, K>] extends [never] ? unknown : { 'missing option keys': MissingOptionKeys<T, K> }),
) => K {
  return (keys) => keys;
}
