#!/usr/bin/env bash
# Measures the release build and prints Markdown for docs/BENCHMARKS.md:
#   1. search latency in-process (server/benches/search.rs) at 10k and 100k articles,
#      and the agent queue's first page at 100k tickets (server/benches/queue.rs);
#   2. HTTP throughput with wrk: ticket creation (32 connections) and search;
#   3. page weight: every request Chromium makes for the home page and the logging
#      form until hydrated, with the bytes on the wire (end2end/page-weight.mjs);
#   4. the server's memory, idle and after the load.
# Run on a quiet machine: figures move ±30 % with other load.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test # Chromium too: the page weight is measured in it
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

scripts/build.sh >/dev/null
target="${CARGO_TARGET_DIR:-$PWD/target}"
port=${BENCH_PORT:-3299}
base="http://127.0.0.1:$port"
data=$(mktemp -d)
lua=$(mktemp --suffix=.lua)
trap 'kill $server 2>/dev/null || true; rm -rf "$data" "$lua"' EXIT

echo "## Search latency, in-process (1,000 queries, top 10 with snippets and count)"
echo
LEPTOS_OUTPUT_NAME=portal cargo bench -q -p server --bench search -- ${BENCH_SIZES:-10000 100000} 2>/dev/null
echo
echo "## Agent queue, first page rendered through the router (1,000 renders each)"
echo
LEPTOS_OUTPUT_NAME=portal cargo bench -q -p server --bench queue -- ${QUEUE_TICKETS:-100000} 2>/dev/null
echo

# wrk stands in for many clients behind a reverse proxy on 127.0.0.1: each form
# post names another client (X-Forwarded-For), as a proxy would, so the
# per-client limit on logging tickets measures the server, not one flooder.
"$target/release/server" --data-dir "$data" --addr "127.0.0.1:$port" \
  --site-root "$PWD/target/site" --output-name portal --log warn \
  --trusted-proxies 127.0.0.1 &
server=$!
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
sleep 2 # let the background precompression of /pkg finish
rss() { awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$server/status"; }
idle=$(rss)

echo "## Attachments: a 25 MB file over loopback, and a 12-megapixel thumbnail"
echo
# Text (base64 of random bytes), so it is accepted as a log file; exactly the limit.
big=$(mktemp)
# base64 is cut off by head: its broken pipe is expected, not a failure.
(head -c 20000000 /dev/urandom | base64 -w 100 || true) | head -c $((25 * 1024 * 1024)) >"$big"
kib() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
before=$(kib)
curl -s -o /dev/null -w '%{redirect_url} %{time_total}\n' \
  -F name='Load Test' -F email=load@example.com -F service=email -F category=1 \
  -F summary='Upload benchmark' -F description='A large log file for the benchmark.' \
  -F impact=low -F urgency=medium -F "files=@$big;filename=big.log" \
  "$base/report/incident" >"$big.out" &
uploader=$!
peak=$before
while kill -0 $uploader 2>/dev/null; do
  now=$(kib); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.01
done
read -r status_link upload_s <"$big.out"
# sed, not head: head would close the pipe early and fail the script (pipefail).
file_link=$(curl -s "$status_link" | grep -o '/status/[^"]*/files/[0-9a-f]\{32\}' | sed -n 1p)
download=$(curl -s -o /dev/null -w '%{time_total}' "$base$file_link")
mb=$(awk -v b=$((25 * 1024 * 1024)) 'BEGIN { print b / 1048576 }')
echo "| what | time | throughput | server RSS |"
echo "|---|---|---|---|"
awk -v t="$upload_s" -v mb="$mb" -v b="$before" -v p="$peak" 'BEGIN {
  printf "| upload 25 MB (logging form, multipart, fsynced before the answer) | %.2f s | %.0f MB/s | %.1f MiB before, peak +%.1f MiB |\n", t, mb / t, b / 1024, (p - b) / 1024 }'
awk -v t="$download" -v mb="$mb" 'BEGIN {
  printf "| download 25 MB (private link) | %.2f s | %.0f MB/s | – |\n", t, mb / t }'
rm -f "$big" "$big.out"
echo
LEPTOS_OUTPUT_NAME=portal cargo bench -q -p server --bench thumbnail 2>/dev/null
echo

echo "## E-mail delivery (SMTP server on loopback: aiosmtpd, fsync per message)"
echo
LEPTOS_OUTPUT_NAME=portal cargo bench -q -p server --bench mail -- ${MAIL_MESSAGES:-3000} 2>/dev/null
echo

echo "## Mail into the desk (Dovecot on loopback, IDLE): a reply to the ticket it lands on"
echo
LEPTOS_OUTPUT_NAME=portal cargo bench -q -p server --bench mail_in -- ${MAIL_REPLIES:-30} 2>/dev/null
echo

echo "## Page weight: what Chromium downloads (bytes on the wire)"
echo
(cd end2end && node page-weight.mjs "$base" / /report/incident)
echo

cat > "$lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "name=Load+Test&email=load%40example.com&service=email&category=1" ..
  "&summary=Load+test+ticket&description=Created+by+the+benchmark+script+to+measure+throughput." ..
  "&impact=low&urgency=medium"
local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. (math.floor(n / 250) % 250) .. ".1"
  return wrk.format()
end
LUA
echo "## HTTP, wrk (2 threads, 10 s)"
echo
echo "| what | connections | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run_wrk() { # label connections url [lua] [header]
  local out threads=2
  [ "$2" -lt 2 ] && threads=1
  out=$(wrk -t$threads -c"$2" -d10s --latency ${4:+-s "$4"} ${5:+-H "$5"} "$3")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  errors=$(awk '/Non-2xx/ { print $5 } /Socket errors/ { print "socket: " $0 }' <<<"$out" | tr '\n' ' ')
  echo "| $1 | $2 | $rps | $p50 | $p99 | ${errors:-0} |"
}
run_wrk "log an incident (form POST, durable commit)" 32 "$base/report/incident" "$lua"
run_wrk "search page \`/?q=vpn+eror+809\`" 32 "$base/?q=vpn+eror+809"
run_wrk "search API \`/api/search?query=printr+offline\`" 32 "$base/api/search?query=printr+offline"
run_wrk "home page \`/\`" 32 "$base/"
run_wrk "home page \`/\`, brotli (as browsers ask)" 32 "$base/" "" "Accept-Encoding: br"
run_wrk "\`/healthz\` (one query, tiny answer)" 32 "$base/healthz"
run_wrk "\`/pkg/portal.css\`, brotli" 32 "$base/pkg/portal.css" "" "Accept-Encoding: br"
run_wrk "\`/favicon.svg\`" 32 "$base/favicon.svg"
run_wrk "\`/pkg/portal.css\`, one kept-alive connection" 1 "$base/pkg/portal.css"
echo
echo "## Memory (resident set of the server process)"
echo
echo "| when | RSS |"
echo "|---|---|"
echo "| idle, after start-up with demo content | $idle |"
echo "| after the load above | $(rss) |"
