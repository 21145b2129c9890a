// Bundles the action (dist/index.js) and the CLI (dist/cli.js) into self-contained ESM files,
// as GitHub runs an action's dist/ without installing its node_modules.
import { build } from 'esbuild';

// The dashboard's browser client (Chart.js included), built first and inlined into both bundles as
// a string: pages are written without node_modules or network (src/report/dashboard/page.ts).
const client = await build({
  entryPoints: ['src/report/dashboard/client.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'inline', // Chart.js's MIT notice stays in the page
  write: false,
  logLevel: 'warning',
});

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  define: { BOOTGATE_DASHBOARD_CLIENT: JSON.stringify(client.outputFiles[0].text) },
  // Some bundled dependencies are CommonJS and call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __bootgateCreateRequire } from 'node:module';\nconst require = __bootgateCreateRequire(import.meta.url);",
  },
};

await build({ ...shared, entryPoints: ['src/main.ts'], outfile: 'dist/index.js' });
await build({
  ...shared,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  banner: { js: `#!/usr/bin/env node\n${shared.banner.js}` },
});
