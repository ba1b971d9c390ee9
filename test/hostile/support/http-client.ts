import { Agent, IncomingHttpHeaders, request } from 'node:http';

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface GraphqlError {
  message: string;
  extensions?: Record<string, unknown> & { code?: string };
  path?: Array<string | number>;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text, cut at MAX_BODY_BYTES. */
  body: string;
  bytes: number;
  truncated: boolean;
  ms: number;
  /** The parsed body when it is JSON. */
  json: unknown;
  /** Sent a second time, on a new connection, after the kept-alive one was found closed. */
  retried?: boolean;
}

/** Past this the client stops reading: a hostile request must not take the test process down instead. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * One HTTP exchange with the service on loopback; headers and body go out exactly as given. A request that fails
 * on a kept-alive connection the server had just closed is sent once more on a new connection (the race Node's
 * documentation describes for `reusedSocket`); `retried` says so. A failure on a new connection is the answer.
 */
export async function sendRaw(baseUrl: string, agent: Agent, req: RawRequest): Promise<RawResponse> {
  try {
    return await sendOnce(baseUrl, agent, req);
  } catch (error) {
    if (!(error as { reusedSocket?: boolean }).reusedSocket) throw error;
    return { ...(await sendOnce(baseUrl, false, req)), retried: true };
  }
}

function sendOnce(baseUrl: string, agent: Agent | false, req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.path ?? '/graphql', baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['content-length'] = body.length;
    }
    const outgoing = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method ?? 'POST', headers, agent },
      (incoming) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        incoming.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
          else truncated = true;
        });
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = truncated ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text, bytes, truncated, ms: performance.now() - started, json });
        });
      },
    );
    outgoing.setTimeout(req.timeoutMs ?? 30_000, () => outgoing.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`)));
    outgoing.on('error', (error: Error & { reusedSocket?: boolean }) => {
      error.reusedSocket = outgoing.reusedSocket && ['ECONNRESET', 'EPIPE'].includes((error as { code?: string }).code ?? '');
      reject(error);
    });
    outgoing.end(body);
  });
}

/** The GraphQL errors of an answer, [] when it has none or is not GraphQL. */
export function graphqlErrors(response: RawResponse): GraphqlError[] {
  const json = response.json as { errors?: unknown } | undefined;
  return json && typeof json === 'object' && Array.isArray(json.errors) ? (json.errors as GraphqlError[]) : [];
}

export function errorCodes(response: RawResponse): string[] {
  return graphqlErrors(response).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
}

export function graphqlData<T = Record<string, unknown>>(response: RawResponse): T | null | undefined {
  const json = response.json as { data?: T | null } | undefined;
  return json && typeof json === 'object' && !Array.isArray(json) ? json.data : undefined;
}

/** Runs `tasks` with at most `limit` of them at once, in order of the iterator. */
export async function runBounded<T>(tasks: Iterable<() => Promise<T>>, limit: number): Promise<void> {
  const iterator = tasks[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await next.value();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
