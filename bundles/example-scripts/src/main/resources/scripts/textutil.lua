-- textutil.lua: a module other scripts load with require("textutil").
-- What the chunk returns is what require returns.
local M = {}

function M.shout(text)
  return string.upper(text) .. "!"
end

function M.repeat_word(word, n)
  local parts = {}
  for i = 1, n do
    parts[i] = word
  end
  return table.concat(parts, " ")
end

return M
