// Scale-out over a job matrix: each shard runs its share of every subject's counted boots (both
// base and head, interleaved, after its own warm-ups: every machine needs warming), and the merge
// job concatenates the boots per subject and side and decides once. The matrix is the scheduler.
import type { ResultsDocument, SubjectResult } from '../measure/results.js';
import { resultsDocument } from '../measure/results-file.js';
import { summarizeSubject } from '../measure/summary.js';
import type { Shard } from './inputs.js';

/** Runs of shard i of n: `runs` split as evenly as possible, the first `runs % n` shards one more. */
export function shardRuns(runs: number, shard: Shard): number {
  const base = Math.floor(runs / shard.count);
  return base + (shard.index <= runs % shard.count ? 1 : 0);
}

/**
 * One results document from several shards' documents of the same side: subjects matched by name,
 * boots concatenated in shard order and renumbered, summaries recomputed from all boots. Host facts
 * come from the first shard (each shard's own are in its artifact). A subject is "not built" in the
 * merged document only when no shard built it.
 */
export function mergeShardDocuments(docs: readonly ResultsDocument[]): ResultsDocument {
  if (docs.length === 0) throw new Error('merge: no shard results to merge');
  const merged = new Map<string, SubjectResult>();
  for (const doc of docs) {
    for (const subject of doc.subjects) {
      const key = `${subject.name}\0${subject.variant ?? ''}`;
      const into = merged.get(key);
      if (!into) {
        merged.set(key, { ...subject, boots: [...subject.boots], warmup: [...subject.warmup] });
        continue;
      }
      if (into.commit && subject.commit && into.commit !== subject.commit) {
        throw new Error(
          `merge: subject ${subject.name} [${subject.variant ?? '-'}] was measured at different commits in different shards (${into.commit.slice(0, 12)} and ${subject.commit.slice(0, 12)})`,
        );
      }
      // Not built in one shard but built in another: the built one describes the subject.
      if (into.notBuilt && !subject.notBuilt) {
        merged.set(key, {
          ...subject,
          boots: [...into.boots, ...subject.boots],
          warmup: [...into.warmup, ...subject.warmup],
        });
        continue;
      }
      into.boots.push(...subject.boots);
      into.warmup.push(...subject.warmup);
      into.deterministic ||= subject.deterministic;
    }
  }
  let sequence = 0;
  const subjects = [...merged.values()].map((s) => {
    const boots = s.boots.map((b, index) => ({ ...b, index, sequence: sequence++ }));
    // the merged boots are one fixed sample: the shards' own looks do not apply to it
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose
    const { sequential: _looks, ...rest } = s;
    return { ...rest, boots, warmup: s.warmup.map((b, index) => ({ ...b, index })), summary: summarizeSubject(boots) };
  });
  const doc = resultsDocument(
    subjects,
    docs[0]!.host,
    docs.some((d) => d.partial),
  );
  return {
    ...doc,
    createdAt:
      docs
        .map((d) => d.createdAt)
        .sort()
        .at(-1) ?? doc.createdAt,
  };
}
