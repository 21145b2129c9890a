// Bundles the action (dist/index.js) and the CLI (dist/cli.js) into self-contained ESM files,
// as GitHub runs an action's dist/ without installing its node_modules.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // Some bundled dependencies are CommonJS and call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __bootgateCreateRequire } from 'node:module';\nconst require = __bootgateCreateRequire(import.meta.url);" },
};

await build({ ...shared, entryPoints: ['src/main.ts'], outfile: 'dist/index.js' });
await build({
  ...shared,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  banner: { js: `#!/usr/bin/env node\n${shared.banner.js}` },
});
