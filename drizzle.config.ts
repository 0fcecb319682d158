import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  // Each capability owns its tables in main/<capability>/schema.ts.
  schema: './main/*/schema.ts',
  out: './drizzle',
});
