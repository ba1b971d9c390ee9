import { loadCliConfig } from './src/cli/cli-database';
import { localOwnerUrl } from './src/database/local-database';
import { ormOptions } from './src/database/orm-options';

/**
 * The MikroORM CLI's configuration (`npx mikro-orm debug`; package.json "mikro-orm" finds this file and loads it
 * through ts-node): the service's own ORM options, from the same validated environment. Without DATABASE_URL it
 * points at the embedded database of `npm start`, which the CLI does not start: entities are still listed, the
 * connection check fails until `npm start` runs.
 */
const config = loadCliConfig();

export default ormOptions({ ...config, databaseUrl: config.databaseUrl ?? localOwnerUrl(config.embeddedPgPort) });
