-- Job operations. KEYS[8] feed.ids (LIST, available), KEYS[9] feed.items, KEYS[10] feed.publishes,
-- KEYS[11] feed.published (ZSET), KEYS[12] feed.claimed (ZSET), KEYS[13] feed.stalled (SET),
-- KEYS[14] feed.cancelled (HASH failure counts), KEYS[15] feed.finishes,
-- KEYS[16] job.results (HASH id -> result, extension), KEYS[17] job.resultexp (ZSET id -> expiry ms).
-- ARGV[5] op, ARGV[6] id, ARGV[7] payload or result, ARGV[8] flag ('high' priority on put,
-- '1' = has a result on finish, list name on list).
-- Reads ('state', 'result', 'list', 'failures') check the team's fence as writes do.
local IDS, ITEMS, PUBLISHES, PUBLISHED, CLAIMED = KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local STALLED, CANCELLED, FINISHES, RESULTS, RESULTEXP = KEYS[13], KEYS[14], KEYS[15], KEYS[16], KEYS[17]
local op, id, value, flag = ARGV[5], ARGV[6], ARGV[7], ARGV[8]

-- Reads: fenced like writes; never create the object.
if op == 'state' or op == 'result' or op == 'list' or op == 'failures' then
  check_fence()
end
if op == 'state' then
  if not exists_as('job') then return 'unknown' end
  if redis.call('ZSCORE', CLAIMED, id) then return 'claimed' end
  if redis.call('SISMEMBER', STALLED, id) == 1 then return 'stalled' end
  if redis.call('HEXISTS', ITEMS, id) == 1 then return 'queued' end
  local expiry = redis.call('ZSCORE', RESULTEXP, id)
  if expiry and tonumber(expiry) > now_ms() then return 'finished' end
  return 'unknown'
elseif op == 'result' then
  if not exists_as('job') then return nil end
  local expiry = redis.call('ZSCORE', RESULTEXP, id)
  if expiry and tonumber(expiry) > now_ms() then
    return {redis.call('HGET', RESULTS, id) or ''}
  end
  return nil
elseif op == 'failures' then
  if not exists_as('job') then return 0 end
  return tonumber(redis.call('HGET', CANCELLED, id) or '0') or 0
elseif op == 'list' then
  if not exists_as('job') then return {} end
  if flag == 'queued' then
    local ids = redis.call('LRANGE', IDS, 0, -1)
    local ordered = {}
    for i = #ids, 1, -1 do ordered[#ordered + 1] = ids[i] end
    return ordered
  elseif flag == 'claimed' then
    return redis.call('ZRANGE', CLAIMED, 0, -1)
  else
    return redis.call('SMEMBERS', STALLED)
  end
end

local cfg = open('job')
local now = now_ms()

local function require_claimed()
  if not redis.call('ZSCORE', CLAIMED, id) then
    if redis.call('HEXISTS', ITEMS, id) == 0 then fail('NOSUCHITEM') end
    fail('JOBSTATE', 'not claimed')
  end
end

-- A claimed job failed (cancelled or timed out): count it; back to available, or stalled once it
-- used its attempts.
local function failed(jid, kind)
  local failures = redis.call('HINCRBY', CANCELLED, jid, 1)
  redis.call('ZREM', CLAIMED, jid)
  if cfg.max_attempts > 0 and failures >= cfg.max_attempts then
    redis.call('ZREM', PUBLISHED, jid)
    redis.call('HDEL', CANCELLED, jid)
    redis.call('SADD', STALLED, jid)
    return record(cfg, 'stall', jid, '', tostring(failures), '0')
  end
  redis.call('LPUSH', IDS, jid)
  return record(cfg, kind, jid, '', tostring(failures), '0')
end

-- Claims whose worker went silent past timeout_ms. Idempotent: a job is only in claimed once.
local function sweep(limit)
  if cfg.timeout_ms <= 0 then return 0 end
  local expired = redis.call('ZRANGEBYSCORE', CLAIMED, '-inf', now - cfg.timeout_ms, 'LIMIT', 0, limit)
  for _, jid in ipairs(expired) do
    failed(jid, 'timeout')
  end
  return #expired
