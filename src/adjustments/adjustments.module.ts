import { Module } from '@nestjs/common';
import { AdjustmentsRepository } from './adjustments.repository';
import { AdjustmentsResolver } from './adjustments.resolver';
import { AdjustmentsService } from './adjustments.service';

/** Adjustments of points by ADMIN (migrations/0010_points_lifecycle.sql, docs/lifecycle.md). */
@Module({ providers: [AdjustmentsRepository, AdjustmentsService, AdjustmentsResolver], exports: [AdjustmentsService] })
export class AdjustmentsModule {}
