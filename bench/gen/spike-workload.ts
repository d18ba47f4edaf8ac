import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { prng } from '../measure.js';

/**
 * A deterministic hour of secret reads for the accuracy benchmark: many (principal, IP) groups,
 * most of them quiet, a few bursting, a few close to the thresholds of secret_access_spike
 * (more than 50 reads or more than 10 distinct secrets per hour).
 *
 * Held as typed arrays (a group and a secret per event, events in time order) so that 3 million
 * events cost 24 MB, and turned into SecretAccessEvent objects one at a time by `forEachEvent`.
 */

/** What a group was generated to be. Scoring uses the exact reference's alerts, not these labels. */
export const KIND = {
  background: 0,
  /** 70..300 reads of 20..100 distinct secrets. */
  spikeMany: 1,
  /** 70..300 reads of one secret (a missing cache). */
  spikeOne: 2,
  /** 15..30 reads of 15..30 distinct secrets: above the distinct threshold only. */
  spikeDistinct: 3,
  /** 40..60 reads of 1..3 secrets: the grey zone around count 50, not scored. */
  grey: 4,
  /** 30..40 reads of 5..9 distinct secrets: must not alert. */
  nearMiss: 5,
} as const;

export const KIND_NAMES = ['background', 'spike_many', 'spike_one', 'spike_distinct', 'grey', 'near_miss'] as const;

/** Groups generated per kind; the rest of `groups` are background. */
const SPECIAL_GROUPS: readonly [number, number][] = [
  [KIND.spikeMany, 100],
  [KIND.spikeOne, 100],
  [KIND.spikeDistinct, 50],
  [KIND.grey, 300],
  [KIND.nearMiss, 50],
];

/** Background groups share principals, this many (source IP) groups per principal on average. */
const GROUPS_PER_PRINCIPAL = 4;
const SECRET_POOL = 10_000;
const ACCOUNT = '123456789012';

export interface SpikeWorkload {
  groups: number;
  events: number;
  startMs: number;
  /** Kind of each group (KIND). */
  groupKind: Uint8Array;
  /** Reads of each group: its exact count in the window at its last event (the hour holds all). */
  groupReads: Uint16Array;
  groupPrincipal: Uint32Array;
  /** Group of each event, in time order. */
  eventGroup: Uint32Array;
  /** Secret (index into `secrets`) of each event. */
  eventSecret: Uint32Array;
  principals: string[];
  secrets: string[];
}

