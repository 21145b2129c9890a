/** A problem with what the user gave bootgate: names the input and what was expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
