import { errorCode, ledgerSnapshot } from '../support/fixtures';
import { GraphqlResponse } from '../support/test-app';
import { Snapshot } from './lifecycle-ops';
import { World } from './ledger-world';

/** What the lifecycle operations of one property run share: the run's model, its keys, and how a refusal looks. */

/** A purchase the run recorded, with the snapshot recordPurchase returned and the units returned since. */
export interface Sold extends Snapshot {
  r: number;
  transactionId: string;
  purchaseId: string;
  customerId: string;
  points: bigint;
  /** The purchasedAt the POS sent; null when left out (the returns read it from the table when they need it). */
  purchasedAtMicros: bigint | null;
  unitsReturned: number;
}

/** The run's model of the purchases and balances, kept by the purchase operations. */
export interface Books {
  balance(customerId: string): bigint;
  move(customerId: string, points: bigint): void;
  sold(): Sold[];
  soldBy(r: number, transactionId: string): Sold | undefined;
}

/** Movements per program account, as the model predicts them (the liability's come from the purchases). */
export interface ProgramDeltas {
  'program:returns': bigint;
  'program:redemptions': bigint;
  'program:cancellations': bigint;
  'program:adjustments': bigint;
}

/** What the responses showed, counted apart from the model: the sum over all runs is checked against the tables. */
export interface Observer {
  moved(customerId: string, points: bigint, account: keyof ProgramDeltas): void;
}

export const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;
export const pick = <T>(items: T[], n: number): T | undefined => (items.length ? items[n % items.length] : undefined);

export class RunLedger {
  readonly program: ProgramDeltas = {
    'program:returns': 0n,
    'program:redemptions': 0n,
    'program:cancellations': 0n,
    'program:adjustments': 0n,
  };
  /** Ledger transactions the run's lifecycle movements wrote (a movement of 0 points writes none). */
  transactions = 0;
  private seq = 0;

  constructor(
    readonly w: World,
    readonly no: number,
    readonly books: Books,
    readonly observer: Observer,
  ) {}

  /** A fresh key of this run: its prefix tells the run's rows apart in the tables. */
  key(kind: string, suffix = ''): string {
    return `r${this.no}-${kind}-${++this.seq}${suffix ? `:${suffix}` : ''}`;
  }

  /** A refusal with exactly this code that left every table as it was. */
  async expectRefusal<T>(code: string, send: () => Promise<GraphqlResponse<T>>): Promise<void> {
    const before = await ledgerSnapshot(this.w.t);
    const r = await send();
    expect({ code: errorCode(r), data: r.data ?? null }).toEqual({ code, data: null });
    expect(await ledgerSnapshot(this.w.t)).toEqual(before);
  }

  /** A movement the model records: the customer's balance moves and the program account takes the other side. */
  moved(customerId: string, points: bigint, account: keyof ProgramDeltas): void {
    this.books.move(customerId, points);
    this.program[account] -= points;
    if (points !== 0n) this.transactions += 1;
  }
}
