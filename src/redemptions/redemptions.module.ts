import { Module } from '@nestjs/common';
import { RedemptionsRepository } from './redemptions.repository';
import { RedemptionsResolver } from './redemptions.resolver';
import { RedemptionsService } from './redemptions.service';

/** Redemptions of points and their cancellations (migrations/0010_points_lifecycle.sql, docs/lifecycle.md). */
@Module({ providers: [RedemptionsRepository, RedemptionsService, RedemptionsResolver], exports: [RedemptionsService] })
export class RedemptionsModule {}
