import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';

export interface AuditorTokenRow {
  id: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, created_at, revoked_at';
const toToken = (row: Row): AuditorTokenRow => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** api_tokens of the AUDITOR role. The token itself is never stored: only its sha256 digest. */
@Injectable()
export class AuditorTokensRepository {
  constructor(@Inject(SQL_POOL) private readonly pool: Pool) {}

  async create(name: string, tokenHash: Buffer): Promise<AuditorTokenRow> {
    const { rows } = await this.pool.query<Row>(
      `insert into api_tokens (role, name, token_hash) values ('AUDITOR', $1, $2) returning ${COLUMNS}`,
      [name, tokenHash],
    );
    return toToken(rows[0]);
  }

  /**
   * Revokes once: a second revocation returns the row with its first revoked_at. Null when no such token.
   * One statement, so two concurrent revocations cannot both write.
   */
  async revoke(id: string): Promise<AuditorTokenRow | null> {
    const { rows } = await this.pool.query<Row>(
      `with revoked as (
         update api_tokens set revoked_at = now()
          where id = $1 and role = 'AUDITOR' and revoked_at is null
         returning ${COLUMNS}
       )
       select ${COLUMNS} from revoked
       union all
       select ${COLUMNS} from api_tokens where id = $1 and role = 'AUDITOR' and not exists (select 1 from revoked)`,
      [id],
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  async list(includeRevoked: boolean): Promise<AuditorTokenRow[]> {
    const { rows } = await this.pool.query<Row>(
      `select ${COLUMNS} from api_tokens
        where role = 'AUDITOR' and ($1 or revoked_at is null)
        order by created_at, id`,
      [includeRevoked],
    );
    return rows.map(toToken);
  }
}
