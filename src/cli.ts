import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { ConfigError } from './lib/errors.ts';
import { logger } from './lib/logger.ts';

const USAGE = `usage: tollgate <command>

commands:
  serve       start the gateway (HTTP, GraphQL, proxy, webhooks, background workers)
  migrate     apply pending database migrations and exit
  bootstrap   create a first organization, its owner and an API key:
              bootstrap --org <name> --email <owner email> [--name <owner name>] [--json]
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const { createApp } = await import('./app.ts');
      const app = await createApp(config);
      const port = await app.listen();
      logger.info(
        { port, database: app.services.database.kind, sharedState: app.services.state.kind },
        'tollgate listening',
      );
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'shutting down');
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      return -1;
    }
    case 'migrate': {
      const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.TOLLGATE_DATA_DIR });
      try {
        const applied = await db.migrate();
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'bootstrap': {
      const { parseArgs } = await import('node:util');
      const { values } = parseArgs({
        args: rest,
        options: {
          org: { type: 'string' },
          email: { type: 'string' },
          name: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      if (!values.org || !values.email) {
        process.stderr.write(
          'usage: tollgate bootstrap --org <name> --email <email> [--name <name>] [--json]\n',
        );
        return 2;
      }
      const { createApp } = await import('./app.ts');
      const { bootstrap } = await import('./resolvers/identity/bootstrap.ts');
      const app = await createApp(config);
      try {
        const r = await bootstrap(app.services, { org: values.org, email: values.email, name: values.name });
        process.stdout.write(
          values.json
            ? `${JSON.stringify(r)}\n`
            : `organization ${r.organizationId}\nowner        ${r.userId}\napi key      ${r.apiKey}\n(the key is shown only once)\n`,
        );
      } finally {
        await app.close();
      }
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      void rest;
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    logger.fatal({ err }, 'tollgate failed');
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
