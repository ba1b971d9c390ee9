import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { graphqlData, graphqlErrors, sendRaw } from './http-client';
import { RECORD_PURCHASE, Seed } from './seed';
import { ServiceProcess } from './service-process';

export interface PhaseFigures {
  purchases: number;
  failures: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first few failures, for the report. */
  examples: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * `clients` POS terminals, each sending one valid purchase (a new transactionId) after the other for `seconds`,
 * each terminal with its retailer's token and its own connection. A purchase counts when it is answered recorded.
 */
export async function runPurchases(service: ServiceProcess, data: Seed, clients: number, seconds: number): Promise<PhaseFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const examples: string[] = [];
  let failures = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const terminal = async (n: number) => {
    const retailer = data.retailers[n % data.retailers.length];
    for (let i = 0; performance.now() < end; i++) {
      const input = {
        transactionId: `load-${randomUUID()}`,
        customerId: data.customerIds[(n + i) % data.customerIds.length],
        productId: data.productIds[i % data.productIds.length],
        quantity: 1 + (i % 3),
      };
      const response = await sendRaw(service.baseUrl, agent, {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${retailer.token}` },
        body: JSON.stringify({ query: RECORD_PURCHASE, variables: { input } }),
        timeoutMs: 30_000,
      }).catch((error: Error) => error);
      if (response instanceof Error || graphqlErrors(response).length > 0 || !graphqlData(response)) {
        failures += 1;
        if (examples.length < 5) examples.push(response instanceof Error ? response.message : response.body.slice(0, 300));
      } else {
        latencies.push(response.ms);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => terminal(n)));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    purchases: latencies.length,
    failures,
    perSecond: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    examples,
  };
}
