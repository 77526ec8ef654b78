-- round_num.lua: floor, ceil, rounding half away from zero, integer division.
local function round(x) return x >= 0 and math.floor(x + 0.5) or math.ceil(x - 0.5) end
assert(round(2.5) == 3 and round(-2.5) == -3 and round(2.4) == 2)
assert(math.floor(-3.5) == -4 and math.ceil(-3.5) == -3)
assert(7 // 2 == 3 and -7 // 2 == -4 and 7 % -3 == -2)
assert(string.format("%.2f", 3.14159) == "3.14")
print("round ok")
