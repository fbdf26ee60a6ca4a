-- Sorted feed writes. KEYS[8] feed.ids (LIST), KEYS[9] feed.items, KEYS[10] feed.publishes,
-- KEYS[11] feed.idincr, KEYS[12] feed.itemrev.
-- ARGV[5] op: 'append' | 'prepend' | 'before' | 'after' | 'move' | 'edit' | 'retract'
-- ARGV[6] id (move/edit/retract), ARGV[7] item, ARGV[8] relative id (before/after),
-- ARGV[9] expected revision, ARGV[10] move target: 'begin' | 'end' | 'before' | 'after'.
-- Returns {id, revision}.
local IDS, ITEMS, PUBLISHES, IDINCR, ITEMREV = KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local op, id, item, rel, expected, target = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local cfg = open('sorted_feed')

-- Inserts id where 'where' says and returns the contract position string.
local function place(where)
  if where == 'end' or where == 'append' then
    redis.call('RPUSH', IDS, id)
    return ':end'
  elseif where == 'begin' or where == 'prepend' then
    redis.call('LPUSH', IDS, id)
    return 'begin:'
  elseif where == 'before' then
    redis.call('LINSERT', IDS, 'BEFORE', rel, id)
    return ':' .. rel
  else
    redis.call('LINSERT', IDS, 'AFTER', rel, id)
    return rel .. ':'
  end
end

local function require_relative(where)
  if (where == 'before' or where == 'after') and redis.call('HEXISTS', ITEMS, rel) == 0 then
    fail('NOSUCHITEM', 'relative')
  end
end

if op == 'append' or op == 'prepend' or op == 'before' or op == 'after' then
  require_relative(op)
  id = tostring(redis.call('INCR', IDINCR))
  local position = place(op)
  redis.call('HSET', ITEMS, id, item)
  redis.call('INCR', PUBLISHES)
  local rev, text = record(cfg, 'publish', id, position, item, '2')
  redis.call('PUBLISH', 'feed.publish:' .. NAME, id .. '\0' .. item)
  redis.call('PUBLISH', 'feed.position:' .. NAME, id .. '\0' .. position)
  redis.call('HSET', ITEMREV, id, text)
  return {id, rev}
end

if op == 'retract' then
  check_expected(ITEMREV, id, expected)
  if redis.call('HDEL', ITEMS, id) == 0 then
    return {id, 0}
  end
  redis.call('LREM', IDS, 1, id)
  redis.call('HDEL', ITEMREV, id)
  local rev = record(cfg, 'retract', id, '', '', '1')
  redis.call('PUBLISH', 'feed.retract:' .. NAME, id)
  return {id, rev}
end

if redis.call('HEXISTS', ITEMS, id) == 0 then
  fail('NOSUCHITEM')
end
check_expected(ITEMREV, id, expected)

if op == 'edit' then
  redis.call('HSET', ITEMS, id, item)
  redis.call('INCR', PUBLISHES)
  local rev, text = record(cfg, 'edit', id, '', item, '1')
  redis.call('PUBLISH', 'feed.publish:' .. NAME, id .. '\0' .. item)
  redis.call('HSET', ITEMREV, id, text)
  return {id, rev}
end

if op == 'move' then
  if (target == 'before' or target == 'after') and rel == id then
    fail('INVALID', 'an item cannot be moved relative to itself')
  end
  require_relative(target)
  redis.call('LREM', IDS, 1, id)
  local position = place(target)
  local rev, text = record(cfg, 'position', id, position, '', '1')
  redis.call('PUBLISH', 'feed.position:' .. NAME, id .. '\0' .. position)
  redis.call('HSET', ITEMREV, id, text)
  return {id, rev}
end
fail('INVALID', 'unknown operation')
