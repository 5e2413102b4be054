-- KEYS[10]: the hold's key; KEYS[11]: the order's key. ARGV: hold id, order id. A live hold's seats
-- become sold for its legs. Committing again for the same order answers OK with the first result, so the
-- checkout saga may retry, even once sales are closed; any other commit of a closed event is CLOSED.
local id, order = ARGV[1], ARGV[2]
local key = declared(10, hold_key(id))
local okey = declared(11, order_key(order))
local h = read_hold(key)
if not h then return { 'NOT_FOUND' } end
if h.state == 'committed' then
  if h.order == order then return hold_reply('OK', id, h) end
  return hold_reply('OTHER_ORDER', id, h)
end
if sales_closed() then return hold_reply('CLOSED', id, h) end
if h.state ~= 'active' or h.expires <= now_ms() then return hold_reply('NOT_LIVE', id, h) end
local _, legs, w = loaded_shape()
local seats = split_ints(h.seats)
local keep = bit.bnot(h.mask)
for _, s in ipairs(seats) do
  set_mask(K_HELD, s, w, bit.band(mask_at(K_HELD, s, w), keep))
  set_mask(K_SOLD, s, w, bit.bor(mask_at(K_SOLD, s, w), h.mask))
  local prev = tonumber(redis.call('HGET', okey, s) or '0')
  redis.call('HSET', okey, s, u32(bit.bor(prev, h.mask)))
end
redis.call('HSET', okey, 'user', h.user)
redis.call('SADD', K_ORDERS, order)
redis.call('HSET', key, 'state', 'committed', 'orderId', order)
redis.call('PEXPIRE', key, RECORD_TTL_MS)
redis.call('ZREM', K_EXPIRIES, id)
-- The seats move from held to bought on each of the hold's legs: the user's count per leg is unchanged.
count_legs(K_USER_HELD, h.user, h.mask, legs, -#seats)
count_legs(K_USER_SOLD, h.user, h.mask, legs, #seats)
changed('sold', id, h.seats, h.mask)
h.state, h.order = 'committed', order
return hold_reply('OK', id, h)
