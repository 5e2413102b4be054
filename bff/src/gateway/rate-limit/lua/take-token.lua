-- Takes one token from each of the buckets KEYS[1..n], all or none: a call passes only when every limit
-- that applies to it has a token, and a refused call takes nothing from any of them.
--
-- ARGV[2i-1], ARGV[2i]: bucket i's burst (its capacity, in tokens) and the milliseconds one token takes
-- to come back. A bucket is a hash {t = tokens left, at = when t was written, in ms}; a missing bucket is
-- full. Each write sets the key to expire when the bucket would be full again, so an idle bucket vanishes
-- at the moment deleting it changes nothing.
--
-- The clock is Redis's own (TIME), not the caller's: every BFF replica then refills a bucket by one clock,
-- so replicas whose clocks disagree by a few hundred milliseconds can neither earn a bucket extra tokens
-- nor stall its refill by writing an `at` in another's future. Since Redis 5 a script replicates its
-- effects, not itself, so reading TIME before writing is allowed (and Redis 7 knows no other way). A
-- failover to a replica whose clock is behind sees `at` in the future: elapsed time is clamped at zero.
--
-- Returns {1, tokens left in the emptiest bucket, 0, 0} when the call may pass, or {0, 0, milliseconds
-- until every bucket has a token again, index of the bucket that is slowest to refill} when it may not.
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local levels = {}
local waitMs = 0
local slowest = 0
for i = 1, #KEYS do
  local burst = tonumber(ARGV[2 * i - 1])
  local msPerToken = tonumber(ARGV[2 * i])
  local state = redis.call("HMGET", KEYS[i], "t", "at")
  local level = burst
  if state[1] then
    local elapsed = math.max(0, now - tonumber(state[2]))
    level = math.min(burst, tonumber(state[1]) + elapsed / msPerToken)
  end
  levels[i] = level
  if level < 1 then
    local wait = math.ceil((1 - level) * msPerToken)
    if wait > waitMs then
      waitMs = wait
      slowest = i
    end
  end
end
if waitMs > 0 then
  return { 0, 0, waitMs, slowest }
end

local remaining = -1
for i = 1, #KEYS do
  local burst = tonumber(ARGV[2 * i - 1])
  local msPerToken = tonumber(ARGV[2 * i])
  local level = levels[i] - 1
  -- %.17g keeps the fraction of a token exactly; Lua's own number-to-string conversion rounds to 14 digits.
  redis.call("HSET", KEYS[i], "t", string.format("%.17g", level), "at", now)
  redis.call("PEXPIRE", KEYS[i], math.max(1, math.ceil((burst - level) * msPerToken)))
  local whole = math.floor(level)
  if remaining < 0 or whole < remaining then
    remaining = whole
  end
end
return { 1, remaining, 0, 0 }
