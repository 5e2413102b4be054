-- ARGV: batch size. Closes the event's sales for good (CloseSales): sets `closed` in `meta` (the server
-- time of the first close; a repeat keeps it), which every hold, best-available, extend and commit checks
-- in its own atomic step, then releases up to a batch of live holds, their seats free again. Returns
-- { 'OK', holds released, live holds left }: the caller repeats until none are left; no hold can start
-- in between, since the flag is set by the first call. Works on an event not loaded (nothing to release):
-- the flag alone is written, and a later load keeps it. Holds are found in `expiries`, so their keys are
-- derived (see common.lua).
redis.call('HSETNX', K_META, 'closed', now_ms())
local seat_count, legs, w = event_shape()
if not seat_count then return { 'OK', 0, 0 } end
local limit = tonumber(ARGV[1])
local ids = redis.call('ZRANGE', K_EXPIRIES, 0, limit - 1)
local released = 0
for _, id in ipairs(ids) do
  local key = hold_key(id)
  local h = read_hold(key)
  if h and h.state == 'active' then
    free_hold(key, id, h.user, h.seats, h.mask, 'released', legs, w)
    redis.call('PEXPIRE', key, RECORD_TTL_MS)
    released = released + 1
  else
    redis.call('ZREM', K_EXPIRIES, id)
  end
end
return { 'OK', released, redis.call('ZCARD', K_EXPIRIES) }
