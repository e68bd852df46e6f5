#!/usr/bin/env bash
# Fails when a layer includes a header from a higher layer (design.md, "Layers").
set -u
root=${1:-.}
cd "$root" || exit 2
declare -A rank=([messages]=1 [config]=2 [protocol]=3 [net]=3 [store]=3 [actors]=4 [app]=5)
bad=0
for layer in "${!rank[@]}"; do
  [ -d "$layer" ] || continue
  while IFS=: read -r file line inc; do
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$inc")
    [ -n "${rank[$target]:-}" ] || continue
    if [ "$target" != "$layer" ] && [ "${rank[$target]}" -ge "${rank[$layer]}" ]; then
      echo "layering: $file:$line includes $target/ from layer $layer/"; bad=1
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$layer" --include='*.hpp' --include='*.cpp' | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
