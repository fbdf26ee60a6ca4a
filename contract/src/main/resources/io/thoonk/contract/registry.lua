-- Registry: create, configure, delete any object (contract 'newfeed', 'conffeed', 'delfeed'), and
-- the fenced reads of an object's type and settings.
-- KEYS[8..] every key an object of any type may have (deleted on 'delete').
-- ARGV[5] op: 'create' | 'configure' | 'delete' | 'type' | 'settings'; ARGV[6] type (create);
-- ARGV[7..] field, value pairs (create / configure).
-- Creating puts the object in its team's index (KEYS[6]) and takes it out of the team's deleted
-- names (deleted_index()); deleting does the reverse. Creating and
-- configuring change no revision, but a move copying the team captures them ('config').
local op, kind = ARGV[5], ARGV[6]

local function settings()
  local fields = {}
  for i = 7, #ARGV, 2 do
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i + 1]
  end
  return fields
end

if op == 'type' then
  check_fence()
  return redis.call('HGET', CONFIG, 'type')
elseif op == 'settings' then
  check_fence()
  return redis.call('HGETALL', CONFIG)
end
local cfg = open(nil)
local current = cfg.type

if op == 'create' then
  if current and current ~= kind then fail('WRONGTYPE', current) end
  local created = redis.call('SADD', FEEDS, NAME)
  redis.call('SADD', INDEX, NAME)
  if not current then
    redis.call('HSET', CONFIG, 'type', kind)
    created = 1
  end
  local fields = settings()
  if #fields > 0 then redis.call('HSET', CONFIG, unpack(fields)) end
  if created == 1 then
    redis.call('PERSIST', HISTORY)
    redis.call('SREM', deleted_index(), NAME)
    redis.call('PUBLISH', 'newfeed', NAME .. '\0' .. INSTANCE)
  end
  if created == 1 or #fields > 0 then
    redis.call('PUBLISH', 'conffeed', NAME .. '\0' .. INSTANCE)
    capture('config', '')
  end
  return created
elseif op == 'configure' then
  if not current then fail('NOSUCHOBJECT') end
  local fields = settings()
  if #fields > 0 then redis.call('HSET', CONFIG, unpack(fields)) end
  redis.call('SADD', INDEX, NAME)
  redis.call('PUBLISH', 'conffeed', NAME .. '\0' .. INSTANCE)
  capture('config', '')
  return 1
elseif op == 'delete' then
  redis.call('SREM', FEEDS, NAME)
  if not current then
    redis.call('SREM', INDEX, NAME)
    return 0
  end
  redis.call('DEL', CONFIG)
  for i = 8, #KEYS do redis.call('DEL', KEYS[i]) end
  -- The revision counter outlives the object so revisions never repeat for a name; the history
  -- keeps the 'delete' event for late subscribers and then expires.
  local rev = record(cfg, 'delete', '', '', '', '0')
  redis.call('PEXPIRE', HISTORY, 86400000)
  -- after record(), which indexes the object it changes; the name's counter and history stay
  -- findable for a team move through the team's deleted names
  redis.call('SREM', INDEX, NAME)
  redis.call('SADD', deleted_index(), NAME)
  redis.call('PUBLISH', 'delfeed', NAME .. '\0' .. INSTANCE)
  return rev
end
fail('INVALID', 'unknown operation')
