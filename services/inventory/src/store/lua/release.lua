-- ARGV: hold id, user id (empty for an internal caller). Idempotent: a released or expired hold
-- answers OK unchanged; a committed hold cannot be released.
local id = ARGV[1]
local h = read_hold(id)
if not h or (ARGV[2] ~= '' and h.user ~= ARGV[2]) then return { 'NOT_FOUND' } end
if h.state == 'committed' then return hold_reply('COMMITTED', id, h) end
if h.state == 'active' then
  free_hold(id, h.user, h.seats, h.mask, 'released')
  redis.call('PEXPIRE', hold_key(id), RECORD_TTL_MS)
  h.state = 'released'
end
return hold_reply('OK', id, h)
