-- ARGV: quadruples of (seat index, leg mask, order id, user id) from the sold-seat ledger.
-- Sold state is rebuilt from them; every live hold is dropped (released), since the ledger knows none.
-- The holds are found in `expiries` and the orders in the ledger rows, so their keys are derived.
-- `meta` is kept, and with it `closed`: a closed event stays closed through a rebuild.
local seat_count, legs, w = event_shape()
if not seat_count then return { 'NOT_LOADED' } end
for _, id in ipairs(redis.call('ZRANGE', K_EXPIRIES, 0, -1)) do
  if redis.call('HGET', hold_key(id), 'state') == 'active' then
    redis.call('HSET', hold_key(id), 'state', 'released')
    redis.call('PEXPIRE', hold_key(id), RECORD_TTL_MS)
  end
end
reset_state(seat_count, w)
local sold, bad = apply_sold(1, seat_count, legs, w)
if not sold then return { 'BAD_SEAT', bad } end
changed('rebuilt', '', '', 0)
return { 'OK', sold }
