import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { ApiTokenRole } from './api-token-kinds';

export interface ApiTokenRow {
  id: string;
  role: ApiTokenRole;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  role: ApiTokenRole;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, role, name, created_at, revoked_at';
const toToken = (row: Row): ApiTokenRow => ({
  id: row.id,
  role: row.role,
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/**
 * api_tokens of every kind. The token itself is never stored: only its sha256 digest. `role` null means any kind;
 * a role given confines the statement to that kind, so a kind's own operations never see or touch another's tokens.
 */
@Injectable()
export class ApiTokensRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async create(role: ApiTokenRole, name: string, tokenHash: Buffer): Promise<ApiTokenRow> {
    const { rows } = await this.pool.query<Row>(
      `insert into api_tokens (role, name, token_hash) values ($1, $2, $3) returning ${COLUMNS}`,
      [role, name, tokenHash],
    );
    return toToken(rows[0]);
  }

  /**
   * Revokes once: a second revocation returns the row with its first revoked_at. Null when no such token.
   * One statement, so two concurrent revocations cannot both write.
   */
  async revoke(id: string, role: ApiTokenRole | null): Promise<ApiTokenRow | null> {
    const { rows } = await this.pool.query<Row>(
      `with revoked as (
         update api_tokens set revoked_at = now()
          where id = $1 and ($2::text is null or role = $2) and revoked_at is null
         returning ${COLUMNS}
       )
       select ${COLUMNS} from revoked
       union all
       select ${COLUMNS} from api_tokens
        where id = $1 and ($2::text is null or role = $2) and not exists (select 1 from revoked)`,
      [id, role],
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  /** Oldest first; ties (one statement's rows) by id, so that the order is the same on every call. */
  async list(role: ApiTokenRole | null, includeRevoked: boolean): Promise<ApiTokenRow[]> {
    const { rows } = await this.pool.query<Row>(
      `select ${COLUMNS} from api_tokens
        where ($1::text is null or role = $1) and ($2 or revoked_at is null)
        order by created_at, id`,
      [role, includeRevoked],
    );
    return rows.map(toToken);
  }
}
