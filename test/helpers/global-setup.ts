import { buildLinuxFixture } from '../../src/build/linux-fixture.js';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';

// Builds (or finds in the cache) the guest fixtures once, before any test file runs, so that a
// missing package or download fails early with its own message instead of inside a test.
export default async function setup(): Promise<void> {
  await buildMultibootFixture();
  await buildLinuxFixture();
}
