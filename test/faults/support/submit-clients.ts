import { isRetryable, PurchaseInput } from './pos-clients';
import { FaultDataset } from './seed';
import { sleep } from './wait';

const SUBMIT_PURCHASE = `mutation($input: RecordPurchaseInput!) {
  submitPurchase(input: $input) { transactionId status errorCode }
}`;

/**
 * One submitPurchase attempt and how it ended: the status answered (ACCEPTED, RECORDED, REFUSED), a GraphQL error
 * code, HTTP_<status>, or NET_<code> / TIMEOUT for a connection that failed (see pos-clients.ts).
 */
export interface SubmitAttempt {
  transactionId: string;
  sentAt: number;
  answeredAt: number;
  outcome: string;
}

/**
 * POS terminals in event ingestion mode: a bounded number of clients, each submitting one purchase at a time and
 * resending it (same transactionId, same input) until the service answers that it is stored, as a POS may at any
 * time. `accepted` holds what the service said it stored: each of those must end in the ledger exactly once.
 */
export class SubmitClients {
  readonly attempts: SubmitAttempt[] = [];
  readonly sent = new Map<string, PurchaseInput>();
  /** Submissions answered ACCEPTED (or RECORDED), with when the first such answer arrived. */
  readonly accepted = new Map<string, { input: PurchaseInput; at: number }>();
  /** Submissions given up: refused with a code that is not retryable, or still unanswered at the deadline. */
  readonly unsettled = new Map<string, string>();
  private stopping = false;
  private finishBy = Number.POSITIVE_INFINITY;
  private running: Promise<void>[] = [];
  private issued = 0;

  constructor(
    private readonly endpoint: () => string,
    private readonly data: FaultDataset,
    private readonly runId: string,
    /** A bound on the number of purchases (null: until stop()), and on the whole run. */
    private readonly total: number | null = null,
    private readonly maxRunMs = 150_000,
  ) {}

  start(clients: number): void {
    this.finishBy = Date.now() + this.maxRunMs;
    this.running = Array.from({ length: clients }, (_, i) => this.client(i));
  }

  /** Resolves once every client is done: the total reached, or stop() called and each held purchase settled. */
  done(): Promise<void> {
    return Promise.all(this.running).then(() => undefined);
  }

  /** No new purchases; each client settles the one it holds, resending for at most `finishWithinMs`. */
  async stop(finishWithinMs: number): Promise<void> {
    this.stopping = true;
    this.finishBy = Math.min(this.finishBy, Date.now() + finishWithinMs);
    await this.done();
  }

  /** Attempts sent in [from, to) grouped by outcome. */
  outcomesBetween(from: number, to: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const a of this.attempts) if (a.sentAt >= from && a.sentAt < to) counts[a.outcome] = (counts[a.outcome] ?? 0) + 1;
    return counts;
  }

  /** When the first acceptance of an attempt sent at or after `from` arrived (epoch ms), or null. */
  firstAcceptanceSentAfter(from: number): number | null {
    const times = this.attempts.filter((a) => isStored(a.outcome) && a.sentAt >= from).map((a) => a.answeredAt);
    return times.length ? Math.min(...times) : null;
  }

  acceptedSince(from: number): number {
    return this.attempts.filter((a) => isStored(a.outcome) && a.answeredAt >= from).length;
  }

  private async client(index: number): Promise<void> {
    for (let sequence = 0; !this.stopping && Date.now() < this.finishBy; sequence++) {
      if (this.total !== null && this.issued >= this.total) return;
      this.issued++;
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
      const outcome = await this.attempt(purchase);
      if (isStored(outcome)) return;
      if (!isRetryable(outcome)) return void this.unsettled.set(purchase.transactionId, outcome);
      if (Date.now() >= this.finishBy) return void this.unsettled.set(purchase.transactionId, `gave up after ${outcome}`);
      await sleep(Math.min(400, 25 * 2 ** Math.min(retry, 4)));
    }
  }

  private async attempt(purchase: PurchaseInput): Promise<string> {
    const sentAt = Date.now();
    const outcome = await submit(this.endpoint(), this.data.posToken, purchase).catch((error: unknown) => networkOutcome(error));
    const answeredAt = Date.now();
    this.attempts.push({ transactionId: purchase.transactionId, sentAt, answeredAt, outcome });
    if (isStored(outcome) && !this.accepted.has(purchase.transactionId)) this.accepted.set(purchase.transactionId, { input: purchase, at: answeredAt });
    return outcome;
  }
}

/** The answers that say the purchase is stored durably (or already recorded). */
function isStored(outcome: string): boolean {
  return outcome === 'ACCEPTED' || outcome === 'RECORDED';
}

/** One submitPurchase call: the status answered, or the error code. */
export async function submit(endpoint: string, token: string, input: object): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: SUBMIT_PURCHASE, variables: { input } }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let body: { data?: { submitPurchase?: { status: string } | null } | null; errors?: { extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `HTTP_${response.status}`;
  }
  return body.data?.submitPurchase?.status ?? String(body.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`);
}

function networkOutcome(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'TIMEOUT';
  const cause = (error as { cause?: { code?: string } }).cause;
  return `NET_${cause?.code ?? 'UNKNOWN'}`;
}
