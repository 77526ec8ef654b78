-- random.lua: seeded sequences repeat; values stay in range.
math.randomseed(42)
local a = {}
for i = 1, 100 do a[i] = math.random(1, 6); assert(a[i] >= 1 and a[i] <= 6) end
math.randomseed(42)
for i = 1, 100 do assert(math.random(1, 6) == a[i]) end
local x = math.random()
assert(x >= 0 and x < 1)
print("random ok")
