import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { Pool } from 'pg';
import { ApiTokenDirectory } from '../api-tokens/api-token-directory';
import { ApiTokenRole } from '../api-tokens/api-token-kinds';
import { ApiTokenRow, ApiTokensRepository } from '../api-tokens/api-tokens.repository';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { ApiTokenIdArgs, ApiTokensArgs, CreateApiTokenArgs } from '../api-tokens/dto/api-token.args';
import { trimInput } from '../common/validation/trimmed-fields';
import { loadCliConfig, openCliDatabase, runCli } from './cli-database';

const USAGE = `usage: npm run api-token -- create --role REWARDS --name "Rewards shop"   prints a new token (shown only once)
       npm run api-token -- revoke <id>                     revokes it (running instances refuse it within TOKEN_CACHE_SECONDS)
       npm run api-token -- list [--role R] [--all]         live tokens, of one kind or all (--all: revoked ones too)
Roles: AUDITOR, REWARDS. DATABASE_URL selects the database; without it, the embedded one of \`npm start\`.`;

type Command =
  | { name: 'create'; role: ApiTokenRole; tokenName: string }
  | { name: 'revoke'; id: string }
  | { name: 'list'; role: ApiTokenRole | null; all: boolean };

/**
 * The one code path of the token commands: `api-token` names the kind with --role; `auditor-token` (and any command
 * of one kind) passes its role as `fixedRole`, takes no --role, and revokes only tokens of its kind.
 */
export interface TokenCommand {
  fixedRole: ApiTokenRole | null;
  usage: string;
}

/** The same input rules as the GraphQL mutations, from the same argument classes, after the same trimming. */
function checked<T extends object>(inputClass: new () => T, fields: Partial<T>): T {
  const args = Object.assign(new inputClass(), trimInput(inputClass, fields));
  const problems = validateSync(args).flatMap((e) => Object.values(e.constraints ?? {}));
  if (problems.length) throw new Error(problems.join('; '));
  return args;
}

/** `--flag value` and bare `--switch` options, each at most once, in any order; null for anything else. */
function options(rest: string[], valued: string[], switches: string[]): Map<string, string> | null {
  const found = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const option = rest[i];
    if (found.has(option)) return null;
    if (switches.includes(option)) found.set(option, '');
    else if (valued.includes(option) && i + 1 < rest.length) found.set(option, rest[++i]);
    else return null;
  }
  return found;
}

export function parseTokenCommand(argv: string[], fixedRole: ApiTokenRole | null): Command | null {
  const [command, ...rest] = argv;
  const roleOption = fixedRole === null ? ['--role'] : [];
  if (command === 'create') {
    const given = options(rest, ['--name', ...roleOption], []);
    const name = given?.get('--name');
    const role = fixedRole ?? given?.get('--role');
    if (name === undefined || role === undefined) return null;
    const args = checked(CreateApiTokenArgs, { name, role: role as ApiTokenRole });
    return { name: 'create', role: args.role, tokenName: args.name };
  }
  if (command === 'revoke' && rest.length === 1) {
    return { name: 'revoke', id: checked(ApiTokenIdArgs, { id: rest[0] }).id };
  }
  if (command === 'list') {
    const given = options(rest, roleOption, ['--all']);
    if (given === null) return null;
    const role = fixedRole ?? given.get('--role');
    const args = checked(ApiTokensArgs, { role: role === undefined ? null : (role as ApiTokenRole), includeRevoked: given.has('--all') });
    return { name: 'list', role: args.role ?? null, all: args.includeRevoked };
  }
  return null;
}

const describe = (t: ApiTokenRow) =>
  `${t.id}  ${t.role}  ${t.createdAt.toISOString()}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'live'}  ${t.name}`;

export async function runTokenCommand(argv: string[], { fixedRole, usage }: TokenCommand): Promise<void> {
  const command = parseTokenCommand(argv, fixedRole);
  if (command === null) throw new Error(usage);
  const config = loadCliConfig();
  const database = await openCliDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const pool = new Pool({ connectionString: database.url, max: 1, application_name: 'loyalty-api-token' });
  try {
    // This process has no cache worth evicting: running instances drop a revoked token within TOKEN_CACHE_SECONDS.
    const service = new ApiTokensService(new ApiTokensRepository(pool), new ApiTokenDirectory(pool, config));
    if (command.name === 'create') {
      const { apiToken, authToken } = await service.create(command.role, command.tokenName);
      process.stdout.write(`id:    ${apiToken.id}\nrole:  ${apiToken.role}\nname:  ${apiToken.name}\ntoken: ${authToken}\n`);
      process.stderr.write('The token is shown only now: only its hash is stored. Send it as "Authorization: Bearer <token>".\n');
    } else if (command.name === 'revoke') {
      const token = await service.revoke(command.id, fixedRole);
      process.stdout.write(`${describe(token)}\n`);
      process.stderr.write(
        `Refused by running instances within TOKEN_CACHE_SECONDS (${config.tokenCacheSeconds} s here); ` +
          'revokeApiToken through the API is refused at once by the instance that serves it.\n',
      );
    } else {
      for (const token of await service.list(command.role, command.all)) process.stdout.write(`${describe(token)}\n`);
    }
  } finally {
    await pool.end();
    await database.close();
  }
}

if (require.main === module) runCli(() => runTokenCommand(process.argv.slice(2), { fixedRole: null, usage: USAGE }));
