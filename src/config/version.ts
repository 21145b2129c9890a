// The version, from package.json only: `bootgate --version`, the results documents and the pages
// all read it here (the bundle inlines it).
import packageJson from '../../package.json' with { type: 'json' };

export const VERSION: string = packageJson.version;
