#!/bin/sh
# tree.sh DIR — the storage test's name-space workout (testsuite/tests/
# storage.sh): under DIR/tree, create 2,000 files in 40 directories two
# levels deep, then rename a third of them (in place, across directories,
# over existing files), delete a fifth, move, rename and delete whole
# directories. Deterministic: run on the host (any POSIX sh), it builds the
# tree Kite must leave on the FAT disk. Prints "TREE files N" at the end.
cd "$1" || exit 1
mkdir tree && cd tree || exit 1
i=0
while [ $i -lt 10 ]; do
  j=0
  while [ $j -lt 4 ]; do
    d="top$i/Sub Dir $j"
    mkdir -p "$d" || echo "TREE-ERROR mkdir $d"
    k=0
    while [ $k -lt 50 ]; do
      echo "file $i $j $k" > "$d/file-$k.txt" || echo "TREE-ERROR create $d/file-$k.txt"
      k=$((k + 1))
    done
    j=$((j + 1))
  done
  i=$((i + 1))
done
echo "TREE created $(find . -type f | wc -l)"

i=0
while [ $i -lt 10 ]; do
  j=0
  while [ $j -lt 4 ]; do
    d="top$i/Sub Dir $j"
    other="top$(((i + 1) % 10))/Sub Dir $j"
    gone=
    k=0
    while [ $k -lt 50 ]; do
      f="$d/file-$k.txt"
      case $((k % 10)) in
      0) mv "$f" "$d/Renamed File $k.data" ;;
      1) mv "$f" "$other/moved from $i-$k.txt" ;;
      2 | 7) gone="$gone file-$k.txt" ;;
      6) mv "$f" "$d/x$k" ;;
      8) mv "$f" "$d/file-$((k + 1)).txt" ;;
      esac || echo "TREE-ERROR rename $f"
      k=$((k + 1))
    done
    (cd "$d" && rm $gone) || echo "TREE-ERROR rm in $d"
    j=$((j + 1))
  done
  i=$((i + 1))
done
mv "top3/Sub Dir 1" "top4/moved dir" || echo "TREE-ERROR mv dir"
rm -r "top8/Sub Dir 3" || echo "TREE-ERROR rm -r"
mv top9 "top nine" || echo "TREE-ERROR mv top9"
mkdir -p "top0/a/b/c/d/e" && echo deep > "top0/a/b/c/d/e/deep.txt" && mv top0/a "top1/Sub Dir 0/a moved" ||
  echo "TREE-ERROR deep"
echo "TREE files $(find . -type f | wc -l)"
