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
local out = { 'OK' }
local count = 0
for _, s in ipairs(wanted) do
  local m = tonumber(redis.call('HGET', okey, s))
  if m > 0 then
    set_byte(K_SOLD, s, bit.band(byte_at(K_SOLD, s), bit.bnot(m)))
    redis.call('HSET', okey, s, 0)
    out[#out + 1] = s
    out[#out + 1] = m
    count = count + 1
  end
end
if count > 0 then
  if redis.call('HINCRBY', K_USER_SOLD, user, -count) <= 0 then redis.call('HDEL', K_USER_SOLD, user) end
  local seats = {}
  for i = 2, #out, 2 do seats[#seats + 1] = out[i] end
  changed('unsold', order, table.concat(seats, ','), 0)
end
return out
