-- ARGV: batch size. Expires up to that many lapsed holds. Each call is atomic, so sweepers racing in
-- several replicas take disjoint batches and a hold expires exactly once.
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K_EXPIRIES, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  local h = read_hold(id)
  if h and h.state == 'active' then
    free_hold(id, h.user, h.seats, h.mask, 'expired')
    redis.call('PEXPIRE', hold_key(id), RECORD_TTL_MS)
    out[#out + 1] = { id, h.user, h.seats, h.mask }
  else
    redis.call('ZREM', K_EXPIRIES, id)
  end
end
return out
