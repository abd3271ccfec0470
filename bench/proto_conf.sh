#!/usr/bin/env bash
# bench/proto_conf.sh DIR: the fixture config in DIR/nginx.conf with two
# more listens in its server, TLS (HTTP/1.1) and TLS with HTTP/2, and a
# throwaway key and certificate; keepalive_requests high enough that
# no connection of h2load -c 1 (which does not reconnect) ends inside a
# measurement; prints "HTTP_URL HTTPS_URL H2_URL".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
dir=$1
port=$(lt_fixture_conf "$dir")
tls=$(lt_free_port)
h2=$(lt_free_port)
while [ "$h2" = "$tls" ] || [ "$h2" = "$port" ]; do h2=$(lt_free_port); done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
sed -i "s|^\( *\)listen  *127.0.0.1:$port;|&\n\1listen 127.0.0.1:$tls ssl;\n\1listen 127.0.0.1:$h2 ssl http2;\n\1ssl_certificate $dir/cert.pem;\n\1ssl_certificate_key $dir/key.pem;\n\1keepalive_requests 1000000;|" \
	"$dir/nginx.conf"
grep -q "listen 127.0.0.1:$h2 ssl http2;" "$dir/nginx.conf"
echo "http://127.0.0.1:$port/ https://127.0.0.1:$tls/ https://127.0.0.1:$h2/"
