-- ARGV: batch size. Expires up to that many lapsed holds. Each call is atomic, so sweepers racing in
-- several replicas take disjoint batches and a hold expires exactly once. The holds are found in
-- `expiries`, so their keys are derived, not declared (see common.lua).
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K_EXPIRIES, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
if #ids == 0 then return out end
local _, legs, w = loaded_shape()
for _, id in ipairs(ids) do
  local key = hold_key(id)
  local h = read_hold(key)
  if h and h.state == 'active' then
    free_hold(key, id, h.user, h.seats, h.mask, 'expired', legs, w)
    redis.call('PEXPIRE', key, RECORD_TTL_MS)
    out[#out + 1] = { id, h.user, h.seats, h.mask }
  else
    redis.call('ZREM', K_EXPIRIES, id)
  end
end
return out
