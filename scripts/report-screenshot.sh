#!/usr/bin/env bash
# Renders a vdrop report (or one of its standalone SVG figures) to a PNG with Debian's headless
# Chromium, as a browser shows it:
#
#   scripts/report-screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT] [TOP]
#
# WIDTH defaults to 1400 (two figures side by side, or a layer's three histograms). Without
# HEIGHT the whole page is taken: Chromium's --screenshot stops at the window's height, so the
# page is rendered in a window of 20000 px and the blank rows below it are trimmed. With HEIGHT
# (and TOP, default 0), the rows TOP to TOP + HEIGHT of the page. PNG_COLORS=256 quantizes
# the image to that many colours (the README's screenshots, to keep them small).
# Needs: apt-get install chromium; Pillow (python3-pil) to trim, crop below the top or quantize.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH] [HEIGHT] [TOP]" >&2
    exit 2
fi
input=$1
output=$2
width=${3:-1400}
height=${4:-}
top=${5:-0}

if [ ! -f "$input" ]; then
    echo "$input does not exist; write a report first (vdrop report RUN_DIR)." >&2
    exit 1
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "No Chromium found; install it with: apt-get install chromium" >&2
    exit 1
fi
pillow=$(python3 -c "import PIL; print(1)" 2>/dev/null || true)
if [ -z "$pillow" ] && { [ -z "$height" ] || [ "$top" != 0 ] || [ -n "${PNG_COLORS:-}" ]; }; then
    echo "Trimming, cropping below the top and PNG_COLORS need Pillow: apt-get install python3-pil (or pip install pillow)." >&2
    exit 1
fi

url="file://$(cd "$(dirname "$input")" && pwd)/$(basename "$input")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$output")"
window=20000
[ -n "$height" ] && window=$((top + height))
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --user-data-dir="$profile" --window-size="$width,$window" --screenshot="$output" "$url" >/dev/null 2>&1 || true
if [ ! -s "$output" ]; then
    echo "Chromium wrote no screenshot of $url." >&2
    exit 1
fi

if [ -n "$pillow" ]; then
    python3 - "$output" "$top" "${height:-}" "${PNG_COLORS:-}" <<'PY'
import sys
from PIL import Image, ImageChops
path, top, height, colors = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
image = Image.open(path).convert("RGB")
if height:
    image = image.crop((0, top, image.width, min(image.height, top + int(height))))
else:
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    image = image.crop((0, 0, image.width, min(image.height, (box[3] if box else 1) + 24)))
if colors:
    image = image.quantize(colors=int(colors), method=Image.Quantize.MEDIANCUT)
image.save(path, optimize=True)
PY
fi
echo "$output"
