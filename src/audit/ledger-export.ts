import { ClientBase } from 'pg';
import { Instant } from '../common/time/instant';
import { CursorPosition } from './cursor';
import { exportHeader, ExportFormat, formatEntry } from './export-format';
import { LedgerHistoryRepository, NO_REFERENCES } from './ledger-history.repository';

/** Transactions per batch: a few thousand lines in memory at a time, whatever the size of the range. */
const BATCH_TRANSACTIONS = 1000;

export interface LedgerExportRequest {
  from: Instant | null;
  to: Instant | null;
  format: ExportFormat;
  /** Writes a chunk of text, resolving once the destination can take more (back-pressure). */
  write(chunk: string): Promise<void>;
  /** When given, the entries are counted first (one more pass, in the same snapshot) for a progress bar. */
  progress?: { onTotal(total: number): void; onEntries(done: number): void };
}

export interface LedgerExportResult {
  transactions: number;
  entries: number;
}

/**
 * Streams the entries of the transactions recorded in [from, to), oldest first, in keyset batches: memory stays
 * constant however many entries there are. The whole export reads one repeatable-read snapshot, so it is one
 * consistent picture of the ledger even while purchases keep arriving, and its count matches its lines.
 */
export async function exportLedger(client: ClientBase, request: LedgerExportRequest): Promise<LedgerExportResult> {
  const history = new LedgerHistoryRepository(client);
  await client.query('begin isolation level repeatable read read only');
  try {
    if (request.progress) request.progress.onTotal(await history.countEntries(request.from, request.to));
    await request.write(exportHeader(request.format));
    let after: CursorPosition | null = null;
    const result: LedgerExportResult = { transactions: 0, entries: 0 };
    for (;;) {
      const page = await history.page({
        accountId: null,
        references: NO_REFERENCES,
        kind: null,
        from: request.from,
        to: request.to,
        newestFirst: false,
        after,
        limit: BATCH_TRANSACTIONS,
      });
      let chunk = '';
      for (const { node } of page) {
        for (const entry of node.entries) {
          chunk += formatEntry(request.format, {
            entryId: entry.id,
            transactionId: node.id,
            transactionKey: node.key,
            kind: node.kind,
            purchaseId: node.purchaseId,
            correctsId: node.correctsId,
            effectiveAt: node.effectiveAt.toIsoString(),
            recordedAt: node.recordedAt.toIsoString(),
            accountCode: entry.accountCode,
            amount: entry.amount.toString(),
            returnId: node.returnId,
            redemptionId: node.redemptionId,
            adjustmentId: node.adjustmentId,
            actor: node.actor,
            reason: node.reason,
          });
          result.entries += 1;
        }
      }
      result.transactions += page.length;
      if (chunk) await request.write(chunk);
      request.progress?.onEntries(result.entries);
      if (page.length < BATCH_TRANSACTIONS) break;
      after = page[page.length - 1].position;
    }
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
