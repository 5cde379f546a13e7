local progs = {
 "x = ", "x = = 1", "local 1 = 2", "if x then", "if x then else", "for i = 1 do end", "for i do end", "for 1 = 1, 2 do end",
 "function f( end", "function (a) end", "local function end", "return return", "x = 1 1", "x = {1, 2", "x = (1", "x = f(1",
 "goto", "goto 1", "::a:: ::a::", "goto nowhere", "do goto l end ::l2::", "break", 
  "x = 'abc", "x = [[abc", "x = 0x", "x = 1e", "x = 3..4", "x = '\\q'", "x = '\\300'", "x = '\\xg0'",
 "x = '\\u{110000000}'", "--[[ abc", "x = ~= 1", "a.b:c = 1", "a:b = 1", "f() = 1", "local a, = 1", "x = function() end end",
 "while true do", "repeat x = 1", "x = a[1", "x = {a = }", "x = #", "x = 1 + + 2", "local t = {} t.1 = 2", "elseif", "end", "until x",
 "x = 'a\nb'", "return 1,", "local function f() return 1 x = 2 end", "for a, b in do end", "x = ...", "function f() x = ... end",
  "x = 1 // 0 +", "::1::", "@", "x = $", "x = a..", "f{", "f'", "local x = {[1] 2}",
}
local out = {}
for _, p in ipairs(progs) do
  local f, e = load(p, "=t")
  out[#out + 1] = e or "OK"
end
return table.concat(out, "\n")
