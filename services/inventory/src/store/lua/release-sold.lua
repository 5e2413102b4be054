-- KEYS[10]: the order's key. ARGV: order id, seat indexes (csv; empty = all of the order's). Returns
-- the seats to sale for a refund. Seats released already are skipped, so a retry changes nothing.
local order = ARGV[1]
local okey = declared(10, order_key(order))
local user = redis.call('HGET', okey, 'user')
if not user then return { 'NOT_FOUND' } end
local wanted = split_ints(ARGV[2])
if #wanted == 0 then
  for _, f in ipairs(redis.call('HKEYS', okey)) do
    if f ~= 'user' and f ~= 'released' then wanted[#wanted + 1] = tonumber(f) end
  end
  table.sort(wanted)
else
  for _, s in ipairs(wanted) do
    if not redis.call('HGET', okey, s) then return { 'NOT_IN_ORDER', s } end
  end
end
local _, legs, w = loaded_shape()
local out = { 'OK' }
local count = 0
-- Seats given back per leg, in leg order, for the user's per-leg counts.
local per_leg = {}
for _, s in ipairs(wanted) do
  local m = tonumber(redis.call('HGET', okey, s))
  if m > 0 then
    set_mask(K_SOLD, s, w, bit.band(mask_at(K_SOLD, s, w), bit.bnot(m)))
    redis.call('HSET', okey, s, 0)
    out[#out + 1] = s
    out[#out + 1] = m
    count = count + 1
    for _, leg in ipairs(legs_of(m)) do per_leg[leg + 1] = (per_leg[leg + 1] or 0) + 1 end
  end
end
if count > 0 then
  for leg = 0, legs - 1 do
    local n = per_leg[leg + 1]
    if n then count_legs(K_USER_SOLD, user, u32(bit.lshift(1, leg)), legs, -n) end
  end
  local seats = {}
  for i = 2, #out, 2 do seats[#seats + 1] = out[i] end
  changed('unsold', order, table.concat(seats, ','), 0)
end
return out
