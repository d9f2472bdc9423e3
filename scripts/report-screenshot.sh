#!/usr/bin/env bash
# Renders a vdrop report (or one of its standalone SVG figures) to a PNG with Debian's headless
# Chromium, as a browser shows it:
#
#   scripts/report-screenshot.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
#
# WIDTH defaults to 1400 (two figures side by side). Without HEIGHT the whole page is taken:
# Chromium's --screenshot stops at the window's height, so the page is rendered in a window of
# 20000 px and the blank rows below it are trimmed (with Pillow or ImageMagick, whichever is
# there). A HEIGHT takes only the top of the page. REPORT.html#ID starts at figure ID.
# Needs: apt-get install chromium (and python3-pil or imagemagick to trim).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 REPORT.html[#ID] OUT.png [WIDTH] [HEIGHT]" >&2
    exit 2
fi
input=${1%%#*}
fragment=""
[ "$input" != "$1" ] && fragment="#${1#*#}"
output=$2
width=${3:-1400}
height=${4:-}

if [ ! -f "$input" ]; then
    echo "$input does not exist; write a report first (vdrop report RUN_DIR)." >&2
    exit 1
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "No Chromium found; install it with: apt-get install chromium" >&2
    exit 1
fi

url="file://$(cd "$(dirname "$input")" && pwd)/$(basename "$input")$fragment"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$output")"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --user-data-dir="$profile" --window-size="$width,${height:-20000}" --screenshot="$output" "$url" >/dev/null 2>&1 || true
if [ ! -s "$output" ]; then
    echo "Chromium wrote no screenshot of $url." >&2
    exit 1
fi

if [ -z "$height" ]; then
    if python3 -c "import PIL" 2>/dev/null; then
        python3 - "$output" <<'PY'
import sys
from PIL import Image, ImageChops
path = sys.argv[1]
image = Image.open(path).convert("RGB")
box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
bottom = min(image.height, (box[3] if box else 1) + 24)
image.crop((0, 0, image.width, bottom)).save(path, optimize=True)
PY
    elif command -v convert >/dev/null; then
        convert "$output" -background white -gravity north -trim +repage -bordercolor white -border 0x24 "$output"
    else
        echo "Neither Pillow nor ImageMagick is installed: $output keeps the window's full height of 20000 px." >&2
    fi
fi
echo "$output"
