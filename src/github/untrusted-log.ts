/**
 * Build output and guest serial lines can come from a fork's pull request. The runner obeys a line
 * that starts (after blanks) with `::` as a workflow command (`::add-mask::`, `::error file=…::`,
 * `::stop-commands::`, …) and `##[` anywhere in a line as an old-style one, so such a line is
 * logged with a visible `| ` in front and its `##[` broken by a zero-width space: shown, not obeyed.
 */
export function neutraliseWorkflowCommands(line: string): string {
  const defused = line.includes('##[') ? line.replaceAll('##[', '#\u200b#[') : line;
  return /^\s*::/.test(defused) ? `| ${defused}` : defused;
}
