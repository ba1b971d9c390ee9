import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { Pool } from 'pg';
import { AuditorTokenDirectory } from '../auditor-tokens/auditor-token-directory';
import { AuditorTokenRow, AuditorTokensRepository } from '../auditor-tokens/auditor-tokens.repository';
import { AuditorTokensService } from '../auditor-tokens/auditor-tokens.service';
import { CreateAuditorTokenArgs, RevokeAuditorTokenArgs } from '../auditor-tokens/dto/auditor-token.args';
import { trimInput } from '../common/validation/trimmed-fields';
import { loadCliConfig, openCliDatabase, runCli } from './cli-database';

const USAGE = `usage: npm run auditor-token -- create --name "Jane (finance)"   prints a new AUDITOR token (shown only once)
       npm run auditor-token -- revoke <id>                     revokes it (running instances refuse it within TOKEN_CACHE_SECONDS)
       npm run auditor-token -- list [--all]                    live tokens (--all: revoked ones too)
DATABASE_URL selects the database; without it, the embedded one of \`npm start\`.`;

type Command = { name: 'create'; tokenName: string } | { name: 'revoke'; id: string } | { name: 'list'; all: boolean };

/** The same input rules as the GraphQL mutations, from the same argument classes, after the same trimming. */
function checked<T extends object>(args: T): T {
  const problems = validateSync(args).flatMap((e) => Object.values(e.constraints ?? {}));
  if (problems.length) throw new Error(problems.join('; '));
  return args;
}

function parse(argv: string[]): Command | null {
  const [command, ...rest] = argv;
  if (command === 'create' && rest.length === 2 && rest[0] === '--name') {
    return { name: 'create', tokenName: checked(Object.assign(new CreateAuditorTokenArgs(), trimInput(CreateAuditorTokenArgs, { name: rest[1] }))).name };
  }
  if (command === 'revoke' && rest.length === 1) {
    return { name: 'revoke', id: checked(Object.assign(new RevokeAuditorTokenArgs(), { id: rest[0] })).id };
  }
  if (command === 'list' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--all'))) {
    return { name: 'list', all: rest.length === 1 };
  }
  return null;
}

const describe = (t: AuditorTokenRow) =>
  `${t.id}  ${t.createdAt.toISOString()}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'live'}  ${t.name}`;

async function main(): Promise<void> {
  const command = parse(process.argv.slice(2));
  if (command === null) throw new Error(USAGE);
  const config = loadCliConfig();
  const database = await openCliDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const pool = new Pool({ connectionString: database.url, max: 1, application_name: 'loyalty-auditor-token' });
  try {
    const repository = new AuditorTokensRepository(pool);
    // This process has no cache worth evicting: running instances drop a revoked token within TOKEN_CACHE_SECONDS.
    const service = new AuditorTokensService(repository, new AuditorTokenDirectory(pool, config));
    if (command.name === 'create') {
      const created = await service.create(command.tokenName);
      process.stdout.write(`id:    ${created.auditorToken.id}\nname:  ${created.auditorToken.name}\ntoken: ${created.authToken}\n`);
      process.stderr.write('The token is shown only now: only its hash is stored. Send it as "Authorization: Bearer <token>".\n');
    } else if (command.name === 'revoke') {
      const token = await service.revoke(command.id);
      process.stdout.write(`${describe(token)}\n`);
      process.stderr.write(
        `Refused by running instances within TOKEN_CACHE_SECONDS (${config.tokenCacheSeconds} s here); ` +
          'revokeAuditorToken through the API is refused at once by the instance that serves it.\n',
      );
    } else {
      for (const token of await service.list(command.all)) process.stdout.write(`${describe(token)}\n`);
    }
  } finally {
    await pool.end();
    await database.close();
  }
}

if (require.main === module) runCli(main);