end

if op == 'put' then
  if redis.call('HEXISTS', ITEMS, id) == 1 then fail('JOBSTATE', 'exists') end
  if flag == 'high' then
    redis.call('RPUSH', IDS, id)
  else
    redis.call('LPUSH', IDS, id)
  end
  redis.call('HSET', ITEMS, id, value)
  redis.call('ZADD', PUBLISHED, now, id)
  redis.call('INCR', PUBLISHES)
  redis.call('HDEL', RESULTS, id)
  redis.call('ZREM', RESULTEXP, id)
  return record(cfg, 'publish', id, '', value, '0')
elseif op == 'claim' then
  sweep(10)
  while true do
    local jid = redis.call('RPOP', IDS)
    if not jid then return nil end
    local payload = redis.call('HGET', ITEMS, jid)
    if payload then
      redis.call('ZADD', CLAIMED, now, jid)
      local failures = tonumber(redis.call('HGET', CANCELLED, jid) or '0')
      local rev = record(cfg, 'claim', jid, '', '', '0')
      return {jid, payload, failures, rev}
    end
  end
elseif op == 'sweep' then
  return sweep(tonumber(value) or 1000)
elseif op == 'finish' then
  require_claimed()
  redis.call('ZREM', CLAIMED, id)
  redis.call('ZREM', PUBLISHED, id)
  redis.call('HDEL', CANCELLED, id)
  redis.call('HDEL', ITEMS, id)
  redis.call('INCR', FINISHES)
  local expired = redis.call('ZRANGEBYSCORE', RESULTEXP, '-inf', now, 'LIMIT', 0, 100)
  for _, old in ipairs(expired) do
    redis.call('HDEL', RESULTS, old)
    redis.call('ZREM', RESULTEXP, old)
  end
  redis.call('HSET', RESULTS, id, value)
  redis.call('ZADD', RESULTEXP, now + cfg.result_ttl_ms, id)
  redis.call('PEXPIRE', RESULTS, cfg.result_ttl_ms)
  redis.call('PEXPIRE', RESULTEXP, cfg.result_ttl_ms)
  if flag == '1' then
    local rev = record(cfg, 'finish', id, '', value, '1')
    redis.call('PUBLISH', 'job.finish:' .. NAME, id .. '\0' .. value)
    return rev
  end
  return record(cfg, 'finish', id, '', value, '0')
elseif op == 'cancel' then
  require_claimed()
  return failed(id, 'cancel')
elseif op == 'release' then
  require_claimed()
  redis.call('ZREM', CLAIMED, id)
  redis.call('RPUSH', IDS, id)
  return record(cfg, 'release', id, '', '', '0')
elseif op == 'touch' then
  require_claimed()
  redis.call('ZADD', CLAIMED, now, id)
  return 1
elseif op == 'stall' then
  require_claimed()
  redis.call('ZREM', CLAIMED, id)
  redis.call('ZREM', PUBLISHED, id)
  redis.call('HDEL', CANCELLED, id)
  redis.call('SADD', STALLED, id)
  return record(cfg, 'stall', id, '', '', '0')
elseif op == 'retry' then
  if redis.call('SREM', STALLED, id) == 0 then
    if redis.call('HEXISTS', ITEMS, id) == 0 then fail('NOSUCHITEM') end
    fail('JOBSTATE', 'not stalled')
  end
  redis.call('LPUSH', IDS, id)
  redis.call('ZADD', PUBLISHED, now, id)
  return record(cfg, 'retry', id, '', '', '0')
elseif op == 'retract' then
  if redis.call('HDEL', ITEMS, id) == 0 then return 0 end
  redis.call('LREM', IDS, 0, id)
  redis.call('HDEL', CANCELLED, id)
  redis.call('ZREM', PUBLISHED, id)
  redis.call('ZREM', CLAIMED, id)
  redis.call('SREM', STALLED, id)
  return record(cfg, 'retract', id, '', '', '0')
end
fail('INVALID', 'unknown operation')
