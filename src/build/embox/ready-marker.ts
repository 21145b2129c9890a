// The serial lines that say an Embox guest is ready: httpd started by the start script, or the shell prompt.

/** printed by the `service` command (src/cmds/service/service.c) when the start script runs `service httpd` */
export const EMBOX_SERVICE_HTTPD_MARKER = String.raw`Starting service: httpd\b`;
/** echoed by system_start_service (log_level ≥ LOG_INFO) before a start-script command that runs httpd directly */
export const EMBOX_DIRECT_HTTPD_MARKER = String.raw`^>\s*httpd\b`;

/** String literals of a preprocessed system_start.inc, in order: the start script's commands. */
export function startCommandsFromInc(inc: string): string[] {
  return [...inc.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

/** Which serial line says httpd started, given the start script's commands. */
export function httpdReadyMarker(commands: string[]): { readyMarker: string; startScriptMentionsHttpd: boolean } {
  const words = commands.map((c) => c.trim().split(/\s+/));
  if (words.some((w) => w[0] === 'service' && w[1] === 'httpd'))
    return { readyMarker: EMBOX_SERVICE_HTTPD_MARKER, startScriptMentionsHttpd: true };
  // "httpd" run directly (optionally as "pthread httpd"): only the echoed command line marks it
  if (words.some((w) => w[0] === 'httpd' || (w[0] === 'pthread' && w[1] === 'httpd'))) {
    return { readyMarker: EMBOX_DIRECT_HTTPD_MARKER, startScriptMentionsHttpd: true };
  }
  return { readyMarker: EMBOX_SERVICE_HTTPD_MARKER, startScriptMentionsHttpd: false };
}

/** tish's `prompt` option when rich_prompt_support is off (src/cmds/shell/Mybuild) */
export const EMBOX_DEFAULT_PROMPT = 'embox> ';

/**
 * A regex for the shell prompt of a preprocessed mods.conf: tish's `prompt` option (its rich
 * form: %u user, %h host, %w/%W folder, %$ # or $), or the default `embox> `.
 */
export function shellPromptMarker(mods: string): string {
  const tish = /\binclude[ \t]+embox\.cmd\.sh\.tish[ \t]*\(([^)]*)\)/.exec(mods);
  const options = tish?.[1] ?? '';
  const prompt = /\bprompt[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"/.exec(options)?.[1] ?? EMBOX_DEFAULT_PROMPT;
  const rich = /\brich_prompt_support[ \t]*=[ \t]*1\b/.test(options);
  const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!rich) return `^${escape(prompt.trimEnd())}\\s*$`;
  const parts = prompt.trimEnd().split(/(%[uhwW$])/);
  const source = parts
    .map((p) => ({ '%u': '\\S+', '%h': '\\S+', '%w': '\\S*', '%W': '\\S*', '%$': '[#$]' })[p] ?? escape(p))
    .join('');
  return `^${source}\\s*$`;
}
