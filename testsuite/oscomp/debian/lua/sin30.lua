-- sin30.lua: sin(30 degrees) is one half, and other identities.
local s = math.sin(math.rad(30))
assert(math.abs(s - 0.5) < 1e-12)
assert(math.abs(math.cos(0) - 1) < 1e-12)
assert(math.abs(math.sin(1.1) ^ 2 + math.cos(1.1) ^ 2 - 1) < 1e-12)
print(string.format("sin(30) = %.6f", s))
