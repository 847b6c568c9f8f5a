#!/bin/bash
# Healthy when the REST API answers an authenticated route listing, which
# proves both that CHP runs and that the token the hub will use is valid.
# bash's /dev/tcp, not node: a check costs 3 ms of CPU instead of 200 ms.
token=${CONFIGPROXY_AUTH_TOKEN:-$(cat /srv/secrets/proxy-token)}
exec 3<>/dev/tcp/proxy-api/8001 || exit 1
printf 'GET /api/routes HTTP/1.0\r\nAuthorization: token %s\r\n\r\n' "$token" >&3
read -r -t 3 _ status _ <&3 && [ "$status" = 200 ]
