// Why an Embox build failed, as a code callers and the CLI can act on.
export type EmboxBuildErrorCode =
  | 'not-a-checkout'
  | 'unknown-template'
  | 'bad-option'
  | 'tool-missing'
  | 'confload-failed'
  | 'missing-archive'
  | 'archive-checksum'
  | 'make-failed'
  | 'no-image'
  | 'aborted';

/** Codes that mean the user named something that is not there: bad input, CLI exit 2. */
const INPUT_ERROR_CODES: readonly EmboxBuildErrorCode[] = ['not-a-checkout', 'unknown-template', 'bad-option'];

export class EmboxBuildError extends Error {
  override readonly name = 'EmboxBuildError';
  /** read by isInputError (src/config/errors.ts) */
  readonly inputError: boolean;
  constructor(
    message: string,
    readonly code: EmboxBuildErrorCode,
    readonly logFile?: string,
  ) {
    super(message);
    this.inputError = INPUT_ERROR_CODES.includes(code);
  }
}
