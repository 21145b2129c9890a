// The marker worker is kept between boots when it is idle (its start-up is per-boot overhead) and
// still terminated when a boot ends mid-match.
import { describe, expect, it } from 'vitest';
import { MarkerMatcher, type LineMatch } from '../../src/boot/marker-matcher.js';

const patterns = { startMarker: '^start$', readyMarker: '^ready$', moduleMarker: String.raw`init (\S+)` };

async function matchOne(matcher: MarkerMatcher<string>, answers: [string, LineMatch][], line: string): Promise<void> {
  const before = answers.length;
  matcher.match(line, line);
  await expect.poll(() => answers.length, { timeout: 5000 }).toBe(before + 1);
}

describe('MarkerMatcher', () => {
  it('a second matcher with the same patterns answers at once with the idle worker, and a third with other patterns uses its own', async () => {
    const answers: [string, LineMatch][] = [];
    const onMatch = (item: string, match: LineMatch): void => void answers.push([item, match]);
    const first = await MarkerMatcher.start(patterns, onMatch, (m) => expect.fail(m));
    await matchOne(first, answers, 'start');
    await first.close();

    const began = process.hrtime.bigint();
    const second = await MarkerMatcher.start(patterns, onMatch, (m) => expect.fail(m));
    const startMs = Number(process.hrtime.bigint() - began) / 1e6;
    await matchOne(second, answers, 'init embox.kernel');
    await matchOne(second, answers, 'ready');
    await second.close();
    // reusing the idle worker is no start-up at all (a new one takes tens of ms)
    expect(startMs).toBeLessThan(5);

    const other = await MarkerMatcher.start({ ...patterns, readyMarker: '^ok$' }, onMatch, (m) => expect.fail(m));
    await matchOne(other, answers, 'ok');
    await matchOne(other, answers, 'ready');
    await other.close();

    expect(answers.map(([line, m]) => [line, m.start, m.ready, m.module])).toEqual([
      ['start', true, false, null],
      ['init embox.kernel', false, false, 'embox.kernel'],
      ['ready', false, true, null],
      ['ok', false, true, null],
      ['ready', false, false, null],
    ]);
  });

  it('a matcher closed in the middle of a catastrophic match is stopped, and the next one works', async () => {
    const slow = { startMarker: '(a+)+$', readyMarker: 'ready', moduleMarker: null };
    const stuck = await MarkerMatcher.start<string>(
      slow,
      () => expect.fail('no answer expected'),
      () => undefined,
    );
    stuck.match('x', `${'a'.repeat(40)}!`);
    const began = Date.now();
    await stuck.close();
    expect(Date.now() - began).toBeLessThan(5000);

    const answers: [string, LineMatch][] = [];
    const next = await MarkerMatcher.start<string>(
      slow,
      (item, match) => void answers.push([item, match]),
      (m) => expect.fail(m),
    );
    await matchOne(next, answers, 'ready');
    await next.close();
    expect(answers[0]![1].ready).toBe(true);
  });
});
