-- greet.lua: uses the textutil script through require. Run it with: script:run greet Ada
local text = require("textutil")
local who = ... or "world"
local line = text.shout("hello, " .. who)
print(line)
return line
