import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, loadConfig } from './config.ts';
import { DatabaseInUseError } from './db/data-dir-lock.ts';
import { ConfigError } from './lib/errors.ts';
import { logger } from './lib/logger.ts';
import { logUnhandledRejections } from './lib/unhandled-rejections.ts';

/** Exit codes (docs/cli.md). 75 and 78 are sysexits.h's EX_TEMPFAIL and EX_CONFIG. */
const EXIT = { ok: 0, failed: 1, usage: 2, databaseInUse: 75, config: 78 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** Resolves with the exit code, or null while the command keeps running (serve). */
  run(values: Values, config: Config): Promise<number | null>;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'start the gateway (HTTP, GraphQL, proxy, webhooks, background workers)',
    usage: `usage: tollgate serve [--workers <n|auto>]

Starts the gateway on HOST:PORT; configured by environment variables (docs/configuration.md).

options:
  --workers <n|auto>  gateway processes sharing the port (default TOLLGATE_WORKERS, 1); auto = one per
                      core; more than 1 needs DATABASE_URL and REDIS_URL
  -h, --help          show this help
`,
    options: { workers: { type: 'string' } },
    async run(values, config) {
      const cluster = await import('./cluster/workers.ts');
      const asked = (values.workers as string | undefined) ?? config.TOLLGATE_WORKERS;
      const workers = cluster.parseWorkerCount(asked);
      if (workers === null) {
        process.stderr.write(
          `tollgate serve: --workers must be a whole number from 1 or 'auto'\n\n${this.usage}`,
        );
        return EXIT.usage;
      }
      cluster.assertClusterable(config, workers);
      logUnhandledRejections();
      if (workers > 1 && !cluster.isClusterWorker()) {
        cluster.runPrimary(workers);
        return null;
      }
      const { createApp } = await import('./app.ts');
      const app = await createApp(config);
      const worker = cluster.isClusterWorker() ? cluster.clusterWorkerId() : undefined;
      if (worker !== undefined) {
        app.services.metrics.render = cluster.clusterMetricsView(app.services.metrics.registry);
        // Which worker answered: lets an operator (and the test) see the connections spread.
        app.server.prependListener('request', (_req, res) => res.setHeader('x-tollgate-worker', worker));
      }
      const port = await app.listen();
      logger.info(
        {
          port,
          database: app.services.database.kind,
          sharedState: app.services.state.kind,
          ...(worker !== undefined && { worker, pid: process.pid }),
        },
        'tollgate listening',
      );
      let closing = false;
      const shutdown = async (signal: string) => {
        // Ctrl-C reaches a cluster worker twice: from the terminal and from the primary.
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down');
        await app.close();
        process.exit(EXIT.ok);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      return null;
    },
  },
  migrate: {
    summary: 'apply pending database migrations and exit',
    usage:
      'usage: tollgate migrate\n\nApplies pending migrations to DATABASE_URL (or the embedded database) and exits.\n',
    options: {},
    async run(_values, config) {
      const { openDatabase } = await import('./db/client.ts');
      const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.TOLLGATE_DATA_DIR });
      try {
        const applied = await db.migrate();
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
        );
      } finally {
        await db.close();
      }
      return EXIT.ok;
    },
  },
  bootstrap: {
    summary: 'create a first organization, its owner and an API key',
    usage: `usage: tollgate bootstrap --org <name> --email <owner email> [--name <owner name>] [--json]

Creates an organization, its owner and an API key with every scope, in one transaction, and
prints the key once, and a one-time link (24 hours) where the owner sets a console password. With the embedded database the gateway must be stopped (it is single-process).

options:
  --org <name>      organization name (its slug is derived from it)
  --email <email>   the owner's email; an existing user becomes the owner
  --name <name>     the owner's display name
  --json            print {"organizationId","userId","apiKey","setPasswordUrl"} as one JSON line
  -h, --help        show this help
`,
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    async run(values, config) {
      const org = values.org as string | undefined;
      const email = values.email as string | undefined;
      if (!org || !email) {
        process.stderr.write(`tollgate bootstrap: --org and --email are required\n\n${this.usage}`);
        return EXIT.usage;
      }
      const { createApp } = await import('./app.ts');
      const { bootstrap } = await import('./resolvers/identity/bootstrap.ts');
      const app = await createApp(config);
      try {
        const r = await bootstrap(app.services, { org, email, name: values.name as string | undefined });
        const { setPasswordLink } = await import('./identity/sign-in/password-reset.ts');
        // An owner who already signs in (an existing user) keeps its password: no link.
        const hasPassword = await app.services.db.passwordCredential.count({ where: { userId: r.userId } });
        const setPasswordUrl = hasPassword ? null : await setPasswordLink(app.services, r.userId);
        process.stdout.write(
          values.json
            ? `${JSON.stringify({ ...r, setPasswordUrl })}\n`
            : `organization ${r.organizationId}\nowner        ${r.userId}\napi key      ${r.apiKey}\n(the key is shown only once)\n` +
                (setPasswordUrl
                  ? `console      the owner sets a password here (works once, for 24 hours): ${setPasswordUrl}\n`
                  : '') +
                `             or give the owner a password: tollgate user set-password --email ${email}\n`,
        );
      } finally {
        await app.close();
      }
      return EXIT.ok;
    },
  },
  'user set-password': {
    summary: 'give a user a password to sign in to the console (read from stdin, or asked for)',
    usage: `usage: tollgate user set-password --email <email> [--user-id <id>]

Sets the password a person signs in with (at least 12 characters), read from stdin when it is not
a terminal, else asked for without echo. The email becomes the user's login (unique among
logins) and counts as verified. --user-id names the user when several have that email.

options:
  --email <email>   the login email; without --user-id, the user who signs in with it or the only
                    user with that email
  --user-id <id>    the user (users.email is not unique across organizations)
  -h, --help        show this help
`,
    options: { email: { type: 'string' }, 'user-id': { type: 'string' } },
    async run(values, config) {
      const email = values.email as string | undefined;
      if (!email) {
        process.stderr.write(`tollgate user set-password: --email is required\n\n${this.usage}`);
        return EXIT.usage;
      }
      const { setPassword, userForEmail } = await import('./identity/sign-in/credentials.ts');
      const { readSecret } = await import('./lib/read-secret.ts');
      const password = await readSecret('password: ');
      return withDatabase(config, async (db) => {
        const userId = (values['user-id'] as string | undefined) ?? (await userForEmail(db, email)).id;
        await setPassword(db, { userId, email, password, verified: true });
        process.stdout.write(`password set for ${userId}; sign in as ${email.trim().toLowerCase()}\n`);
      });
    },
  },
  'user create-operator': {
    summary: 'create a platform-admin user (an operator) who signs in with a password',
    usage: `usage: tollgate user create-operator --email <email> [--name <name>]

Creates a user with the platform-admin flag (the operator's powers in the console) and its
password, read from stdin when it is not a terminal, else asked for without echo.

options:
  --email <email>   the operator's login email
  --name <name>     display name
  -h, --help        show this help
`,
    options: { email: { type: 'string' }, name: { type: 'string' } },
    async run(values, config) {
      const email = values.email as string | undefined;
      if (!email) {
        process.stderr.write(`tollgate user create-operator: --email is required\n\n${this.usage}`);
        return EXIT.usage;
      }
      const { createOperator } = await import('./identity/sign-in/credentials.ts');
      const { readSecret } = await import('./lib/read-secret.ts');
      const password = await readSecret('password: ');
      return withDatabase(config, async (db) => {
        const { userId } = await createOperator(db, {
          email,
          password,
          name: values.name as string | undefined,
        });
        process.stdout.write(`operator ${userId} created; sign in as ${email.trim().toLowerCase()}\n`);
      });
    },
  },
};

