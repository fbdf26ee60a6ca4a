-- Shared prelude of every Thoonk object script (prepended to each when it is loaded).
--
-- KEYS[1] feeds                       SET of every object name (contract)
-- KEYS[2] feed.config:[f]             HASH of settings, field 'type' (contract)
-- KEYS[3] feed.revision:[f]           STRING revision counter (extension)
-- KEYS[4] feed.history:[f]            STREAM of past changes, see record() (extension)
-- KEYS[5] thoonk.team:[team]          HASH fence of the object's team: state, epoch, and 'capture' while a
--                                     move copies the team (extension)
-- KEYS[6] thoonk.team.objects:[team]  SET of the team's object names on this shard (extension)
-- KEYS[7] thoonk.request:[team]:[id]  STRING the reply of this call's request, see once() (extension);
--                                     '' for a call that is not to be remembered (reads)
-- once() also writes thoonk.team.requests:[team] (ZSET request id -> expiry ms), the team's index of
-- its request keys, named from KEYS[5] (the team is what follows 'thoonk.team:'); record() likewise
-- appends to thoonk.team.changes:[team] (STREAM), the team's change log, while the fence's 'capture'
-- field is set, and a created object leaves thoonk.team.deleted:[team] (SET, see deleted_index()).
-- ARGV[1] object name, ARGV[2] instance id, ARGV[3] expected team epoch ('' = any),
-- ARGV[4] default history length. Script-specific keys and arguments follow.
--
-- The script's own body follows this prelude wrapped in 'local function main() ... end' and is
-- run as 'return once(main)' (see Script.java).
local FEEDS, CONFIG, REVISION, HISTORY, FENCE, INDEX = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local REQUEST = KEYS[7]
local NAME, INSTANCE, EPOCH, DEFAULT_HISTORY = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

-- How long a request's reply is remembered, in ms: longer than any client keeps retrying a call.
local REQUEST_TTL_MS = '60000'
local REQUEST_TTL = 60000

-- Errors are 'CODE data...'; the client maps each code to an exception type.
local function fail(code, data)
  error({err = code .. ' ' .. (data or '')})
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A key of the object's team, named from FENCE ('thoonk.team:' .. team): the request index, the
-- change log and the index of deleted names are named this way, so callers pass none of them.
local function team_key(prefix)
  return prefix .. string.sub(FENCE, 13)
end

