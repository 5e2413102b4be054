-- ARGV: hold id, user id, seat indexes (csv), leg mask, per-user cap (0 = none), ttl ms, extensions.
return try_hold(ARGV[1], ARGV[2], split_ints(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]), tonumber(ARGV[7]))
