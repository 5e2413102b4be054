-- ARGV: seat count, leg count, seat width (bytes per seat: 1, 2 or 4, `seatWidthOf` the leg count), closed
-- (1 when the event's sales are closed: the ledger's closure, or catalog says it was cancelled; else 0),
-- number of row-run values R, then R values as (first index, length) pairs, front row first, then the
-- ledger's sold quadruples (seat index, leg mask, order id, user id). The width is kept in `meta` for
-- every other script and reader.
-- Loading and marking the ledger's sales are one step, so no hold can slip in between on a seat the
-- ledger says is sold. Repeating a load with the same shape keeps every hold and sale and replaces only
-- the rows; a new shape (or a store that lost the event) starts from the ledger. Holds (from `expiries`)
-- and orders (from the ledger rows) have derived keys. `meta`'s `closed` is never cleared here: a closed
-- event (even one closed before it was ever loaded) stays closed, and closed = 1 closes it in the same
-- step as the load, so no hold slips in after a store that lost the event is loaded again.
local seat_count, legs, w = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local run_values = tonumber(ARGV[5])
if (w ~= 1 and w ~= 2 and w ~= 4) or legs < 1 or legs > 8 * w then
  error(legs .. ' legs do not fit seats of ' .. tostring(ARGV[3]) .. ' bytes')
end
if ARGV[4] == '1' then redis.call('HSETNX', K_META, 'closed', now_ms()) end
local old_seats, old_legs, old_w = event_shape()
local kept = old_seats == seat_count and old_legs == legs and old_w == w
if not kept then
  for _, id in ipairs(redis.call('ZRANGE', K_EXPIRIES, 0, -1)) do redis.call('DEL', hold_key(id)) end
  reset_state(seat_count, w)
  redis.call('HSET', K_META, 'seats', seat_count, 'legs', legs, 'width', w)
end
redis.call('DEL', K_ROWS)
for i = 6, 5 + run_values, 1000 do
  redis.call('RPUSH', K_ROWS, unpack(ARGV, i, math.min(i + 999, 5 + run_values)))
end
if kept then return { 'KEPT', 0 } end
local sold, bad = apply_sold(6 + run_values, seat_count, legs, w)
if not sold then return { 'BAD_SEAT', bad } end
-- Watchers drop what they knew: after a loss every live hold is gone, whatever the ledger holds.
changed('rebuilt', '', '', 0)
return { 'LOADED', sold }
