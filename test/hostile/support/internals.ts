import { graphqlErrors, RawResponse } from './http-client';

/** What a client must never read: SQL, database and driver names, stack frames, source paths, socket errors. */
const INTERNALS: RegExp[] = [
  /\b(select|insert\s+into|update|delete\s+from)\b[^]*\b(purchases|customers|retailers|products|promotions|ledger_\w+|account\w*|api_tokens)\b/i,
  /\bat \//,
  /\bat \S+ \(/,
  /\.(ts|js):\d+/,
  /postgres/i,
  /\brelation\b/i,
  /violates/i,
  /Maximum call stack/i,
  /\/(src|dist|node_modules)\//,
  /ECONN\w*/,
  /\bpg_\w+/,
  /\bduplicate key\b/i,
  /invalid byte sequence/i,
];

/**
 * The internals an answer shows. A match that is a piece of the request itself is an echo of the caller's own
 * input (GraphQL quotes a value it refuses), not a leak, and is not reported.
 */
export function leakedInternals(response: RawResponse, requestBody: string): string[] {
  const texts = graphqlErrors(response).map((e) => e.message);
  if (texts.length === 0 && response.status >= 400) texts.push(response.body.slice(0, 65_536));
  const found: string[] = [];
  for (const text of texts) {
    for (const pattern of INTERNALS) {
      const match = pattern.exec(String(text));
      if (match && !requestBody.includes(match[0])) found.push(`${pattern}: ${String(text).slice(0, 300)}`);
    }
  }
  for (const error of graphqlErrors(response)) {
    const extensions = error.extensions ?? {};
    if ('stacktrace' in extensions || 'exception' in extensions) found.push(`stack in extensions: ${error.message.slice(0, 200)}`);
  }
  return found;
}
