-- table-heavy: sieve, hash inserts and lookups, field access
local n = 200000
local sieve = {}
for i = 2, n do sieve[i] = true end
for i = 2, math.floor(math.sqrt(n)) do
  if sieve[i] then for j = i * i, n, i do sieve[j] = false end end
end
local primes = 0
for i = 2, n do if sieve[i] then primes = primes + 1 end end
local map = {}
for i = 1, 100000 do map["k" .. (i % 5000)] = (map["k" .. (i % 5000)] or 0) + i end
local points, sum = {}, 0
for i = 1, 50000 do points[i] = {x = i, y = i * 2} end
for i = 1, #points do local p = points[i] sum = sum + p.x + p.y end
return primes + map.k1 + sum
