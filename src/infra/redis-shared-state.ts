import { createHash } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import { logger } from '../lib/logger.ts';
import { RedisUnavailableError } from './dependency-errors.ts';
import { MemorySharedState } from './memory-shared-state.ts';
import {
  type SharedState,
  type ReserveEntry,
  type AdjustEntry,
  type ReserveMark,
  type SettledMarks,
  type ReserveManyResult,
  rebuiltMark,
} from './shared-state.ts';

/** The shared state on Redis, for several gateway processes (docs/architecture.md, "Shared state"). */
// ARGV: n, then per entry (delta, limit or '', carry key index or '', carry weight ppm), then ttl.
// KEYS: the n counters, then the carry counters. With a carry the check is scaled by 10^6, exact
// while counts stay below 2^53 / 10^6 (request and token counts do); without one it is unscaled.
const RESERVE_MANY_LUA = `
local n = tonumber(ARGV[1])
local cur = {}
local carried = {}
local refused = -1
for i = 1, n do
  local b = 4 * (i - 1) + 1
  cur[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  local prev = '0'
  if ARGV[b + 3] ~= '' then prev = redis.call('GET', KEYS[tonumber(ARGV[b + 3])]) or '0' end
  carried[i] = prev
  local limit = ARGV[b + 2]
  if refused < 0 and limit ~= '' then
    local over = cur[i] + tonumber(ARGV[b + 1]) - tonumber(limit)
    -- Without a carry, compare unscaled: money counters must stay exact up to 2^53.
    if ARGV[b + 4] ~= '' then over = over * 1000000 + tonumber(prev) * tonumber(ARGV[b + 4]) end
    if over > 0 then refused = i - 1 end
  end
end
local out = {refused < 0 and 1 or 0, refused}
local ttl = tonumber(ARGV[4 * n + 2])
for i = 1, n do
  if refused < 0 then
    redis.call('INCRBY', KEYS[i], ARGV[4 * (i - 1) + 2])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
  -- GET, not INCRBY's reply: Lua numbers would print large values as 1e+15.
  out[i + 2] = redis.call('GET', KEYS[i]) or '0'
  out[n + i + 2] = carried[i]
end
return out`;

const RESERVE_MANY_SHA = createHash('sha1').update(RESERVE_MANY_LUA).digest('hex');

// KEYS: the counter, optionally its mark and the mark's index. ARGV: delta, limit, ttl, mark ttl.
const RESERVE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
-- Marked and already applied: the same reservation sent again (ioredis resends a command whose
-- reply was lost with the connection). It counts once.
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return {1, cur} end
local delta = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if cur + delta > limit then return {0, cur} end
local v = redis.call('INCRBY', KEYS[1], delta)
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[4]) end
if KEYS[3] then
  redis.call('HSET', KEYS[3], KEYS[2], KEYS[1])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return {1, v}`;

// KEYS: the counter, the mark of a reservation against it, optionally the mark's index.
const RELEASE_MARKED_LUA = `
if KEYS[3] then redis.call('HDEL', KEYS[3], KEYS[2]) end
local d = redis.call('GET', KEYS[2])
if not d then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECRBY', KEYS[1], d) end
return 1`;

// KEYS: an index of marks (mark key → counter key). Keys come from the index, not KEYS: a dead
// process's marks are known only there (fine on one Redis; not cluster-safe, like the journal).
const RELEASE_MARK_INDEX_LUA = `
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  local d = redis.call('GET', all[i])
  if d then
    redis.call('DEL', all[i])
    if redis.call('EXISTS', all[i + 1]) == 1 then redis.call('DECRBY', all[i + 1], d) end
    n = n + 1
  end
end
redis.call('DEL', KEYS[1])
return n`;

// KEYS: the once key (when ARGV[1] is set), the counters, then the settled marks and their index.
// ARGV: once ttl or '', ttl, number of counters, number of marks, 1 when an index follows, deltas.
const ADJUST_EXISTING_LUA = `
local off = 0
local n = tonumber(ARGV[3])
local m = tonumber(ARGV[4])
if ARGV[1] ~= '' then off = 1 end
-- The marks go whether or not this is the first time: a settled reservation has nothing to give back.
for j = 1, m do
  local mark = KEYS[off + n + j]
  redis.call('DEL', mark)
  if ARGV[5] == '1' then redis.call('HDEL', KEYS[off + n + m + 1], mark) end
