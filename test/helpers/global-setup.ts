// Builds the guest fixtures once before any test file runs (filled in with the fixture builders).
export default async function setup(): Promise<void> {}
