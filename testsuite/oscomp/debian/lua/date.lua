-- date.lua: the clock and date formatting agree with each other.
local t = os.time()
local d = os.date("*t", t)
assert(d.year >= 2020 and d.month >= 1 and d.month <= 12)
assert(os.time(d) == t)
print(os.date("%Y-%m-%d %H:%M:%S", t))
assert(os.clock() >= 0)
