import fc from 'fast-check';
import { Role } from '../common/auth/principal';
import { generateToken } from '../common/auth/tokens';
import { API_TOKEN_KINDS, API_TOKEN_ROLES, apiTokenRoleOf, principalOf } from './api-token-kinds';

describe('API token kinds', () => {
  it('are AUDITOR (aud) and REWARDS (rwd), with prefixes unlike each other and unlike the POS and ADMIN ones', () => {
    expect(API_TOKEN_ROLES).toEqual([Role.AUDITOR, Role.REWARDS]);
    expect(API_TOKEN_KINDS[Role.AUDITOR].prefix).toBe('aud');
    expect(API_TOKEN_KINDS[Role.REWARDS].prefix).toBe('rwd');
    const prefixes = [...API_TOKEN_ROLES.map((role) => API_TOKEN_KINDS[role].prefix), 'pos', 'adm'];
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const prefix of prefixes) expect(prefix).toMatch(/^[a-z]+$/);
  });

  it("tell a token's kind by its prefix, up to the first underscore", () => {
    expect(apiTokenRoleOf('aud_abc')).toBe(Role.AUDITOR);
    expect(apiTokenRoleOf('rwd_abc')).toBe(Role.REWARDS);
    expect(apiTokenRoleOf('rwd_')).toBe(Role.REWARDS);
    expect(apiTokenRoleOf('rwd_a_b')).toBe(Role.REWARDS);
    for (const other of ['pos_abc', 'adm_abc', 'rwd', 'rwdabc', 'RWD_abc', 'rw_d', '_rwd_abc', 'xrwd_abc', 'aud-abc', '']) {
      expect(apiTokenRoleOf(other)).toBeNull();
    }
  });

  it('read back the kind of every token generateToken makes, whatever its random part', () => {
    for (const role of API_TOKEN_ROLES) {
      for (let i = 0; i < 20; i++) expect(apiTokenRoleOf(generateToken(API_TOKEN_KINDS[role].prefix))).toBe(role);
    }
    expect(apiTokenRoleOf(generateToken('pos'))).toBeNull();
    fc.assert(fc.property(fc.string(), (rest) => apiTokenRoleOf(`rwd_${rest}`) === Role.REWARDS && apiTokenRoleOf(`pos_${rest}`) === null));
  });

  it('authenticate as their role, named as ADMIN named the token; a REWARDS principal carries the token id', () => {
    expect(principalOf({ id: 't1', role: Role.AUDITOR, name: 'Jane (finance)' })).toEqual({ role: Role.AUDITOR, name: 'Jane (finance)' });
    expect(principalOf({ id: 't2', role: Role.REWARDS, name: 'Rewards shop' })).toEqual({
      role: Role.REWARDS,
      name: 'Rewards shop',
      tokenId: 't2',
    });
  });
});
