// The CLI entry point: `npx bootgate …`. Parsing lives in src/cli, behaviour in src/engine.
import { runCli } from './cli/program.js';

process.exitCode = await runCli(process.argv);
