-- Feed writes. KEYS[6] feed.ids (ZSET), KEYS[7] feed.items, KEYS[8] feed.publishes,
-- KEYS[9] feed.itemrev (HASH id -> revision of its last change).
-- ARGV[5] op:
--   'publish'  ARGV[6..] id, item pairs: one or more publishes, in order, each exactly as if it
--              ran alone (the client coalesces concurrent publishes to one feed). Returns the
--              revision of each.
--   'edit'     ARGV[6] id, ARGV[7] item, ARGV[8] expected revision ('' = any, '0' = the id must
--              not exist yet). Returns the revision.
--   'retract'  ARGV[6] id, ARGV[8] expected revision. Returns the revision, 0 if id was absent.
local IDS, ITEMS, PUBLISHES, ITEMREV = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local op = ARGV[5]
local cfg = open('feed')

-- Removes one item and announces it. Returns the revision of the retract.
local function drop(id)
  redis.call('ZREM', IDS, id)
  redis.call('HDEL', ITEMS, id)
  redis.call('HDEL', ITEMREV, id)
  local rev = record(cfg, 'retract', id, '', '', '1')
  redis.call('PUBLISH', 'feed.retract:' .. NAME, id)
  return rev
end

if op == 'retract' then
  local id = ARGV[6]
  check_expected(ITEMREV, id, ARGV[8])
  if not redis.call('ZSCORE', IDS, id) then
    return 0
  end
  return drop(id)
end

-- Scores are publish times in epoch ms; a publish in the same millisecond as the newest item (or
-- behind it, when another writer's clock is ahead) gets the newest score plus 1/1024 ms, so the
-- order of ids is the order of publishes.
local now = now_ms()
local newest = redis.call('ZRANGE', IDS, '-1', '-1', 'WITHSCORES')
newest = tonumber(newest[2])

local function put(id, item)
  local score = now
  if newest and newest >= now then
    score = newest + 1 / 1024
  end
  newest = score
  if score ~= now then
    score = string.format('%.17g', score)
  end
  local added = redis.call('ZADD', IDS, score, id)
  redis.call('HSET', ITEMS, id, item)
  redis.call('INCR', PUBLISHES)
  local rev, text
  if added == 0 then
    rev, text = record(cfg, 'edit', id, '', item, '1')
    redis.call('PUBLISH', 'feed.edit:' .. NAME, id .. '\0' .. item)
  else
    rev, text = record(cfg, 'publish', id, '', item, '1')
    redis.call('PUBLISH', 'feed.publish:' .. NAME, id .. '\0' .. item)
  end
  redis.call('HSET', ITEMREV, id, text)
  -- max_length: drop the oldest items, never the one just published, announcing each.
  if cfg.max_length > 0 then
    local excess = redis.call('ZCARD', IDS) - cfg.max_length
    if excess > 0 then
      for _, old in ipairs(redis.call('ZRANGE', IDS, '0', tostring(excess))) do
        if excess > 0 and old ~= id then
          drop(old)
          excess = excess - 1
        end
      end
    end
  end
  return rev
end

if op == 'edit' then
  local id, expected = ARGV[6], ARGV[8]
  if expected ~= '0' and not redis.call('ZSCORE', IDS, id) then
    fail('NOSUCHITEM')
  end
  check_expected(ITEMREV, id, expected)
  return put(id, ARGV[7])
end

if op == 'publish' then
  local revs = {}
  for i = 6, #ARGV, 2 do
    revs[#revs + 1] = put(ARGV[i], ARGV[i + 1])
  end
  return revs
end
fail('INVALID', 'unknown operation')
