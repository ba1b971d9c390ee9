/**
 * The demo data set: what a newcomer's first `npm start` loads into an empty database. It mirrors the
 * exercise's own seed: every promotion situation a POS vendor will meet, on retailers in several time zones.
 */
export const DEMO_CUSTOMERS: Array<[string, string]> = [
  ['Ada', 'Lovelace'],
  ['Grace', 'Hopper'],
  ['Alan', 'Turing'],
  ['Edsger', 'Dijkstra'],
  ['Barbara', 'Liskov'],
  ['Donald', 'Knuth'],
  ['Margaret', 'Hamilton'],
  ['Ken', 'Thompson'],
  ['Frances', 'Allen'],
  ['John', 'Backus'],
];

export const DEMO_PRODUCTS: Array<[string, number]> = [
  ['Pale Ale 6-pack', 1099], // no promotion
  ['Lager 12-pack', 1899], // current at every retailer
  ['Stout 4-pack', 1249], // expired
  ['IPA 6-pack', 1199], // current at half the retailers, upcoming at the other half
  ['Pilsner 24-pack', 2999], // revised: terminated at half the retailers, boosted at the other half
  ['Wheat Beer 6-pack', 999], // region promotion beside an every-retailer one (the region wins)
  ['Porter 4-pack', 1149],
  ['Sour 4-pack', 1399],
  ['Amber Ale 6-pack', 1049],
  ['Session IPA 15-pack', 2199],
];

export const DEMO_RETAILERS: Array<{ name: string; region: string; timezone: string }> = [
  { name: 'Harbor Liquors', region: 'west', timezone: 'America/Los_Angeles' },
  { name: 'Summit Bottle Shop', region: 'west', timezone: 'America/Denver' },
  { name: 'Prairie Market', region: 'central', timezone: 'America/Chicago' },
  { name: 'Lakeside Grocers', region: 'central', timezone: 'America/Chicago' },
  { name: 'Bayou Beverages', region: 'central', timezone: 'America/Chicago' },
  { name: 'Empire Wine & Spirits', region: 'east', timezone: 'America/New_York' },
  { name: 'Harborview Deli', region: 'east', timezone: 'America/New_York' },
  { name: 'Aloha Provisions', region: 'pacific', timezone: 'Pacific/Honolulu' },
  { name: 'Kiritimati Trading Post', region: 'pacific', timezone: 'Pacific/Kiritimati' },
  { name: 'Greenwich Corner Store', region: 'europe', timezone: 'Europe/London' },
];
