// Sealing and opening one blob, the addon's AES-256-GCM (native/sealing.c) against
// node:crypto's (sealBytesJs / openBytesJs), microseconds per blob by size.
//   npm run build && node bench/repo-codec/sealing.mjs
const { sealBytes, openBytes, sealBytesJs, openBytesJs } = await import(
  new URL('../../packages/vigil/dist/repo/sealer.js', import.meta.url).href
);
const key = Buffer.alloc(32, 3);
const aad = Buffer.from('vigil-v2:data');
const perBlob = (n, fn) => {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - start) * 1000) / n;
};
console.log('| blob | addon seal | addon open | node:crypto seal | node:crypto open |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const size of [512, 4096, 65536, 1 << 20]) {
  const plain = Buffer.alloc(size, 7);
  const n = size >= 65536 ? 2000 : 20000;
  const sealed = sealBytes(key, plain, aad);
  const run = () => [
    perBlob(n, () => sealBytes(key, plain, aad)),
    perBlob(n, () => openBytes(key, sealed, aad, 'a blob')),
    perBlob(n, () => sealBytesJs(key, plain, aad)),
    perBlob(n, () => openBytesJs(key, sealed, aad, 'a blob')),
  ];
  run(); // warm up
  console.log(
    `| ${size} | ${run()
      .map((us) => `${us.toFixed(1)} us`)
      .join(' | ')} |`,
  );
}
