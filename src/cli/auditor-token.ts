import { Role } from '../common/auth/principal';
import { runTokenCommand } from './api-token';
import { runCli } from './cli-database';

const USAGE = `usage: npm run auditor-token -- create --name "Jane (finance)"   prints a new AUDITOR token (shown only once)
       npm run auditor-token -- revoke <id>                     revokes it (running instances refuse it within TOKEN_CACHE_SECONDS)
       npm run auditor-token -- list [--all]                    live tokens (--all: revoked ones too)
The AUDITOR tokens of \`npm run api-token\`, by the same code. DATABASE_URL selects the database; without it, the
embedded one of \`npm start\`.`;

if (require.main === module) runCli(() => runTokenCommand(process.argv.slice(2), { fixedRole: Role.AUDITOR, usage: USAGE }));
