import type { Summary } from '../stats/index.js';
export interface SubjectResult { summary: Summary }
