// Types of scripts/import-loops.mjs for the test that keeps the layout free of loops.
export interface FolderLoop {
  folders: string[];
  /** "compare/subject.ts -> measure/results.ts", each import between two folders of the loop */
  imports: string[];
}
export function importLoops(root?: string): { folderLoops: FolderLoop[]; fileLoops: string[][] };
