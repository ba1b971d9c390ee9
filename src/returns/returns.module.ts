import { Module } from '@nestjs/common';

/** Returns of points (migrations/0010_points_lifecycle.sql, docs/lifecycle.md). */
@Module({ providers: [] })
export class ReturnsModule {}
