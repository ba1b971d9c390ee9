import { FaultDataset } from './seed';
import { sleep } from './wait';

const RECORD_PURCHASE = `mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { replayed pointsAwarded purchase { id transactionId pointsEarned } }
}`;

export interface PurchaseInput {
  transactionId: string;
  customerId: string;
  productId: string;
  quantity: number;
  purchasedAt: string;
}

/** A purchase the service acknowledged: recorded, or replayed from an earlier attempt that had committed. */
export interface Acknowledgement {
  purchaseId: string;
  pointsEarned: bigint;
  customerId: string;
  replayed: boolean;
}

/**
 * One attempt and how it ended: ACK, a GraphQL error code, HTTP_<status> for an answer that is not GraphQL, or
 * NET_<code> for a connection that failed (NET_ECONNREFUSED: nothing listens; any other: the connection broke).
 */
export interface Attempt {
  transactionId: string;
  sentAt: number;
  answeredAt: number;
  outcome: string;
}

/** Outcomes on which a POS retries the same purchase: nothing was decided, or nothing is known to be. */
export function isRetryable(outcome: string): boolean {
  return outcome === 'SERVICE_UNAVAILABLE' || outcome.startsWith('NET_') || outcome === 'HTTP_503' || outcome === 'TIMEOUT';
}

/**
 * POS terminals: a bounded number of clients, each selling one purchase at a time and retrying it (same
 * transactionId, same payload) until it is acknowledged, as RULES.md's idempotency lets a POS do. stop() lets every
 * client finish the purchase it holds, within a bound, so that at the end every purchase sent has an outcome.
 */
export class PosClients {
  readonly attempts: Attempt[] = [];
  readonly sent = new Map<string, PurchaseInput>();
  readonly acknowledged = new Map<string, Acknowledgement>();
  /** Purchases given up: refused with a code that is not retryable, or still unanswered at the final deadline. */
  readonly unsettled = new Map<string, string>();
  private stopping = false;
  private finishBy = Number.POSITIVE_INFINITY;
  private running: Promise<void>[] = [];

  constructor(
    /** Where to send now: a fixed endpoint, or a load balancer's choice (null: no instance in rotation, wait). */
    private readonly target: () => string | null,
    private readonly data: FaultDataset,
    private readonly runId: string,
    /** A hard bound on the whole run, in case a test never calls stop(). */
    private readonly maxRunMs = 150_000,
  ) {}

  start(clients: number): void {
    const startedAt = Date.now();
    this.finishBy = startedAt + this.maxRunMs;
    this.running = Array.from({ length: clients }, (_, i) => this.client(i));
  }

  /** No new purchases; each client settles the one it holds, retrying for at most `finishWithinMs`. */
  async stop(finishWithinMs: number): Promise<void> {
    this.stopping = true;
    this.finishBy = Math.min(this.finishBy, Date.now() + finishWithinMs);
    await Promise.all(this.running);
  }

  /** Acknowledgements whose answer arrived in [from, to). */
  acknowledgedBetween(from: number, to: number): number {
    return this.attempts.filter((a) => a.outcome === 'ACK' && a.answeredAt >= from && a.answeredAt < to).length;
  }

  /** Attempts sent in [from, to) grouped by outcome. */
  outcomesBetween(from: number, to: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const a of this.attempts) if (a.sentAt >= from && a.sentAt < to) counts[a.outcome] = (counts[a.outcome] ?? 0) + 1;
    return counts;
  }

  /** When the first acknowledgement of an attempt sent at or after `from` arrived (epoch ms), or null. */
  firstAcknowledgementSentAfter(from: number): number | null {
    const times = this.attempts.filter((a) => a.outcome === 'ACK' && a.sentAt >= from).map((a) => a.answeredAt);
    return times.length ? Math.min(...times) : null;
  }

  private async client(index: number): Promise<void> {
    for (let sequence = 0; !this.stopping && Date.now() < this.finishBy; sequence++) {
      const purchase: PurchaseInput = {
        transactionId: `${this.runId}-${index}-${sequence}`,
        customerId: this.data.customerIds[(index * 7 + sequence) % this.data.customerIds.length],
        productId: this.data.productId,
        quantity: 1 + (sequence % 3),
        purchasedAt: new Date().toISOString(),
      };
      this.sent.set(purchase.transactionId, purchase);
      await this.settle(purchase);
    }
  }

  private async settle(purchase: PurchaseInput): Promise<void> {
    for (let retry = 0; ; retry++) {
      const endpoint = await this.waitForTarget();
      if (endpoint === null) return void this.unsettled.set(purchase.transactionId, 'no instance in rotation');
      const outcome = await this.attempt(endpoint, purchase);
      if (outcome === 'ACK') return;
      if (!isRetryable(outcome)) return void this.unsettled.set(purchase.transactionId, outcome);
      if (Date.now() >= this.finishBy) return void this.unsettled.set(purchase.transactionId, `gave up after ${outcome}`);
      // A short backoff, growing to 400 ms: an outage of a second is retried a few times per client, not spun on.
      await sleep(Math.min(400, 25 * 2 ** Math.min(retry, 4)));
    }
  }

  private async waitForTarget(): Promise<string | null> {
    for (;;) {
      const endpoint = this.target();
      if (endpoint !== null || Date.now() >= this.finishBy) return endpoint;
      await sleep(25);
    }
  }

  private async attempt(endpoint: string, purchase: PurchaseInput): Promise<string> {
    const sentAt = Date.now();
    const outcome = await this.send(endpoint, purchase).catch((error: unknown) => networkOutcome(error));
    this.attempts.push({ transactionId: purchase.transactionId, sentAt, answeredAt: Date.now(), outcome });
    return outcome;
  }

  private async send(endpoint: string, purchase: PurchaseInput): Promise<string> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.data.posToken}` },
      body: JSON.stringify({ query: RECORD_PURCHASE, variables: { input: purchase } }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let body: GraphqlAnswer;
    try {
      body = JSON.parse(text) as GraphqlAnswer;
    } catch {
      return `HTTP_${response.status}`;
    }
    const result = body.data?.recordPurchase;
    if (result) {
      this.acknowledged.set(purchase.transactionId, {
        purchaseId: result.purchase.id,
        pointsEarned: BigInt(result.purchase.pointsEarned),
        customerId: purchase.customerId,
        replayed: result.replayed,
      });
      return 'ACK';
    }
    return String(body.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`);
  }
}

interface GraphqlAnswer {
  data?: { recordPurchase?: { replayed: boolean; purchase: { id: string; pointsEarned: string } } | null } | null;
  errors?: { extensions?: { code?: string } }[];
}

function networkOutcome(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'TIMEOUT';
  const cause = (error as { cause?: { code?: string } }).cause;
  return `NET_${cause?.code ?? 'UNKNOWN'}`;
}

/** For a failure message: the outcomes so far and the service's last log lines. */
export function stateOf(clients: PosClients, service: { tail(chars?: number): string }): () => string {
  return () =>
    `\noutcomes so far: ${JSON.stringify(clients.outcomesBetween(0, Number.POSITIVE_INFINITY))}\nservice log:\n${service.tail(3000)}`;
}
