#!/usr/bin/env bash
# Regenerates Talko.Tests/Core/Imaging/Fixtures: small PNG and JPEG files of every kind the decoders handle,
# each with a reference decode (binary PPM) made by ImageMagick or libjpeg-turbo's djpeg.
# Needs: apt-get install -y imagemagick libjpeg-turbo-progs
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/Talko.Tests/Core/Imaging/Fixtures"
mkdir -p "$out"
cd "$out"
rm -f ./*.png ./*.jpg ./*.ppm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A source with smooth gradients, hard edges and colour, at odd sizes so blocks and bytes do not line up.
convert -size 67x45 gradient:'#ff2000-#0030ff' \( -size 67x45 radial-gradient:white-black \) -compose multiply -composite \
  -fill '#20c040' -draw 'rectangle 10,8 30,30' -fill white -draw 'circle 50,20 58,28' "$tmp/src.ppm"
convert "$tmp/src.ppm" -resize 37x23\! "$tmp/small.ppm"
convert -size 37x23 gradient:'#ffffff00-#00ff80ff' -fill '#ff000080' -draw 'rectangle 5,5 20,15' "$tmp/alpha.png"

# JPEG: sampling 4:4:4, 4:2:2, 4:2:0, grayscale, restart intervals, progressive; references from djpeg
# with simple (replicating) upsampling and the float IDCT, as Talko's decoder does.
cjpeg -quality 90 -sample 1x1 "$tmp/src.ppm" > j444.jpg
cjpeg -quality 90 -sample 2x1 "$tmp/src.ppm" > j422.jpg
cjpeg -quality 90 -sample 2x2 "$tmp/src.ppm" > j420.jpg
cjpeg -quality 90 -sample 1x2 "$tmp/src.ppm" > j440.jpg
cjpeg -quality 90 -sample 4x1 "$tmp/src.ppm" > j411.jpg
cjpeg -quality 85 -grayscale "$tmp/src.ppm" > jgray.jpg
cjpeg -quality 90 -sample 2x2 -restart 3B "$tmp/src.ppm" > jrestart.jpg
cjpeg -quality 90 -progressive "$tmp/src.ppm" > jprogressive.jpg
cjpeg -quality 90 -progressive -sample 1x1 -restart 2 "$tmp/src.ppm" > jprogressive-444-restart.jpg
cjpeg -quality 85 -progressive -grayscale "$tmp/src.ppm" > jprogressive-gray.jpg
# Sequential, but one scan per component (a libjpeg scan script: component index per line).
printf '0;\n1;\n2;\n' > "$tmp/scans.txt"
cjpeg -quality 90 -sample 2x2 -scans "$tmp/scans.txt" "$tmp/src.ppm" > jsequential-scans.jpg
for f in j444 j422 j420 j440 j411 jgray jrestart jprogressive jprogressive-444-restart jprogressive-gray jsequential-scans; do
  djpeg -nosmooth -dct float -pnm "$f.jpg" > "$f.ref.ppm"
done
# Larger images for the 1/8-scale (DC only) path, whose result must equal the full decode averaged over 8x8 boxes.
convert "$tmp/src.ppm" -resize 256x160\! "$tmp/large.ppm"
cjpeg -quality 90 -sample 2x2 "$tmp/large.ppm" > jlarge-420.jpg
cjpeg -quality 90 -sample 2x2 -progressive "$tmp/large.ppm" > jlarge-progressive.jpg
cjpeg -quality 90 -sample 4x1 -progressive "$tmp/large.ppm" > jlarge-411-progressive.jpg
for f in jlarge-420 jlarge-progressive jlarge-411-progressive; do
  djpeg -nosmooth -dct float -pnm "$f.jpg" > "$f.ref.ppm"
done
# Exif orientation 6 (shown turned 90° clockwise); the reference is the turned picture.
# ImageMagick 6 writes no Exif of its own, so the APP1 segment (TIFF header, IFD0 with tag 0x0112) is added by hand.
cjpeg -quality 90 -sample 1x1 "$tmp/src.ppm" > "$tmp/plain.jpg"
python3 - "$tmp/plain.jpg" jorient6.jpg <<'PY'
import struct, sys
jpeg = open(sys.argv[1], 'rb').read()
tiff = b'MM' + struct.pack('>HI', 42, 8) + struct.pack('>H', 1) + struct.pack('>HHIHH', 0x0112, 3, 1, 6, 0) + struct.pack('>I', 0)
app1 = b'Exif\0\0' + tiff
open(sys.argv[2], 'wb').write(jpeg[:2] + b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1 + jpeg[2:])
PY
djpeg -nosmooth -dct float -pnm jorient6.jpg | convert - -rotate 90 -depth 8 ppm:jorient6.ref.ppm

# PNG: every colour type and bit depth (table 11.1), interlaced and not.
png() { # name, options...
  local name=$1; shift
  convert "$@" -define png:exclude-chunks=date,time "$name.png"
  convert "$name.png" -background white -alpha remove -alpha off -depth 8 "ppm:$name.ref.ppm"
}
for d in 1 2 4 8 16; do png "gray$d" "$tmp/small.ppm" -colorspace gray -define png:color-type=0 -define png:bit-depth=$d; done
for d in 8 16; do png "rgb$d" "$tmp/small.ppm" -define png:color-type=2 -define png:bit-depth=$d; done
for d in 8 16; do png "grayalpha$d" "$tmp/alpha.png" -colorspace gray -define png:color-type=4 -define png:bit-depth=$d; done
for d in 8 16; do png "rgba$d" "$tmp/alpha.png" -define png:color-type=6 -define png:bit-depth=$d; done
png rgb8-adam7 "$tmp/small.ppm" -define png:color-type=2 -define png:bit-depth=8 -interlace PNG
png gray2-adam7 "$tmp/small.ppm" -colorspace gray -define png:color-type=0 -define png:bit-depth=2 -interlace PNG
png rgba16-adam7 "$tmp/alpha.png" -define png:color-type=6 -define png:bit-depth=16 -interlace PNG
python3 - <<'PY'
# Indexed images of each depth (ImageMagick 6 picks its own depth for these), Adam7 included, and one
# with a tRNS chunk of palette alphas; written by hand from the PNG specification.
import struct, zlib
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
def pack(indices, depth):
    out, acc, n = bytearray(), 0, 0
    for i in indices:
        acc = (acc << depth) | i; n += depth
        if n == 8: out.append(acc); acc, n = 0, 0
    if n: out.append(acc << (8 - n))
    return bytes(out)
def indexed(name, w, h, depth, interlace=False, trns=None):
    colours = 1 << depth
    palette = b''.join(bytes([(37 * i) % 256, (91 * i + 40) % 256, (255 - 13 * i) % 256]) for i in range(colours))
    pixel = lambda x, y: (x * 3 + y * 5 + (x * y) // 7) % colours
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)] if interlace else [(0, 0, 1, 1)]
    raw = b''
    for x0, y0, dx, dy in passes:
        xs, ys = range(x0, w, dx), range(y0, h, dy)
        if len(xs) and len(ys):
            raw += b''.join(b'\x00' + pack([pixel(x, y) for x in xs], depth) for y in ys)
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, 3, 0, 0, 1 if interlace else 0))
    png += chunk(b'PLTE', palette) + (chunk(b'tRNS', bytes(trns)) if trns else b'')
    png += chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
    open(name + '.png', 'wb').write(png)
for d in (1, 2, 4, 8): indexed('palette%d' % d, 37, 23, d)
indexed('palette4-adam7', 37, 23, 4, interlace=True)
indexed('palette-trns', 13, 7, 2, trns=[255, 0, 128])
PY
for f in palette1 palette2 palette4 palette8 palette4-adam7 palette-trns; do
  convert "$f.png" -background white -alpha remove -alpha off -depth 8 "ppm:$f.ref.ppm"
done
for f in *.png; do identify -format '%f %wx%h %[png:IHDR.color-type-orig] %[png:IHDR.bit-depth-orig] %[interlace]\n' "$f"; done
