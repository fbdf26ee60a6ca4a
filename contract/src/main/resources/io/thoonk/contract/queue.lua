-- Queue writes. KEYS[8] feed.ids (LIST), KEYS[9] feed.items, KEYS[10] feed.publishes.
-- ARGV[5] op: 'put' | 'take'; ARGV[6] id; ARGV[7] item; ARGV[8] 'high' for high priority.
-- put returns the revision; take returns {id, item, revision} or nil when empty.
-- The pop, the read and the delete are one step, so no item is lost between them.
local IDS, ITEMS, PUBLISHES = KEYS[8], KEYS[9], KEYS[10]
local op, id, item, priority = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local cfg = open('queue')

if op == 'put' then
  if priority == 'high' then
    redis.call('RPUSH', IDS, id)
  else
    redis.call('LPUSH', IDS, id)
  end
  redis.call('HSET', ITEMS, id, item)
  redis.call('INCR', PUBLISHES)
  return record(cfg, 'publish', id, '', item, '0')
end

while true do
  local taken = redis.call('RPOP', IDS)
  if not taken then
    return nil
  end
  local value = redis.call('HGET', ITEMS, taken)
  if value then
    redis.call('HDEL', ITEMS, taken)
    local rev = record(cfg, 'take', taken, '', '', '0')
    return {taken, value, rev}
  end
end
