// The GitHub Action entry point. All behaviour lives in src/github and src/engine.
import { runAction } from './github/action.js';

await runAction();
