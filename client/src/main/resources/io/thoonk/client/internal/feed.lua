-- Feed writes. KEYS[6] feed.ids (ZSET), KEYS[7] feed.items, KEYS[8] feed.publishes,
-- KEYS[9] feed.itemrev (HASH id -> revision of its last change).
-- ARGV[5] op: 'publish' | 'edit' | 'retract'; ARGV[6] id; ARGV[7] item; ARGV[8] expected revision.
-- Returns the revision of the change (0 for a retract of an absent id).
local IDS, ITEMS, PUBLISHES, ITEMREV = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local op, id, item, expected = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local cfg = open('feed')

if op == 'retract' then
  check_expected(ITEMREV, id, expected)
  if redis.call('ZREM', IDS, id) == 0 then
    return 0
  end
  redis.call('HDEL', ITEMS, id)
  redis.call('HDEL', ITEMREV, id)
  local rev = record(cfg, 'retract', id, '', '', 1)
  redis.call('PUBLISH', 'feed.retract:' .. NAME, id)
  return rev
end

if op == 'edit' and not redis.call('ZSCORE', IDS, id) then
  fail('NOSUCHITEM')
end
check_expected(ITEMREV, id, expected)

-- Scores are publish times in epoch ms; same-millisecond publishes get 1/1024 ms steps so the
-- order of ids is the order of publishes.
local score = now_ms()
local newest = redis.call('ZRANGE', IDS, -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= score then
  score = string.format('%.17g', tonumber(newest[2]) + 1 / 1024)
end
local added = redis.call('ZADD', IDS, score, id)
redis.call('HSET', ITEMS, id, item)
redis.call('INCR', PUBLISHES)

local rev
if added == 0 then
  rev = record(cfg, 'edit', id, '', item, 1)
  redis.call('PUBLISH', 'feed.edit:' .. NAME, id .. '\0' .. item)
else
  rev = record(cfg, 'publish', id, '', item, 1)
  redis.call('PUBLISH', 'feed.publish:' .. NAME, id .. '\0' .. item)
end
redis.call('HSET', ITEMREV, id, rev)

-- max_length: drop the oldest items, never the one just published, announcing each.
if cfg.max_length > 0 then
  local excess = redis.call('ZCARD', IDS) - cfg.max_length
  if excess > 0 then
    local oldest = redis.call('ZRANGE', IDS, 0, excess)
    local dropped = 0
    for _, old in ipairs(oldest) do
      if dropped < excess and old ~= id then
        redis.call('ZREM', IDS, old)
        redis.call('HDEL', ITEMS, old)
        redis.call('HDEL', ITEMREV, old)
        record(cfg, 'retract', old, '', '', 1)
        redis.call('PUBLISH', 'feed.retract:' .. NAME, old)
        dropped = dropped + 1
      end
    end
  end
end
return rev