function between(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** The source IP of a group: its index spelled as an address, so an alert's address names its group. */
export function groupIp(group: number): string {
  return `10.${(group >>> 16) & 255}.${(group >>> 8) & 255}.${group & 255}`;
}

/** Inverse of groupIp; -1 for other addresses. */
export function ipGroup(ip: string): number {
  const m = /^10\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m === null ? -1 : (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
}

/**
 * `groups` (principal, IP) groups and exactly `events` reads spread uniformly over one hour
 * starting at `startMs` (each read at its own millisecond, in time order).
 */
export function spikeWorkload(groups: number, events: number, seed = 7, startMs = Date.UTC(2026, 10, 3, 10)): SpikeWorkload {
  if (groups >= 1 << 24) throw new Error('spikeWorkload: at most 2^24 groups (one 10.x.y.z address each)');
  const rand = prng(seed);
  const groupKind = new Uint8Array(groups);
  const groupReads = new Uint16Array(groups);
  const groupPrincipal = new Uint32Array(groups);
  /** Distinct secrets each group reads, and the first of its run of secrets in the pool. */
  const groupDistinct = new Uint16Array(groups);
  const groupSecretBase = new Uint32Array(groups);

  let g = 0;
  let specialEvents = 0;
  for (const [kind, n] of SPECIAL_GROUPS) {
    for (let i = 0; i < n; i++, g++) {
      groupKind[g] = kind;
      let reads: number;
      let distinct: number;
      if (kind === KIND.spikeMany) [reads, distinct] = [between(rand, 70, 300), between(rand, 20, 100)];
      else if (kind === KIND.spikeOne) [reads, distinct] = [between(rand, 70, 300), 1];
      else if (kind === KIND.spikeDistinct) {
        reads = between(rand, 15, 30);
        distinct = between(rand, 15, reads);
      } else if (kind === KIND.grey) [reads, distinct] = [between(rand, 40, 60), between(rand, 1, 3)];
      else [reads, distinct] = [between(rand, 30, 40), between(rand, 5, 9)];
      groupReads[g] = reads;
      groupDistinct[g] = distinct;
      specialEvents += reads;
    }
  }
  const specials = g;
  const backgroundPrincipals = Math.max(1, Math.floor((groups - specials) / GROUPS_PER_PRINCIPAL));
  const principals: string[] = [];
  for (let p = 0; p < backgroundPrincipals; p++) principals.push(`arn:aws:iam::${ACCOUNT}:role/app-${p}`);
  // Special groups get a principal of their own, so the per-principal throttle never couples them.
  for (let s = 0; s < specials; s++) {
    groupPrincipal[s] = principals.length;
    principals.push(`arn:aws:iam::${ACCOUNT}:role/bulk-${KIND_NAMES[groupKind[s]!]}-${s}`);
  }

  // Background: 1..5 reads of 1..2 secrets, then nudged until the total is exactly `events`.
  let total = specialEvents;
  for (let b = specials; b < groups; b++) {
    groupPrincipal[b] = (b - specials) % backgroundPrincipals;
    groupReads[b] = between(rand, 1, 5);
    groupDistinct[b] = rand() < 0.3 ? 2 : 1;
    total += groupReads[b]!;
  }
  if (groups === specials || events < specialEvents + (groups - specials) || events > specialEvents + 5 * (groups - specials)) {
    throw new Error(`spikeWorkload: ${events} events cannot be spread over ${groups} groups`);
  }
  while (total !== events) {
    const b = between(rand, specials, groups - 1);
    const r = groupReads[b]!;
    if (total < events && r < 5) {
      groupReads[b] = r + 1;
      total++;
    } else if (total > events && r > 1) {
      groupReads[b] = r - 1;
      total--;
    }
  }
  for (let x = 0; x < groups; x++) groupSecretBase[x] = Math.floor(rand() * SECRET_POOL);

  // Every read as (group, secret): a group's first `distinct` reads take its distinct secrets in
  // turn, the others repeat one of them at random. Then a shuffle places them over the hour.
  const eventGroup = new Uint32Array(events);
  const eventSecret = new Uint32Array(events);
  let e = 0;
  for (let x = 0; x < groups; x++) {
    const reads = groupReads[x]!;
    const distinct = Math.min(groupDistinct[x]!, reads);
    for (let j = 0; j < reads; j++, e++) {
      eventGroup[e] = x;
      const k = j < distinct ? j : Math.floor(rand() * distinct);
      eventSecret[e] = (groupSecretBase[x]! + k) % SECRET_POOL;
    }
  }
  for (let i = events - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tg = eventGroup[i]!;
    eventGroup[i] = eventGroup[j]!;
    eventGroup[j] = tg;
    const ts = eventSecret[i]!;
    eventSecret[i] = eventSecret[j]!;
    eventSecret[j] = ts;
  }
  const secrets: string[] = [];
  for (let s = 0; s < SECRET_POOL; s++) secrets.push(`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/svc-${s}/db`);
  return { groups, events, startMs, groupKind, groupReads, groupPrincipal, eventGroup, eventSecret, principals, secrets };
}

/** Event time of the i-th event: the hour divided evenly, so every event has its own millisecond. */
export function eventTime(w: SpikeWorkload, i: number): number {
  return w.startMs + Math.floor((i * 3_600_000) / w.events);
}

/** Calls `f` with each event, built fresh (successful GetSecretValue reads by an assumed role). */
export function forEachEvent(w: SpikeWorkload, f: (event: SecretAccessEvent, index: number) => void): void {
  // Date#toISOString costs ~2 us here, as much as the detector's work: format each second once.
  let second = NaN;
  let prefix = '';
  for (let i = 0; i < w.events; i++) {
    const group = w.eventGroup[i]!;
    const timeMs = eventTime(w, i);
    const s = Math.floor(timeMs / 1000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const ms = timeMs - s * 1000;
    f(
      {
        time: `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`,
        time_ms: timeMs,
        provider: 'aws',
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        action: 'read',
        outcome: 'success',
        principal: { id: w.principals[w.groupPrincipal[group]!]!, type: 'role', class: 'standard' },
        source: { ip: groupIp(group), user_agent: 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5' },
        cloud: { account: ACCOUNT, region: 'us-east-1' },
        secrets: [w.secrets[w.eventSecret[i]!]!],
        raw: { source: 'accuracy-bench', index: i, format: 'cloudtrail' },
      },
      i,
    );
  }
}
