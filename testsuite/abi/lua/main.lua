-- main.lua — lua 5.4 (Debian's lua5.4, built with musl) as a real program
-- on the ABI under test (testsuite/abi): os.time/os.date/os.clock,
-- os.tmpname and io, os.getenv, os.execute and io.popen, the string, math,
-- table and utf8 libraries, coroutines, errors, and a little memory churn.
-- Prints PASS:/FAIL: lines; exits 1 if a check failed.

local fails = 0
local function check(name, ok, detail)
  if ok then
    print("PASS: lua/" .. name)
  else
    fails = fails + 1
    print("FAIL: lua/" .. name .. " (" .. tostring(detail or "false") .. ")")
  end
end

-- ---- os ----
local now = os.time()
check("os-time-is-now", now > 1600000000, now)
check("os-time-from-table", os.time({year = 2000, month = 1, day = 1, hour = 12}) > 946000000)
check("os-date-utc-epoch", os.date("!%Y-%m-%d %H:%M:%S", 0) == "1970-01-01 00:00:00", os.date("!%c", 0))
local t = os.date("*t", now)
check("os-date-table", t.year >= 2020 and t.month >= 1 and t.month <= 12)
local c0 = os.clock()
local x = 0
for i = 1, 2000000 do x = x + i end
check("os-clock-advances", os.clock() > c0, os.clock() - c0)
check("os-getenv", os.getenv("ABI_DIR") ~= nil and os.getenv("NO_SUCH_VARIABLE_ABI") == nil)
check("os-difftime", os.difftime(now + 5, now) == 5)

-- ---- files ----
local name = os.tmpname()
check("os-tmpname", type(name) == "string" and #name > 0, name)
local f, err = io.open(name, "w")
check("io-open-write", f ~= nil, err)
if f then
  for i = 1, 100 do f:write("line ", i, "\n") end
  f:close()
  local n = 0
  for l in io.lines(name) do n = n + 1 end
  check("io-lines", n == 100, n)
  local r = io.open(name, "r")
  local size = r:seek("end")
  r:seek("set", 5)
  check("io-seek-and-read", size == 792 and r:read("n") == 1, size)
  r:close()
  local a = io.open(name, "a")
  a:write("tail\n")
  a:close()
  local all = io.open(name):read("a")
  check("io-append", all:sub(-5) == "tail\n")
  local moved = name .. ".moved"
  check("os-rename", os.rename(name, moved) == true)
  check("os-remove", os.remove(moved) == true and io.open(moved) == nil)
end
check("io-open-missing-fails", io.open("/nonexistent/abi/file") == nil)
local ok, how, code = os.execute("exit 3")
check("os-execute-status", ok == nil and how == "exit" and code == 3, tostring(how) .. " " .. tostring(code))
local p = io.popen("echo from-a-pipe")
local got = p and p:read("l")
if p then p:close() end
check("io-popen", got == "from-a-pipe", got)

-- ---- strings ----
check("string-format", string.format("%5.2f|%d|%s|%x", math.pi, 42, "s", 255) == " 3.14|42|s|ff")
local s, n = string.gsub("hello world", "o", "0")
check("string-gsub", s == "hell0 w0rld" and n == 2)
check("string-find-pattern", select(1, string.find("key = value", "(%w+)%s*=%s*(%w+)")) == 1)
check("string-match-captures", table.concat({string.match("2024-05-17", "(%d+)-(%d+)-(%d+)")}, "/") == "2024/05/17")
local words = {}
for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
check("string-gmatch", #words == 3 and words[3] == "three")
check("string-pack-unpack", string.unpack("<i4", string.pack("<i4", 258)) == 258 and #string.pack(">I2", 1) == 2)
check("string-rep-byte-char", #string.rep("ab", 1000) == 2000 and string.char(string.byte("A") + 1) == "B")
check("string-upper-reverse", ("abc"):upper():reverse() == "CBA")
check("utf8", utf8.char(72, 228, 8364) == "H\u{e4}\u{20ac}" and utf8.len("H\u{e4}\u{20ac}") == 3)

-- ---- math ----
check("math-integers", math.type(1) == "integer" and math.type(1.0) == "float" and 7 // 2 == 3 and 7 % -3 == -2)
check("math-wraparound", math.maxinteger + 1 == math.mininteger)
check("math-float", math.floor(-3.5) == -4 and math.ceil(3.2) == 4 and math.sqrt(16) == 4.0 and math.abs(-2) == 2)
check("math-huge-nan", math.huge > 1e308 and (0 / 0) ~= (0 / 0))
math.randomseed(42)
local r1 = math.random(1, 6)
math.randomseed(42)
check("math-random-seeded", r1 >= 1 and r1 <= 6 and math.random(1, 6) == r1)
check("math-tointeger-fmod", math.tointeger(3.0) == 3 and math.fmod(7, 3) == 1)
check("string-number-coercion", "10" + 5 == 15 and 10 .. "" == "10")

-- ---- coroutines ----
local gen = coroutine.wrap(function()
  for i = 1, 5 do coroutine.yield(i) end
end)
local sum = 0
for _ = 1, 5 do sum = sum + gen() end
check("coroutine-generator", sum == 15)
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  return c * 2
end)
local _, first = coroutine.resume(co, 1, 2)
local _, second = coroutine.resume(co, 10)
check("coroutine-pass-values", first == 3 and second == 20 and coroutine.status(co) == "dead")
local bad = coroutine.create(function() error("inside") end)
local okc, msg = coroutine.resume(bad)
check("coroutine-error", okc == false and msg:find("inside") ~= nil)
check("coroutine-isyieldable", coroutine.isyieldable() == false)
-- many coroutines alive at once
local cos = {}
for i = 1, 500 do
  cos[i] = coroutine.create(function() coroutine.yield(i) return i end)
  coroutine.resume(cos[i])
end
local done = 0
for i = 1, 500 do
  local _, v = coroutine.resume(cos[i])
  if v == i then done = done + 1 end
end
check("coroutine-500-alive", done == 500, done)

-- ---- tables, errors, closures, metatables, load ----
local tt = {5, 3, 9, 1}
table.sort(tt, function(a, b) return a > b end)
check("table-sort", table.concat(tt, ",") == "9,5,3,1")
table.insert(tt, 1, 0)
check("table-insert-remove", table.remove(tt) == 1 and tt[1] == 0 and #tt == 4)
check("table-unpack", select("#", table.unpack({1, 2, 3})) == 3)
local okp, e = pcall(error, {code = 7})
check("pcall-error-object", okp == false and e.code == 7)
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local cnt = counter()
cnt()
check("closures", cnt() == 2)
local V = setmetatable({}, {__add = function(a, b) return "added" end, __index = function() return "dflt" end})
check("metatables", V + V == "added" and V.anything == "dflt")
check("load-chunk", load("return 6 * 7")() == 42)
do
  local i = 0
  ::again::
  i = i + 1
  if i < 3 then goto again end
  check("goto", i == 3)
end

-- ---- memory ----
local parts = {}
for i = 1, 20000 do parts[i] = string.rep("x", 50) .. i end
local big = table.concat(parts)
parts = nil
collectgarbage()
check("memory-churn", #big > 1000000 and collectgarbage("count") > 0)

os.exit(fails == 0 and 0 or 1)
