#!/usr/bin/env bash
# Makes a 12-megapixel (4000x3000) photo like a phone camera's, as a 4:2:0 JPEG (baseline and progressive) and a
# lossy WebP, and times Talko's SkiaSharp thumbnailer on each, with libjpeg-turbo's djpeg on the baseline file
# as a peer. Needs: apt-get install -y imagemagick libjpeg-turbo-progs webp. BENCH_RUNS sets the timed runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
convert -size 4000x3000 gradient:'#d04020-#2060e0' -attenuate 0.4 +noise Gaussian \
  -fill '#30a050' -draw 'rectangle 800,600 2200,1900' -fill white -draw 'circle 3000,1500 3400,1900' "$tmp/photo.ppm"
cjpeg -quality 90 -sample 2x2 "$tmp/photo.ppm" > "$tmp/photo-12mp.jpg"
cjpeg -quality 90 -sample 2x2 -progressive "$tmp/photo.ppm" > "$tmp/photo-12mp-progressive.jpg"
cwebp -quiet -q 80 "$tmp/photo.ppm" -o "$tmp/photo-12mp.webp"
echo "libjpeg-turbo djpeg -scale 1/8 (peer, C, SIMD), median of 5:"
for i in 1 2 3 4 5; do /usr/bin/time -f "%e" djpeg -scale 1/8 "$tmp/photo-12mp.jpg" 2>&1 >/dev/null; done | sort -n | sed -n 3p
echo "libjpeg-turbo djpeg full size, median of 5:"
for i in 1 2 3 4 5; do /usr/bin/time -f "%e" djpeg "$tmp/photo-12mp.jpg" 2>&1 >/dev/null; done | sort -n | sed -n 3p
dotnet build -c Release -v q "$root/Talko.Bench" > /dev/null
for photo in photo-12mp.jpg photo-12mp-progressive.jpg photo-12mp.webp; do
  dotnet run -c Release --no-build --project "$root/Talko.Bench" -- thumbnails "$tmp/$photo" "${BENCH_RUNS:-15}"
done
