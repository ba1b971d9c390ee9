import { Args, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { ReconciliationRunArgs, ReconciliationRunsArgs } from './dto/reconciliation-runs.args';
import { ReconciliationRunModel, toRunModel } from './models/reconciliation-run.model';
import { ReconciliationService } from './reconciliation.service';

/** Finance reads what the reconciliation command recorded; runs are started by the command, not the API. */
@Resolver(() => ReconciliationRunModel)
export class ReconciliationResolver {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Query(() => [ReconciliationRunModel], { description: 'ADMIN or AUDITOR. Reconciliation runs, the latest first.' })
  @Roles(Role.ADMIN, Role.AUDITOR)
  async reconciliationRuns(@Args() args: ReconciliationRunsArgs): Promise<ReconciliationRunModel[]> {
    return (await this.reconciliation.listRuns(args.first)).map(toRunModel);
  }

  @Query(() => ReconciliationRunModel, { nullable: true, description: 'ADMIN or AUDITOR. One reconciliation run.' })
  @Roles(Role.ADMIN, Role.AUDITOR)
  async reconciliationRun(@Args() args: ReconciliationRunArgs): Promise<ReconciliationRunModel | null> {
    const run = await this.reconciliation.findRun(args.id);
    return run ? toRunModel(run) : null;
  }
}