end
if off == 1 and not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return false end
local ttl = tonumber(ARGV[2])
local out = {}
for i = 1 + off, off + n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], ARGV[5 + i - off])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    out[#out + 1] = redis.call('GET', KEYS[i])
  else
    out[#out + 1] = ''
  end
end
return out`;

const ADJUST_EXISTING_SHA = createHash('sha1').update(ADJUST_EXISTING_LUA).digest('hex');

// KEYS: the counter, its rebuilt mark. ARGV: total, ttl (0 = none).
const ADD_REBUILT_TOTAL_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
else
  redis.call('SET', KEYS[2], '1')
end
return 1`;

const INCR_LUA = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/**
 * Every Redis command's failure, typed: an error Redis itself answered (ReplyError: a script or
 * type bug) passes through; any other (connection refused or lost, MaxRetriesPerRequestError,
 * "Connection is closed.") means Redis is unavailable.
 */
function redisCall<T>(command: Promise<T>): Promise<T> {
  return command.catch((err: unknown) => {
    throw err instanceof ReplyError || err instanceof RedisUnavailableError
      ? err
      : new RedisUnavailableError(err);
  });
}

export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  readonly client: Redis;
  /** A second connection: a subscribed Redis connection can do nothing else. */
  readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<(m: string) => void>>();

  constructor(url: string, opts: { keyPrefix?: string } = {}) {
    const common = { lazyConnect: false, maxRetriesPerRequest: 2, enableReadyCheck: true };
    this.client = new Redis(url, { ...common, keyPrefix: opts.keyPrefix ?? 'tollgate:' });
    // Subscriptions are restored by us, from `handlers`, on every (re)connect: ioredis's own
    // resubscribe knows only the SUBSCRIBEs that succeeded, not those tried while Redis was down.
    this.subscriber = new Redis(url, { ...common, autoResubscribe: false });
    this.subscriber.on('ready', () => {
      for (const ch of this.handlers.keys()) void this.subscribeChannel(ch);
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const h of this.handlers.get(channel) ?? []) h(message);
    });
    // Errors surface through the commands that fail and through /readyz; never crash the process.
    this.client.on('error', () => {});
    this.subscriber.on('error', () => {});
  }

  private channel(name: string): string {
    return `${this.client.options.keyPrefix ?? ''}${name}`;
  }

  async publish(channel: string, message: string): Promise<void> {
    // keyPrefix does not apply to channels; add it ourselves so tenants of one Redis don't mix.
    await redisCall(this.client.publish(this.channel(channel), message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    const ch = this.channel(channel);
    let set = this.handlers.get(ch);
    if (!set) {
      set = new Set();
      this.handlers.set(ch, set);
    }
    set.add(handler);
    if (set.size === 1) await this.subscribeChannel(ch);
    return async () => {
      set.delete(handler);
      if (set.size > 0 || this.handlers.get(ch) !== set) return;
      this.handlers.delete(ch);
      // While Redis is down this fails; the reconnect then starts without the channel anyway.
      await this.subscriber
        .unsubscribe(ch)
        .catch((err: unknown) => logger.warn({ err, channel: ch }, 'Redis unsubscribe failed'));
    };
  }

  private async subscribeChannel(ch: string): Promise<void> {
    try {
      await this.subscriber.subscribe(ch);
    } catch (err) {
      logger.warn({ err, channel: ch }, 'Redis subscribe failed; subscribing again when Redis is back');
    }
  }

  async get(key: string) {
    return redisCall(this.client.get(key));
  }

  async set(key: string, value: string, ttlMs?: number) {
    await redisCall(ttlMs ? this.client.set(key, value, 'PX', ttlMs) : this.client.set(key, value));
  }

  async del(key: string) {
    await redisCall(this.client.del(key));
  }

  async incrBy(key: string, delta: number, ttlMs = 0) {
    return Number(await redisCall(this.client.eval(INCR_LUA, 1, key, delta, ttlMs)));
  }

  async reserve(key: string, delta: number, limit: number, ttlMs: number, mark?: ReserveMark) {
    const keys = mark ? [key, mark.key, ...(mark.index ? [mark.index] : [])] : [key];
    const reply = await redisCall(
      this.client.eval(RESERVE_LUA, keys.length, ...keys, delta, limit, ttlMs, mark?.ttlMs ?? 0),
    );
    const [ok, value] = reply as [number, number];
    return { ok: ok === 1, value: Number(value) };
  }

  async releaseMarked(key: string, markKey: string, index?: string) {
    const keys = index ? [key, markKey, index] : [key, markKey];
    return (await redisCall(this.client.eval(RELEASE_MARKED_LUA, keys.length, ...keys))) === 1;
  }

  async releaseMarkIndex(index: string) {
    return Number(await redisCall(this.client.eval(RELEASE_MARK_INDEX_LUA, 1, index)));
  }

  async reserveMany(entries: readonly ReserveEntry[], ttlMs: number): Promise<ReserveManyResult> {
    if (entries.length === 0) return { ok: true, values: [], carried: [], refusedIndex: -1 };
    const carryKeys: string[] = [];
    const args = entries.flatMap((e) => {
      if (e.carry) carryKeys.push(e.carry.key);
      return [
        e.delta.toString(),
        e.limit === null ? '' : e.limit.toString(),
        e.carry ? String(entries.length + carryKeys.length) : '',
        e.carry ? String(e.carry.weightPpm) : '',
      ];
    });
    const keys = [...entries.map((e) => e.key), ...carryKeys];
    const params = [keys.length, ...keys, entries.length, ...args, ttlMs] as const;
    // EVALSHA on the hot path (the script is loaded once per Redis); EVAL when Redis lost it.
    const reply = await redisCall(
      this.client.evalsha(RESERVE_MANY_SHA, ...params).catch((err: unknown) => {
        if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
          return this.client.eval(RESERVE_MANY_LUA, ...params);
        throw err;
      }),
    );
    const [ok, refused, ...rest] = reply as [number, number, ...string[]];
    const n = entries.length;
    return {
      ok: ok === 1,
      values: rest.slice(0, n).map((v) => BigInt(v)),
      carried: rest.slice(n).map((v) => BigInt(v)),
      refusedIndex: Number(refused),
    };
  }

  async adjustExisting(
    entries: readonly AdjustEntry[],
    ttlMs: number,
    once?: { key: string; ttlMs: number },
    settles?: SettledMarks,
  ): Promise<(bigint | null)[] | null> {
    const marks = settles?.marks ?? [];
    if (entries.length === 0 && !once && marks.length === 0) return [];
    const index = marks.length && settles?.index ? [settles.index] : [];
    const keys = [...(once ? [once.key] : []), ...entries.map((e) => e.key), ...marks, ...index];
    const params = [
      keys.length,
      ...keys,
      once ? String(once.ttlMs) : '',
      ttlMs,
      entries.length,
      marks.length,
      index.length ? '1' : '',
      ...entries.map((e) => e.delta.toString()),
    ] as const;
    const reply = await redisCall(
      this.client.evalsha(ADJUST_EXISTING_SHA, ...params).catch((err: unknown) => {
        if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
          return this.client.eval(ADJUST_EXISTING_LUA, ...params);
        throw err;
      }),
    );
    if (reply === null) return null;
    return (reply as string[]).map((v) => (v === '' ? null : BigInt(v)));
  }

  async addRebuiltTotal(key: string, total: bigint, ttlMs: number): Promise<boolean> {
    const added = await redisCall(
      this.client.eval(ADD_REBUILT_TOTAL_LUA, 2, key, rebuiltMark(key), total.toString(), ttlMs),
    );
    return added === 1;
  }

  async ping() {
    await redisCall(this.client.ping());
  }

  async close() {
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}

export function openSharedState(
  redisUrl: string | undefined,
  opts: { keyPrefix?: string } = {},
): SharedState {
  return redisUrl ? new RedisSharedState(redisUrl, opts) : new MemorySharedState();
}
