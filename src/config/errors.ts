/** A problem with what the user gave bootgate: names the input and what was expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * True for a problem with the input (CLI exit 2): a ConfigError, or an error that marks itself
 * with `inputError: true` (an Embox source that is not a checkout, an unknown template).
 */
export function isInputError(error: unknown): boolean {
  return error instanceof ConfigError || (error as { inputError?: unknown } | null)?.inputError === true;
}
