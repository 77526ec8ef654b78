-- remove.lua: os.remove deletes a file, and fails for one that is gone.
local name = "lua-remove.txt"
local f = assert(io.open(name, "w")); f:write("x"); f:close()
assert(os.remove(name))
assert(io.open(name, "r") == nil)
local ok, err = os.remove(name)
assert(ok == nil and err)
print("remove ok")
