-- KEYS[10]: the hold's key. ARGV: hold id, user id, ttl ms. Adds one hold duration to a live hold of
-- that user, unless the event's sales are closed.
local id = ARGV[1]
local key = declared(10, hold_key(id))
local h = read_hold(key)
if not h or h.user ~= ARGV[2] then return { 'NOT_FOUND' } end
if sales_closed() then return hold_reply('CLOSED', id, h) end
if h.state ~= 'active' or h.expires <= now_ms() then return hold_reply('NOT_LIVE', id, h) end
if h.extensions <= 0 then return hold_reply('NO_EXTENSIONS', id, h) end
h.expires = h.expires + tonumber(ARGV[3])
h.extensions = h.extensions - 1
redis.call('HSET', key, 'expiresAtMs', h.expires, 'extensionsLeft', h.extensions)
redis.call('ZADD', K_EXPIRIES, h.expires, id)
return hold_reply('OK', id, h)
