-- Reads of any object; never create or change anything. Fenced like writes (check_fence()), so a
-- client with a stale route is refused and re-routes instead of reading an old shard.
-- KEYS[8] feed.ids (ZSET for feed, LIST for sorted_feed, queue and job), KEYS[9] feed.items,
-- KEYS[10] feed.itemrev.
-- ARGV[5] type, ARGV[6] op: 'get' | 'ids' | 'all' (feeds and sorted feeds), 'revision' (any
-- type), 'length' (queues and jobs: ids waiting), 'history' (any type); ARGV[7] id.
-- 'history' reads one page of the history: ARGV[7] first revision, ARGV[8] last revision ('' = the
-- current one), ARGV[9] most entries; answers {current revision, XRANGE entries}. 'revision' and
-- 'history' do not check the type: subscribers read them without knowing it.
local IDS, ITEMS, ITEMREV = KEYS[8], KEYS[9], KEYS[10]
local kind, op, id = ARGV[5], ARGV[6], ARGV[7]

check_fence()
if op == 'revision' then
  return tonumber(redis.call('GET', REVISION) or '0')
end
if op == 'history' then
  local current = redis.call('GET', REVISION) or '0'
  local last = ARGV[8]
  if last == '' then
    last = current
  end
  return {tonumber(current), redis.call('XRANGE', HISTORY, ARGV[7] .. '-0', last .. '-0', 'COUNT', ARGV[9])}
end
if not exists_as(kind) then
  if op == 'get' then return nil end
  if op == 'length' then return 0 end
  return {}
end
if op == 'length' then
  return redis.call('LLEN', IDS)
end
if op == 'get' then
  local item = redis.call('HGET', ITEMS, id)
  if not item then return nil end
  return {item, tonumber(redis.call('HGET', ITEMREV, id) or '0')}
end

local ids
if kind == 'feed' then
  ids = redis.call('ZRANGE', IDS, 0, -1)
else
  ids = redis.call('LRANGE', IDS, 0, -1)
end
if op == 'ids' or #ids == 0 then
  return ids
end
local items = redis.call('HMGET', ITEMS, unpack(ids))
local revs = redis.call('HMGET', ITEMREV, unpack(ids))
local out = {}
for i, v in ipairs(ids) do
  if items[i] then
    out[#out + 1] = v
    out[#out + 1] = items[i]
    out[#out + 1] = tonumber(revs[i] or '0')
  end
end
return out
