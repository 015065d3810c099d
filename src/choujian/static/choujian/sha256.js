/* SHA-256 (FIPS 180-4) of the UTF-8 text, for pages served over plain http on intranets, where browsers
 * offer no crypto.subtle. choujianSha256.hex(text) is synchronous; hexAsync(text) prefers crypto.subtle
 * when the page is a secure context and falls back to this implementation otherwise. */
(function (root) {
  "use strict";
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function ror(x, n) { return (x >>> n) | (x << (32 - n)); }

  function utf8(text) { return new TextEncoder().encode(String(text)); }

  function toHex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function digest(bytes) {
    var n = bytes.length, size = (((n + 8) >> 6) + 1) << 6;  // message + 0x80 + 64-bit length, in 64-byte blocks
    var m = new Uint8Array(size), v = new DataView(m.buffer), w = new Int32Array(64);
    m.set(bytes);
    m[n] = 0x80;
    v.setUint32(size - 8, Math.floor(n / 0x20000000));  // high word of the bit length (n * 8 / 2^32)
    v.setUint32(size - 4, (n << 3) >>> 0);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var off = 0; off < size; off += 64) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) { w[t] = v.getInt32(off + 4 * t); continue; }
        var a15 = w[t - 15], a2 = w[t - 2];
        w[t] = (w[t - 16] + (ror(a15, 7) ^ ror(a15, 18) ^ (a15 >>> 3)) + w[t - 7] +
                (ror(a2, 17) ^ ror(a2, 19) ^ (a2 >>> 10))) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32), ov = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) ov.setUint32(4 * i, h[i] >>> 0);
    return out;
  }

  function hex(text) { return toHex(digest(utf8(text))); }

  function hexAsync(text) {
    var subtle = root.isSecureContext && root.crypto && root.crypto.subtle;
    if (!subtle) return Promise.resolve(hex(text));
    return subtle.digest("SHA-256", utf8(text)).then(function (buffer) { return toHex(new Uint8Array(buffer)); });
  }

  root.choujianSha256 = { digest: digest, hex: hex, hexAsync: hexAsync, toHex: toHex };
})(window);