-- Set by check_fence(): a move is copying the team (the fence's 'capture' field), so record()
-- appends every change to the team's change log.
local CAPTURE = false

-- Refuses the operation when the team's fence says this route is stale: a team being moved
-- (frozen) or gone (moved), or a fence whose epoch is not the one the client routed with. No fence
-- at all means an unmanaged single Redis: allowed. Reads check it too, so a client with a stale
-- route never reads data the team's new shard has moved past. The same HMGET tells whether the
-- team's changes are being captured (no call of its own on the hot path).
local function check_fence()
  local fence = redis.call('HMGET', FENCE, 'state', 'epoch', 'capture')
  CAPTURE = fence[3]
  if fence[1] then
    if fence[1] ~= 'active' then
      fail('FENCED', fence[1] .. ' ' .. (fence[2] or '0'))
    end
    if EPOCH ~= '' and fence[2] ~= EPOCH then
      fail('FENCED', 'epoch ' .. (fence[2] or '0'))
    end
  end
end

-- Checks the team's fence and the object's type; for writes. 'kind' nil skips the type check (the
-- registry). Writes nothing: Redis does not roll a script back when it fails, so every check must
-- pass before the first write. An object that does not exist yet is created by record(), i.e. only
-- by a change that really happens (contract 'newfeed').
-- Returns the config as a table of the fields the scripts use. 'history' stays a string: it only
-- goes back to Redis (XADD MAXLEN), and number <-> text conversions are a large part of a
-- script's cost.
local function open(kind)
  check_fence()
  local c = redis.call('HMGET', CONFIG, 'type', 'history_length', 'max_length', 'timeout_ms',
                       'max_attempts', 'result_ttl_ms')
  if kind and c[1] and c[1] ~= kind then
    fail('WRONGTYPE', c[1])
  end
  -- XADD takes only a plain integer; anything else a peer may have written means the default.
  local history = c[2]
  if not history or (history ~= '0' and not string.find(history, '^[1-9]%d*$')) then
    history = DEFAULT_HISTORY
  end
  return {
    kind = kind,
    type = c[1],
    history = history,
    max_length = tonumber(c[3]) or 0,
    timeout_ms = tonumber(c[4]) or 0,
    max_attempts = tonumber(c[5]) or 0,
    result_ttl_ms = tonumber(c[6]) or 86400000,
  }
end

-- For reads (after check_fence()): the object's type must match if it exists; returns false when
-- it does not exist.
local function exists_as(kind)
  local t = redis.call('HGET', CONFIG, 'type')
  if not t then
    return false
  end
  if t ~= kind then
    fail('WRONGTYPE', t)
  end
  return true
end

-- While a move copies the team (CAPTURE): appends one entry to the team's change log
-- 'thoonk.team.changes:[team]' naming the object ('o'), the change's event type ('k') and item id
-- ('i'), so the copier copies that item again whatever the object's history keeps. NOMKSTREAM: the
-- copier creates the log (with a TTL); once it is gone (the move ended, or its copier died and the
-- log expired) a change appends nothing, so a left-over 'capture' field can never grow a key.
local function capture(kind, id)
  if CAPTURE then
    redis.call('XADD', team_key('thoonk.team.changes:'), 'NOMKSTREAM', '*', 'o', NAME, 'k', kind,
               'i', id)
  end
end

-- The team's index of deleted names that keep a revision counter (and, for a while, a history):
-- 'thoonk.team.deleted:[team]', named from FENCE like the request index. Registry's delete adds the
-- name, creating the object again (record(), Registry's create) removes it; a team move copies the
-- counters and histories it names, so revisions of a name never repeat on the team's new shard.
local function deleted_index()
  return team_key('thoonk.team.deleted:')
end

-- Creates the object if it does not exist yet, gives a change the object's next revision (or
-- 'rev', one the caller already took from feed.revision), and announces it on 'feed.event:[f]' as
-- 'revision \0 type \0 id \0 position \0 echoes \0 item', where echoes (a string) is how many
-- contract-channel messages for the same change follow it. The same message is the change's
-- history entry (field 'e', entry id '<revision>-0'). The history keeps at least history_length
-- entries: 'MAXLEN ~' drops only whole stream nodes, which costs far less than trimming to the
-- exact count on every change. Returns the revision, as a number and as text ('%d' formatting:
-- Lua's own number-to-text conversion is several times slower).
-- The first change of a script call also puts the object in its team's index: created objects
-- join it here, and objects a peer created (or that predate the index) join it the first time one
-- of our scripts changes them. Once per call, however many changes the call makes. Each change is
-- captured for a move copying the team (capture()).
local function record(cfg, kind, id, position, item, echoes, rev)
  if not cfg.type then
    cfg.type = cfg.kind
    redis.call('SADD', FEEDS, NAME)
    redis.call('HSET', CONFIG, 'type', cfg.kind)
    redis.call('PERSIST', HISTORY)
    redis.call('SREM', deleted_index(), NAME)
    redis.call('PUBLISH', 'newfeed', NAME .. '\0' .. INSTANCE)
    redis.call('PUBLISH', 'conffeed', NAME .. '\0' .. INSTANCE)
  end
  if not cfg.indexed then
    cfg.indexed = true
    redis.call('SADD', INDEX, NAME)
  end
  rev = rev or redis.call('INCR', REVISION)
  local text = string.format('%d', rev)
  local message = text .. '\0' .. kind .. '\0' .. id .. '\0' .. position .. '\0' .. echoes .. '\0' .. item
  if cfg.history ~= '0' then
    redis.call('XADD', HISTORY, 'MAXLEN', '~', cfg.history, text .. '-0', 'e', message)
  end
  redis.call('PUBLISH', 'feed.event:' .. NAME, message)
  capture(kind, id)
  return rev, text
end

-- The revision an item was last changed at must be the one the caller saw ('' = no check;
-- '0' = the item must not exist yet).
local function check_expected(itemrevs, id, expected)
  if expected ~= '' then
    local current = redis.call('HGET', itemrevs, id) or '0'
    if current ~= expected then
      fail('CONFLICT', current)
    end
  end
end


-- Runs the script's body once per request: a call that repeats a request id this shard has
-- answered within REQUEST_TTL_MS (a client retrying after a lost reply, a failover or a reconnect)
-- gets the remembered reply and changes nothing. The reply is remembered by the same atomic
-- script call that made the change, so a replica that has the change has the reply too. Replies
-- are stored as text: an integer as itself, anything else as JSON. A nil reply (a take from an
-- empty queue) changed nothing and is not remembered; nor is a refusal (an error), which wrote
-- nothing either.
local function once(body)
  if REQUEST == '' then
    return body()
  end
  local seen = redis.call('GET', REQUEST)
  if seen then
    return cjson.decode(seen)
  end
  local reply = body()
  if reply ~= nil and reply ~= false then
    local saved
    if type(reply) == 'number' then
      saved = string.format('%d', reply)
    else
      saved = cjson.encode(reply)
    end
    redis.call('SET', REQUEST, saved, 'PX', REQUEST_TTL_MS)
    -- The team's index of its live request keys (id -> expiry), so that a team move copies them
    -- without scanning the keyspace; expired entries are dropped here, and the index itself
    -- expires with its newest entry.
    local team = string.sub(FENCE, 13)
    local requests = 'thoonk.team.requests:' .. team
    local now = now_ms()
    redis.call('ZADD', requests, now + REQUEST_TTL, string.sub(REQUEST, 17 + #team))
    redis.call('ZREMRANGEBYSCORE', requests, '-inf', now)
    redis.call('PEXPIRE', requests, REQUEST_TTL_MS)
  end
  return reply
end
