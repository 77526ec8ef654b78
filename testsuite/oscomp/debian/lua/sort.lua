-- sort.lua: table.sort with the default and a custom order.
local t = {}
for i = 1, 500 do t[i] = (i * 104729) % 997 end
table.sort(t)
for i = 2, #t do assert(t[i - 1] <= t[i]) end
table.sort(t, function(a, b) return a > b end)
for i = 2, #t do assert(t[i - 1] >= t[i]) end
local w = {"pear", "apple", "fig"}
table.sort(w)
assert(table.concat(w, ",") == "apple,fig,pear")
print("sort ok")
