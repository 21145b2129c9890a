// The fake GitHub fixture itself: what the action tests rely on (a started fake per test, stopped
// after; options and PR inputs overridden per file or describe) holds.
import { describe, expect } from 'vitest';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { githubTest as test } from '../helpers/github-world.js';

test.override('prInputs', { runs: '9' });

let previous: FakeGitHub | undefined;

describe('the fake GitHub fixture', () => {
  test('starts a fake for acme/embox', async ({ fake, prInputs }) => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.options).toMatchObject({ owner: 'acme', repo: 'embox' });
    expect(fake.options.readOnlyToken).toBeUndefined();
    expect(prInputs).toEqual({ runs: '9' });
    expect((await fetch(`${fake.url}/repos/acme/embox/pulls/1`)).status).toBe(404);
    previous = fake;
  });

  test('gives each test a new fake and stops the last one', async ({ fake }) => {
    expect(fake).not.toBe(previous);
    await expect(fetch(`${previous!.url}/repos/acme/embox/pulls/1`)).rejects.toThrow();
  });

  describe('with options', () => {
    test.override('fakeOptions', { readOnlyToken: 'read-only' });

    test('a describe overrides the fake options', ({ fake }) => {
      expect(fake.options.readOnlyToken).toBe('read-only');
    });
  });
});
