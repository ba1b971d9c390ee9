import { Module } from '@nestjs/common';
import { ReturnsRepository } from './returns.repository';
import { ReturnsResolver } from './returns.resolver';
import { ReturnsService } from './returns.service';

/** Returns of points (migrations/0010_points_lifecycle.sql, docs/lifecycle.md). */
@Module({ providers: [ReturnsService, ReturnsResolver, ReturnsRepository], exports: [ReturnsService] })
export class ReturnsModule {}
