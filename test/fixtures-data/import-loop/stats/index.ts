export { compareResults } from './compare-results.js';
export interface Summary { median: number }
