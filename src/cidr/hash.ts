/**
 * FNV-1a, 32-bit (offset basis 0x811c9dc5, prime 0x01000193), over the UTF-16 code units of `text` (canonical
 * prefixes are ASCII, so this equals FNV-1a over their bytes). Fixed and documented because shard boundaries depend
 * on it: changing the hash would move every boundary and rename every shard.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
