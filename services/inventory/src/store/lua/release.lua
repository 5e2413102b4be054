-- KEYS[10]: the hold's key. ARGV: hold id, user id (empty for an internal caller). Idempotent: a
-- released or expired hold answers OK unchanged; a committed hold cannot be released. A hold past its
-- expiry that the sweeper has not reached yet ends EXPIRED, as it would have a moment later.
local id = ARGV[1]
local key = declared(10, hold_key(id))
local h = read_hold(key)
if not h or (ARGV[2] ~= '' and h.user ~= ARGV[2]) then return { 'NOT_FOUND' } end
if h.state == 'committed' then return hold_reply('COMMITTED', id, h) end
if h.state == 'active' then
  local ending = 'released'
  if h.expires <= now_ms() then ending = 'expired' end
  local _, legs, w = loaded_shape()
  free_hold(key, id, h.user, h.seats, h.mask, ending, legs, w)
  redis.call('PEXPIRE', key, RECORD_TTL_MS)
  h.state = ending
end
return hold_reply('OK', id, h)
