-- KEYS[10]: the new hold's key. ARGV: hold id, user id, seat indexes (csv), leg mask, per-user cap
-- (0 = none), ttl ms, extensions, general-admission places as csv triples (first slot, slots, quantity).
-- Places are chosen here, free on every leg of the ride, and held with the named seats all or nothing.
local mask = tonumber(ARGV[4])
local seats = split_ints(ARGV[3])
local places = split_ints(ARGV[8])
local w = 1
if #places > 0 then
  local seat_count, _, width, closed = event_shape()
  if closed then return { 'CLOSED' } end
  if not seat_count then return { 'NOT_LOADED' } end
  w = width
end
for i = 1, #places, 3 do
  local picked = free_slots(places[i], places[i + 1], places[i + 2], mask, w)
  if not picked then return { 'NO_PLACES', (i - 1) / 3 } end
  for _, s in ipairs(picked) do seats[#seats + 1] = s end
end
return try_hold(declared(10, hold_key(ARGV[1])), ARGV[1], ARGV[2], seats, mask,
  tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
