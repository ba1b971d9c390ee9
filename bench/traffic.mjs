// What a purchase looks like in every scenario and in the raw baseline: which retailer, customer, product and
// quantity, and the points it must earn.
import { pointsFor } from './dataset.mjs';

export function createTraffic(dataset) {
  let cursor = 0;
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  return {
    /** `customer`: 'distinct' walks through every customer in turn, 'hot' always names the first one. */
    next({ customer, products }) {
      const customerId =
        customer === 'hot' ? dataset.customers[0] : dataset.customers[cursor++ % dataset.customers.length];
      const product = pick(products === 'plain' ? dataset.plain : dataset.promoted);
      const quantity = 1 + Math.floor(Math.random() * 3);
      const totalCents = quantity * product.priceCents;
      return { retailer: pick(dataset.retailers), customerId, product, quantity, points: pointsFor(totalCents, product.rate) };
    },
  };
}
