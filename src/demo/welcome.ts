import { DemoCredentials } from './demo-seeder';

/** What a newcomer needs on screen after `npm start`: tokens and one request that earns points. */
export function printWelcome(url: string, adminToken: string, demo: DemoCredentials | null, ide = false): void {
  const lines = ['', `Loyalty ledger is running on ${url}`, '', `ADMIN token (this run): ${adminToken}`];
  if (ide) {
    // The page is open to anyone who reaches the port, so the token is never written into it: the developer adds it.
    lines.push(`GraphiQL: open ${url} in a browser and set its headers to {"authorization": "Bearer <a token of this banner>"}`);
  }
  if (demo) {
    lines.push('', 'POS tokens of the demo retailers:');
    for (const r of demo.retailers) lines.push(`  ${r.name.padEnd(26)} ${r.timezone.padEnd(20)} ${r.token}`);
    const retailer = demo.retailers[0];
    const body = JSON.stringify({
      query:
        'mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { pointsAwarded customerBalance replayed purchase { id awardRate } } }',
      variables: {
        input: { transactionId: `demo-${Date.now()}`, customerId: demo.customerIds[0], productId: demo.productIds[1], quantity: 2 },
      },
    });
    lines.push(
      '',
      `Record a purchase at ${retailer.name} (Lager 12-pack, 100 points per dollar, earns 3798 points):`,
      `  curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${retailer.token}' \\`,
      `    -d '${body}'`,
      '',
      'Then read the customer with the ADMIN token:',
      `  curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${adminToken}' \\`,
      `    -d '${JSON.stringify({ query: `{ customer(id: "${demo.customerIds[0]}") { firstName pointBalance } }` })}'`,
    );
    if (demo.rewardsToken && demo.redemptionCustomerId) lines.push(...redemptionExample(url, demo.rewardsToken, demo.redemptionCustomerId));
  } else {
    lines.push('', 'The database was not empty, so no demo data was loaded.');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/** A redemption the demo's REWARDS token can make at once: the customer's balance covers it. */
function redemptionExample(url: string, rewardsToken: string, customerId: string): string[] {
  const body = JSON.stringify({
    query:
      'mutation($input: RedeemPointsInput!) { redeemPoints(input: $input) { customerBalance replayed redemption { id status points } } }',
    variables: { input: { idempotencyKey: `demo-order-${Date.now()}`, customerId, points: '1000', rewardReference: 'brewery-tour' } },
  });
  return [
    '',
    `REWARDS token of the demo rewards shop: ${rewardsToken}`,
    'Redeem 1000 points for a reward (send it twice: the second answer is a replay; cancelRedemption(id) gives them back):',
    `  curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${rewardsToken}' \\`,
    `    -d '${body}'`,
  ];
}
