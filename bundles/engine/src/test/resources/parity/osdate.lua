-- E27: os.date, os.time, os.difftime and os.clock against lua5.4 (OsDateParityTest); one case per line
do local ok, v = pcall(function() return os.date("!%Y-%m-%d %H:%M:%S", 0) end) print(1, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%c", 0) end) print(2, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%x %X", 86400*365) end) print(3, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %A %b %B %d %e %j %p %y %Z", 1e9) end) print(4, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%U %W %w %u %V %G %g", 1e9) end) print(5, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%D %F %R %T %r %h %n %t %%", 1e9) end) print(6, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%C %I %l %k %s", 1e9) end) print(7, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%E", 0) end) print(8, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Ez", 0) end) print(9, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Q", 0) end) print(10, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%", 0) end) print(11, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%5d", 0) end) print(12, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Ec", 0) end) print(13, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Oy", 0) end) print(14, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!*t", 1e9).year end) print(15, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!*t", 1e9).yday end) print(16, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!*t", 1e9).isdst end) print(17, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!*t", 1e9).wday end) print(18, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", -1) end) print(19, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", -62135596800) end) print(20, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 253402300799) end) print(21, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 2^53) end) print(22, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 1e100) end) print(23, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 0/0) end) print(24, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", "10") end) print(25, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", "x") end) print(26, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", {}) end) print(27, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date(1) end) print(28, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date({}) end) print(29, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y\0%m", 0) end) print(30, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("") end) print(31, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!") end) print(32, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return type(os.date()) end) print(33, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=1, day=1, hour=0}) end) print(34, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=13, day=1, hour=0}) end) print(35, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=1, day=0, hour=0}) end) print(36, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=1, day=1, hour=-1}) end) print(37, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=1, day=1, hour=12, min=61, sec=-5}) end) print(38, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=1}) end) print(39, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, day=1}) end) print(40, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({month=1, day=1}) end) print(41, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year="2000", month="1", day="1"}) end) print(42, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year="x", month=1, day=1}) end) print(43, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2^40, month=1, day=1}) end) print(44, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=-2^40, month=1, day=1}) end) print(45, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=2000, month=2^40, day=1}) end) print(46, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time(1) end) print(47, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time("x") end) print(48, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return math.abs(os.time(nil) - os.time()) <= 1 end) print(49, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.difftime(10, 5) end) print(50, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.difftime(10) end) print(51, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.difftime("10", 5) end) print(52, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.difftime() end) print(53, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y-%m-%d", os.time({year=1969, month=12, day=31, hour=12})) end) print(54, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=1900, month=1, day=1, hour=0}) end) print(55, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=1, month=1, day=1, hour=0}) end) print(56, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time({year=0, month=1, day=1, hour=0}) end) print(57, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("*t", os.time({year=2024, month=2, day=30})).day end) print(58, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("*t", os.time({year=2024, month=2, day=30})).month end) print(59, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time() % 1 end) print(60, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return type(os.clock()) end) print(61, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 2^62) end) print(62, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", -2^62) end) print(63, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y", 2^55) end) print(64, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y %C %y %G %g", -62167219200) end) print(65, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y %C %y", -62167219200 - 86400*366*5) end) print(66, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y-%m-%d %H:%M:%S %j %U %W %V %G", -1) end) print(67, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y-%m-%d %U %W %V %G %u %w", 1104537600) end) print(68, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%c|%x|%X|%r|%p|%I", 12*3600) end) print(69, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%I %p", 0) end) print(70, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Z %z", 0) end) print(71, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!*t", -1).year end) print(72, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return string.format("%.0f", os.time{year=2^31,month=1,day=1}) end) print(73, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return string.format("%.0f", os.time{year=2^31-1900,month=1,day=1}) end) print(74, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return string.format("%.0f", os.time{year=2^31-1900-1,month=12,day=31,hour=23}) end) print(75, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return string.format("%.0f", os.time{year=-2^31+1900,month=1,day=1}) end) print(76, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=2^31-1,day=1} end) print(77, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=1,day=2^31-1} end) print(78, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=1,day=1, sec=2^31} end) print(79, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%H", 1, 2) end) print(80, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date(nil, 0) end) print(81, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=1,day=1,hour="x"} end) print(82, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=1,day=1,hour=true} end) print(83, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year=2000,month=1,day=1,hour="12"} end) print(84, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time{year="1e10",month=1,day=1} end) print(85, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.time(setmetatable({}, {__index = function(t, k) if k ~= "isdst" then return 3 end end})) end) print(86, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%Y-%m-%d %H:%M:%S", os.time{year=2024,month=3,day=31,hour=2,min=30}) end) print(87, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=1999,month=1,day=1,hour=12}) end) print(88, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=1999,month=1,day=4,hour=12}) end) print(89, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=1999,month=12,day=29,hour=12}) end) print(90, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=1999,month=12,day=31,hour=12}) end) print(91, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2000,month=1,day=1,hour=12}) end) print(92, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2000,month=1,day=4,hour=12}) end) print(93, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2000,month=12,day=29,hour=12}) end) print(94, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2000,month=12,day=31,hour=12}) end) print(95, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2004,month=1,day=1,hour=12}) end) print(96, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2004,month=1,day=4,hour=12}) end) print(97, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2004,month=12,day=29,hour=12}) end) print(98, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2004,month=12,day=31,hour=12}) end) print(99, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2008,month=1,day=1,hour=12}) end) print(100, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2008,month=1,day=4,hour=12}) end) print(101, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2008,month=12,day=29,hour=12}) end) print(102, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2008,month=12,day=31,hour=12}) end) print(103, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2010,month=1,day=1,hour=12}) end) print(104, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2010,month=1,day=4,hour=12}) end) print(105, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2010,month=12,day=29,hour=12}) end) print(106, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2010,month=12,day=31,hour=12}) end) print(107, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2020,month=1,day=1,hour=12}) end) print(108, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2020,month=1,day=4,hour=12}) end) print(109, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2020,month=12,day=29,hour=12}) end) print(110, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2020,month=12,day=31,hour=12}) end) print(111, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2021,month=1,day=1,hour=12}) end) print(112, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2021,month=1,day=4,hour=12}) end) print(113, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2021,month=12,day=29,hour=12}) end) print(114, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2021,month=12,day=31,hour=12}) end) print(115, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2026,month=1,day=1,hour=12}) end) print(116, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2026,month=1,day=4,hour=12}) end) print(117, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2026,month=12,day=29,hour=12}) end) print(118, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("!%a %j %U %W %V %G %g %u %w", os.time{year=2026,month=12,day=31,hour=12}) end) print(119, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("%Y", 2^63 - 1024) end) print(120, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("%Y", -2^63) end) print(121, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("%c", 2^61) end) print(122, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("*t", 2^55).year end) print(123, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return os.date("%c", 2^55 + 0.5) end) print(124, ok and tostring(v) or "error: "..tostring(v)) end
do local ok, v = pcall(function() return #os.date(('%c'):rep(300)) end) print(125, ok and tostring(v) or "error: "..tostring(v)) end
