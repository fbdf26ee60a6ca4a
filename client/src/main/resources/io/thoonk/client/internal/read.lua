-- Reads of feeds and sorted feeds; never create anything.
-- KEYS[6] feed.ids (ZSET for feed, LIST for sorted_feed), KEYS[7] feed.items, KEYS[8] feed.itemrev.
-- ARGV[5] type, ARGV[6] op: 'get' | 'ids' | 'all' | 'revision'; ARGV[7] id.
local IDS, ITEMS, ITEMREV = KEYS[6], KEYS[7], KEYS[8]
local kind, op, id = ARGV[5], ARGV[6], ARGV[7]

if op == 'revision' then
  return tonumber(redis.call('GET', REVISION) or '0')
end
if not exists_as(kind) then
  if op == 'get' then return nil end
  return {}
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
