#!/usr/bin/env bash
# The whole flowstash story on one machine, on data it makes itself:
# synthesize NetScaler AppFlow (IPFIX) → rewrite its addresses like tcprewrite → run conf/ipfix.conf
# (udp 4739 → netflow → rubydebug) → replay the capture into it over real sockets → show the events.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
flowstash() { node "$repo/bin/flowstash.mjs" "$@"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/flowstash-demo.XXXXXX")
cd "$work"
collector=""
cleanup() { [ -n "$collector" ] && kill "$collector" 2>/dev/null; cd /; rm -rf "$work"; }
trap cleanup EXIT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "flowstash synth --profile netscaler --flows 6 --exporters 2 --seed 42 -o appflow.pcap"
flowstash synth --profile netscaler --flows 6 --exporters 2 --seed 42 -o appflow.pcap

step "flowstash capinfos appflow.pcap"
flowstash capinfos appflow.pcap | sed -n '1,12p'

step "flowstash rewrite -i appflow.pcap -o appflow.local.pcap --srcipmap=192.0.2.0/24:10.20.30.0/24 --dstipmap=192.0.2.200/32:127.0.0.1/32 --fixcsum"
flowstash rewrite -i appflow.pcap -o appflow.local.pcap \
  --srcipmap=192.0.2.0/24:10.20.30.0/24 --dstipmap=192.0.2.200/32:127.0.0.1/32 --fixcsum

step "flowstash -f conf/ipfix.conf &    # udp 0.0.0.0:4739 → netflow { versions => [10] target => ipfix } → stdout rubydebug"
node "$repo/bin/flowstash.mjs" -f "$repo/conf/ipfix.conf" >events.txt 2>collector.log &
collector=$!
for _ in $(seq 1 150); do
  grep -q 'UDP listener started' collector.log 2>/dev/null && break
  if ! kill -0 "$collector" 2>/dev/null; then cat collector.log >&2; exit 1; fi
  sleep 0.1
done

step "flowstash replay --exporters loopback appflow.local.pcap    # each exporter gets its own 127.0.0.x"
flowstash replay --exporters loopback --no-progress appflow.local.pcap

sleep 0.5
kill -TERM "$collector"
wait "$collector" || true
collector=""
step "# what Logstash would print: $(grep -c '^{' events.txt) events; the first one, and the first with HTTP fields:"
awk '/^{/{n++; block=""} {block=block $0 "\n"} /^}/{ if (n==1 || (!shown && block ~ /netscalerHttpReqUrl/)) { printf "%s", block; if (n>1) shown=1 } }' events.txt
step "# the collector's exit summary:"
grep -E 'Summary|input udp|codec of' collector.log | sed 's/^\[[^]]*\]//'
