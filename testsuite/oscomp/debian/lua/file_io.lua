-- file_io.lua: write a file, read it back by lines and whole, append, seek.
local name = "lua-file-io.txt"
local f = assert(io.open(name, "w"))
for i = 1, 100 do f:write("line ", i, "\n") end
f:close()
local n = 0
for l in io.lines(name) do n = n + 1; assert(l == "line " .. n) end
assert(n == 100)
f = assert(io.open(name, "a")); f:write("tail\n"); f:close()
f = assert(io.open(name, "r"))
local all = f:read("a")
assert(all:sub(-5) == "tail\n")
assert(f:seek("set", 5) == 5 and f:read("l") == "1")
f:close()
os.remove(name)
print("file_io ok")
