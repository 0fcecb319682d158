import { defineConfig } from 'drizzle-kit';

// The store hub's PostgreSQL schema (hub/schema.ts), apart from the register's SQLite one:
// `npx drizzle-kit generate --config drizzle.hub.config.ts --name <snake_name>`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './hub/schema.ts',
  out: './drizzle/hub',
});
