-- hello.lua: the smallest useful script. Run it from the shell with: script:run hello
local who = ... or "world"
print("hello, " .. who)
return "hello, " .. who
