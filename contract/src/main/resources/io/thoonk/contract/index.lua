-- Per-team object index maintenance for data that predates the index (ObjectIndexer). Not an
-- object script: no prelude. An object exists on the shard when its name is in 'feeds' or it has
-- a 'feed.config:[f]' hash; the index of a team ('thoonk.team.objects:[team]', a SET) holds the
-- names of the team's objects. The object scripts keep it up to date as they create, change and
-- delete objects; this script only fills in what they never touched, and drops what peers deleted.
--
-- ARGV[1] 'add':   KEYS[1] feeds; for the n-th name (ARGV[1 + n]) KEYS[2n] its team's index and
--                  KEYS[2n + 1] its feed.config. Adds each name that is still an object to its
--                  index. Returns how many were not in it yet.
-- ARGV[1] 'prune': KEYS[1] feeds, KEYS[2] one team's index; for the n-th name (ARGV[1 + n])
--                  KEYS[2 + n] its feed.config. Removes the names that are no longer objects.
--                  Returns how many were removed.
-- Checking each name here, atomically, is what keeps a concurrent create or delete by a script
-- from being undone by a stale scan result.
local FEEDS, op = KEYS[1], ARGV[1]

local function exists(name, config)
  return redis.call('SISMEMBER', FEEDS, name) == 1 or redis.call('EXISTS', config) == 1
end

local changed = 0
if op == 'add' then
  for i = 2, #ARGV do
    local index, config = KEYS[2 * i - 2], KEYS[2 * i - 1]
    if exists(ARGV[i], config) then
      changed = changed + redis.call('SADD', index, ARGV[i])
    end
  end
  return changed
elseif op == 'prune' then
  local index = KEYS[2]
  for i = 2, #ARGV do
    if not exists(ARGV[i], KEYS[i + 1]) then
      changed = changed + redis.call('SREM', index, ARGV[i])
    end
  end
  return changed
end
return redis.error_reply('INVALID unknown operation')
