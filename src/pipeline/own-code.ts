// A one-line function of the event with compiled code of its own. Closures made by one arrow
// expression share its call sites' inline caches: across a pipeline's hundreds of conditions and
// filters those calls go megamorphic. A function per instance (new Function) keeps each call site
// to one target, which V8 can inline.

/** `function (e) { body }` with `captured` in scope by name. */
export function ownCode<F>(captured: Record<string, unknown>, body: string): F {
  const names = Object.keys(captured);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: one function (own inline caches) per instance
  const factory = new Function(...names, `return function own(e) { ${body} };`) as (...args: unknown[]) => F;
  return factory(...names.map((n) => captured[n]));
}
