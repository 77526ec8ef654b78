-- strings.lua: the string library: find, gsub, format, patterns, bytes.
local s = "Hello, Kite kernel"
assert(s:upper() == "HELLO, KITE KERNEL" and s:len() == 18)
assert(s:find("Kite") == 8 and s:sub(8, 11) == "Kite")
assert(select(2, s:gsub("e", "E")) == 4)
assert(("%d-%s"):format(7, "x") == "7-x")
assert(s:match("(%a+), (%a+)") == "Hello")
assert(string.rep("ab", 3, "|") == "ab|ab|ab" and ("abc"):reverse() == "cba")
assert(string.char(75, 105) == "Ki" and ("K"):byte() == 75)
print("strings ok")
