-- max_min.lua: math.max/min over a table agree with a hand-written scan.
local t = {}
for i = 1, 1000 do t[i] = (i * 7919) % 1009 - 500 end
local lo, hi = math.huge, -math.huge
for _, v in ipairs(t) do
  if v < lo then lo = v end
  if v > hi then hi = v end
end
assert(lo == math.min(table.unpack(t)) and hi == math.max(table.unpack(t)))
assert(math.max(3, 9, -1) == 9 and math.min(3, 9, -1) == -1)
print("max", hi, "min", lo)
