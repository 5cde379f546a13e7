-- Found by DifferentialFuzzTest (seed 20262191), reduced by deleting lines while the mismatch held.
-- Interpreted: completes with no values. Compiled (plain Luaj 3.0.1's LuaJC too): "attempt to perform
-- arithmetic __add on function and number" at the while line: the loop counter w6, captured by the
-- closure, holds a function when the loop increments it.
local acc, F, T = {}, {}, {1, 2, 3}
do
  do
    local co4 = coroutine.wrap(function(a5)
    end)
    local w6 = 0
    while w6 < 1 do w6 = w6 + 1
      F[1] = function(p7, ...)
        local v15 = ((#tostring(i13) + math.floor(w6 / 3)) * 2 - math.floor(6 / 4))
      end
    end
  end
end
