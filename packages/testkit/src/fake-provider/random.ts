// The fake's random source is core's seeded generator, so "fail with probability p" replays run to run.
export { seededRandom } from '@switchyard/core';

export type Random = () => number;
