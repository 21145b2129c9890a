// The CLI entry point: `npx bootgate …`. All behaviour lives in src/engine.
import { runCli } from './engine/cli-program.js';

process.exitCode = await runCli(process.argv);
