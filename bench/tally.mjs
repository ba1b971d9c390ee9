// Accounting of one scenario's responses. GraphQL errors come back with HTTP 200, so every body is read.
export function createTally() {
  const tally = {
    nonReplayed: 0,
    replayed: 0,
    credited: 0,
    points: 0n,
    errors: 0,
    errorKinds: new Map(),
  };
  const fail = (kind) => {
    tally.errors++;
    tally.errorKinds.set(kind, (tally.errorKinds.get(kind) ?? 0) + 1);
  };
  /** Returns the result of a successful call, or null. `sent` is what the request said and expects. */
  tally.record = (status, body, sent) => {
    if (status !== 200) return fail(`HTTP ${status}`), null;
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return fail('unreadable body'), null;
    }
    if (parsed.errors?.length) return fail(parsed.errors[0].extensions?.code ?? parsed.errors[0].message), null;
    const result = parsed.data?.recordPurchase;
    if (!result) return fail('no recordPurchase in the response'), null;
    const points = BigInt(result.pointsAwarded);
    if (result.replayed) {
      tally.replayed++;
      if (!sent.replay) fail('replayed: true for a new transactionId');
    } else {
      tally.nonReplayed++;
      if (points > 0n) tally.credited++;
      tally.points += points;
      if (sent.replay) fail('replayed: false for a resent transactionId');
    }
    if (points !== sent.points) fail(`pointsAwarded ${points}, expected ${sent.points}`);
    return result;
  };
  tally.describeErrors = () => [...tally.errorKinds].map(([kind, n]) => `${kind} x${n}`).join(', ');
  return tally;
}
