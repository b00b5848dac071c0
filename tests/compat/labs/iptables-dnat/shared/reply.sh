#!/bin/sh
# One HTTP answer (socat runs this once per connection): read the request
# up to its blank line, then answer with the name given as $1.
while read -r line; do
	[ -n "$(printf '%s' "$line" | tr -d '\r')" ] || break
done
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n%s\n' "$1"
