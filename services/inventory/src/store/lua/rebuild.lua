-- ARGV: quadruples of (seat index, leg mask, order id, user id) from the sold-seat ledger.
-- Sold state is rebuilt from them; every live hold is dropped (released), since the ledger knows none.
local seat_count = event_shape()
if not seat_count then return { 'NOT_LOADED' } end
for _, id in ipairs(redis.call('ZRANGE', K_EXPIRIES, 0, -1)) do
  if redis.call('HGET', hold_key(id), 'state') == 'active' then
    redis.call('HSET', hold_key(id), 'state', 'released')
    redis.call('PEXPIRE', hold_key(id), RECORD_TTL_MS)
  end
end
for _, o in ipairs(redis.call('SMEMBERS', P .. ':orders')) do redis.call('DEL', order_key(o)) end
redis.call('DEL', K_HELD, K_SOLD, K_EXPIRIES, K_USER_HELD, K_USER_SOLD, P .. ':orders')
redis.call('SETRANGE', K_HELD, seat_count - 1, '\0')
redis.call('SETRANGE', K_SOLD, seat_count - 1, '\0')
local legs = 0
for i = 1, #ARGV, 4 do
  local s, m, order, user = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  if s < 0 or s >= seat_count then return { 'BAD_SEAT', s } end
  set_byte(K_SOLD, s, bit.bor(byte_at(K_SOLD, s), m))
  local okey = order_key(order)
  if not redis.call('HGET', okey, s) then redis.call('HINCRBY', K_USER_SOLD, user, 1) end
  redis.call('HSET', okey, s, bit.bor(tonumber(redis.call('HGET', okey, s) or '0'), m), 'user', user)
  redis.call('SADD', P .. ':orders', order)
  legs = legs + 1
end
changed('rebuilt', '', '', 0)
return { 'OK', legs }