/**
 * Runs `fn` on the migrated database and closes it. A refusal the user can act on (a validation
 * error, an unknown or ambiguous email) is one line on stderr and exit 1, not a stack.
 */
async function withDatabase(
  config: Config,
  fn: (db: import('./db/client.ts').Db) => Promise<void>,
): Promise<number> {
  const { AppError } = await import('./lib/errors.ts');
  const { openDatabase } = await import('./db/client.ts');
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.TOLLGATE_DATA_DIR });
  try {
    if (config.MIGRATE_ON_START) await database.migrate();
    await fn(database.prisma);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`tollgate: ${err.message}\n`);
    return EXIT.failed;
  } finally {
    await database.close();
  }
}

const USAGE = `usage: tollgate <command> [options]
       tollgate <command> --help

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`)
  .join('\n')}

exit codes: 0 ok, 1 failed, 2 usage error, 75 embedded database in use, 78 invalid configuration
`;

/** The option parseArgs refused, from its message ("Unknown option '--x'…"). */
function usageError(err: unknown): string | null {
  const code = (err as { code?: string }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return null;
  const message = (err as Error).message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `unknown option ${/'([^']+)'/.exec(message)?.[1] ?? ''}`;
  return message.split('. ')[0]!.replace(/^Option/, 'option');
}

async function main(argv: string[]): Promise<number | null> {
  const [first, ...afterFirst] = argv;
  // Two-word commands (`user set-password`): the group and the verb name one command.
  const grouped = first === 'user' && afterFirst[0] !== undefined && !afterFirst[0].startsWith('-');
  const name = grouped ? `${first} ${afterFirst[0]}` : first;
  const rest = grouped ? afterFirst.slice(1) : afterFirst;
  if (name === 'help' && rest[0]) return main([...rest, '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`tollgate: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  let values: Values;
  try {
    ({ values } = parseArgs({ args: rest, options: { ...command.options, ...HELP_OPTION }, strict: true }));
  } catch (err) {
    const problem = usageError(err);
    if (!problem) throw err;
    process.stderr.write(`tollgate ${name}: ${problem}\n\n${command.usage}`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(command.usage);
    return EXIT.ok;
  }
  // Read only now: --help and usage errors work whatever the environment holds.
  return command.run(values, loadConfig());
}

function fail(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT.config;
  }
  if (err instanceof DatabaseInUseError) {
    process.stderr.write(`tollgate: ${err.message}\n`);
    return EXIT.databaseInUse;
  }
  logger.fatal({ err }, 'tollgate failed');
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failed;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (err) => process.exit(fail(err)),
);
