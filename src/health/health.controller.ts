import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Pool } from 'pg';
import { SQL_POOL } from '../database/database.module';
import { ShutdownState } from './shutdown-state';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(SQL_POOL) private readonly pool: Pool,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up. */
  @Get('live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'ok' };
  }

  /** Send traffic here: the database answers and the service is not draining. */
  @Get('ready')
  async ready(): Promise<{ status: string }> {
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'draining' });
    try {
      await this.pool.query('select 1');
    } catch {
      throw new ServiceUnavailableException({ status: 'database unavailable' });
    }
    return { status: 'ok' };
  }
}
