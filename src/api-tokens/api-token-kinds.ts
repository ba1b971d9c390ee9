import { Principal, Role } from '../common/auth/principal';

interface ApiTokenKind {
  /** What generateToken puts before a token's random part: tells a token's kind, leaked or presented, at a glance. */
  prefix: string;
  /** How messages name a token of this kind. */
  noun: string;
}

/**
 * The kinds of API token that ADMIN issues, and the one place they are listed. All kinds share the api_tokens
 * table (whose role check must allow each role: migrations 0004 and 0010), its rules (stored hashed, revoked once,
 * never deleted) and one code path: repository, service, directory, resolver and command take the role as a value.
 * A new kind is a line here, the principal it authenticates as (principalOf) and the migration's role check.
 */
export const API_TOKEN_KINDS = {
  [Role.AUDITOR]: { prefix: 'aud', noun: 'auditor token' },
  [Role.REWARDS]: { prefix: 'rwd', noun: 'rewards token' },
} as const satisfies Partial<Record<Role, ApiTokenKind>>;

/** The roles an API token may have: Role.AUDITOR | Role.REWARDS. */
export type ApiTokenRole = keyof typeof API_TOKEN_KINDS;
export type ApiTokenPrefix = (typeof API_TOKEN_KINDS)[ApiTokenRole]['prefix'];

export const API_TOKEN_ROLES = Object.keys(API_TOKEN_KINDS) as ApiTokenRole[];

const ROLE_BY_PREFIX = new Map<string, ApiTokenRole>(API_TOKEN_ROLES.map((role) => [API_TOKEN_KINDS[role].prefix, role]));

/**
 * The kind a token's prefix names ('rwd_…' is REWARDS), or null for every other token: POS tokens, the configured
 * ADMIN and AUDITOR tokens, made-up ones. Only a token with a kind's prefix can be an API token, so only such a
 * token is worth a lookup in api_tokens.
 */
export function apiTokenRoleOf(token: string): ApiTokenRole | null {
  const end = token.indexOf('_');
  return end > 0 ? (ROLE_BY_PREFIX.get(token.slice(0, end)) ?? null) : null;
}

/** A live (not revoked) API token as the directory finds it: never the token itself, nor its digest. */
export interface LiveApiToken {
  id: string;
  role: ApiTokenRole;
  /** The name ADMIN gave it: the actor that the ledger records for what its holder does. */
  name: string;
}

/** Who a live API token's holder is. A REWARDS principal carries its token's id, which its movements may record. */
export function principalOf(token: LiveApiToken): Principal {
  switch (token.role) {
    case Role.AUDITOR:
      return { role: Role.AUDITOR, name: token.name };
    case Role.REWARDS:
      return { role: Role.REWARDS, name: token.name, tokenId: token.id };
  }
}
