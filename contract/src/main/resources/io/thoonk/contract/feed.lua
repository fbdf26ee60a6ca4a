-- Feed writes. KEYS[8] feed.ids (ZSET), KEYS[9] feed.items, KEYS[10] feed.publishes,
-- KEYS[11] feed.itemrev (HASH id -> revision of its last change).
-- ARGV[5] op:
--   'publish'  ARGV[6..] id, item pairs: one or more publishes (the client coalesces concurrent
--              publishes to one feed), in order, each its own change. Returns the revision of each.
--   'edit'     ARGV[6] id, ARGV[7] item, ARGV[8] expected revision ('' = any, '0' = the id must
--              not exist yet). Returns the revision.
--   'retract'  ARGV[6] id, ARGV[8] expected revision. Returns the revision, 0 if id was absent.
local IDS, ITEMS, PUBLISHES, ITEMREV = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local op = ARGV[5]
local cfg = open('feed')

-- Removes one item and announces it.
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

-- Publishes 'count' id, item pairs in ARGV from 'first' on, in order; returns their revisions.
-- Each pair is its own change (revision, history entry, events: 'edit' when the id already was
-- there); the items, scores and item revisions are then written with one command each, and the
-- feed is trimmed to max_length once, dropping its oldest items (never the newest, the last one
-- published), announcing each. Nothing can observe the feed between those steps: the script is
-- atomic, and pub/sub messages leave only after it.
-- Scores are publish times in epoch ms; a publish in the same millisecond as the newest item (or
-- behind it, when another writer's clock is ahead) gets the newest score plus 1/1024 ms, so the
-- order of ids is the order of publishes. Scores are written as text made with integer formatting
-- (1/1024 has an exact 10-digit decimal expansion), which is much cheaper than formatting doubles.
local function publish(first, count)
  local ids = {}
  for i = 1, count do
    ids[i] = ARGV[first + 2 * i - 2]
  end
  local existing = redis.call('ZMSCORE', IDS, unpack(ids))
  local now = now_ms()
  -- The newest score so far, as whole milliseconds and 1/1024 ms steps.
  local ms, step = tonumber(redis.call('ZRANGE', IDS, '-1', '-1', 'WITHSCORES')[2]), 0
  if ms then
    local whole = math.floor(ms)
    ms, step = whole, math.floor((ms - whole) * 1024)
  end
  local rev = redis.call('INCRBY', REVISION, count) - count
  local scores, items, itemrevs, revs, seen = {}, {}, {}, {}, {}
  for i = 1, count do
    local id, item = ids[i], ARGV[first + 2 * i - 1]
    if ms and ms >= now then
      step = step + 1
      if step == 1024 then
        ms, step = ms + 1, 0
      end
    else
      ms, step = now, 0
    end
    local score
    if step == 0 then
      score = string.format('%d', ms)
    else
      score = string.format('%d.%010d', ms, step * 9765625)
    end
    local text
    rev = rev + 1
    if existing[i] or seen[id] then
      rev, text = record(cfg, 'edit', id, '', item, '1', rev)
      redis.call('PUBLISH', 'feed.edit:' .. NAME, id .. '\0' .. item)
    else
      rev, text = record(cfg, 'publish', id, '', item, '1', rev)
      redis.call('PUBLISH', 'feed.publish:' .. NAME, id .. '\0' .. item)
    end
    seen[id] = true
    revs[i] = rev
    scores[2 * i - 1], scores[2 * i] = score, id
    items[2 * i - 1], items[2 * i] = id, item
    itemrevs[2 * i - 1], itemrevs[2 * i] = id, text
  end
  redis.call('ZADD', IDS, unpack(scores))
  redis.call('HSET', ITEMS, unpack(items))
  redis.call('HSET', ITEMREV, unpack(itemrevs))
  redis.call('INCRBY', PUBLISHES, count)
  if cfg.max_length > 0 then
    local excess = redis.call('ZCARD', IDS) - cfg.max_length
    if excess > 0 then
      for _, old in ipairs(redis.call('ZRANGE', IDS, '0', tostring(excess - 1))) do
        if old ~= ids[count] then
          drop(old)
        end
      end
    end
  end
  return revs
end

if op == 'edit' then
  local id, expected = ARGV[6], ARGV[8]
  if expected ~= '0' and not redis.call('ZSCORE', IDS, id) then
    fail('NOSUCHITEM')
  end
  check_expected(ITEMREV, id, expected)
  return publish(6, 1)[1]
end

if op == 'publish' then
  return publish(6, (#ARGV - 5) / 2)
end
fail('INVALID', 'unknown operation')
